// `bootstrap -o short`: the Istio and Envoy versions, as istioctl's PrintBootstrapSummary (padding 1).
import type { Bootstrap, Entry, Node } from '../../envoy/model.ts';
import { tabwrite } from '../tabwriter.ts';

const PADDING = 1;

export function bootstrapSummary(entry: Entry<Bootstrap>): string {
  const node = entry.resource.node;
  const metadata = node?.metadata ?? {};
  const istioVersion = stringValue(metadata['ISTIO_VERSION']);
  // `istio-proxy:<sha>` → `<sha>` (istioctl takes the second `:`-separated part).
  const proxySha = stringValue(metadata['ISTIO_PROXY_SHA']);
  const proxyVersion = proxySha.split(':')[1] ?? proxySha;
  const rows = [
    ['Istio Version:', istioVersion],
    ['Istio Proxy Version:', proxyVersion],
    ['Envoy Version:', envoyVersion(node)],
  ].filter(([, value]) => value !== '');
  return tabwrite(rows, PADDING);
}

/**
 * `<major>.<minor>.<patch>[-<build.label>][/<revision.status>][/<build.type>][/<ssl.version>]` from
 * node.user_agent_build_version (v3). v2 nodes only have build_version, `<sha>/<version>/<status>/<type>/<ssl>`:
 * the same text after the SHA; istioctl, reading only the v3 field, prints 0.0.0 for them.
 */
function envoyVersion(node: Node | undefined): string {
  const build = node?.user_agent_build_version;
  const legacy = stringValue(node?.build_version ?? node?.['hidden_envoy_deprecated_build_version']);
  if (!build && legacy.includes('/')) {
    return legacy
      .split('/')
      .slice(1)
      .filter((part) => part !== '')
      .join('/');
  }
  const { major_number: major = 0, minor_number: minor = 0, patch = 0 } = build?.version ?? {};
  const metadata = build?.metadata ?? {};
  // istioctl appends a part whenever its key exists, even with an empty value.
  const part = (key: string, separator: string): string => (key in metadata ? separator + stringValue(metadata[key]) : '');
  return `${major}.${minor}.${patch}${part('build.label', '-')}${part('revision.status', '/')}${part('build.type', '/')}${part('ssl.version', '/')}`;
}

function stringValue(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
