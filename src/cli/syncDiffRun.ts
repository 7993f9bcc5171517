// `proxy-status <pod>`: what istiod would send the proxy (its config_dump?proxyID=) against what the
// pod's Envoy holds (or --file), through the config comparator.
import { DataError } from '../errors.ts';
import { compareDumps } from '../diff/compare.ts';
import { decodeInput, decodeJson } from '../envoy/input.ts';
import type { ConfigDump } from '../envoy/model.ts';
import { ZtunnelProxyError } from '../istiod/errors.ts';
import { openIstiod } from '../istiod/live.ts';
import { isZtunnelPod } from '../kube/ambient.ts';
import { podLabel } from '../kube/errors.ts';
import type { KubeSession, PodRef } from '../kube/index.ts';
import { readInput } from '../source/file.ts';
import type { CliContext } from './context.ts';
import { printComparison } from './diffRun.ts';
import { fetchConfigDump } from './proxyConfigRun.ts';
import type { ProxyStatusOptions } from './proxyStatusRun.ts';

const LABELS = { a: 'istiod', b: 'Envoy' };

export async function runSyncDiff(options: ProxyStatusOptions, target: string, ctx: CliContext): Promise<void> {
  const istiod = await openIstiod(options.istiod, ctx);
  try {
    const [pod] = await istiod.session.resolveTargets({ target });
    if (!pod) return;
    const proxy = podLabel(pod);
    if (isZtunnelPod(pod)) throw new ZtunnelProxyError(proxy);
    const envoy = options.file !== undefined ? await savedDump(options.file, ctx) : await podDump(istiod.session, pod, options.envoyAdmin);
    const answer = await istiod.askForProxy('config_dump', proxy);
    const source = `the config_dump of istiod ${answer.replica} for ${proxy}`;
    if (answer.json === undefined) throw new DataError(source, 'is not JSON');
    const fromIstiod = toDump(decodeJson(answer.json, source), source);
    // istiod knows only what it sends: Envoy's static resources (from its bootstrap) are left out.
    printComparison(compareDumps(fromIstiod, envoy, { labels: LABELS, dynamicOnly: true }), LABELS, options, ctx);
  } finally {
    await istiod.close();
  }
}

async function savedDump(path: string, ctx: CliContext): Promise<ConfigDump> {
  const input = await readInput(path, ctx.io);
  return toDump(decodeInput(input.bytes, input.name), input.name);
}

async function podDump(session: KubeSession, pod: PodRef, access: ProxyStatusOptions['envoyAdmin']): Promise<ConfigDump> {
  const admin = await session.admin(pod, { via: access.via, adminPort: access.adminPort });
  try {
    return await fetchConfigDump(admin, 'config_dump');
  } finally {
    await admin.close();
  }
}

function toDump(decoded: ReturnType<typeof decodeInput>, source: string): ConfigDump {
  if (decoded.kind !== 'config_dump') throw new DataError(source, 'is not a config dump');
  return decoded.dump;
}
