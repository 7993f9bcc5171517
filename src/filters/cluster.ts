// `--fqdn`, `--port`, `--subset`, `--direction` for clusters. Unlike istioctl, which tests
// substrings of the whole name (so `--direction inbound` also picks `inbound-vip|…`, and
// `--subset v1` picks any name containing "v1"), the name is parsed and each flag compares one field.
import { parseClusterName } from '../envoy/clusterName.ts';
import type { Cluster, Entry } from '../envoy/model.ts';

/** A field that is undefined or empty imposes nothing; an empty filter matches every cluster. */
export interface ClusterFilter {
  fqdn?: string;
  port?: number;
  subset?: string;
  direction?: string;
}

export function matchCluster(filter: ClusterFilter, entry: Entry<Cluster>): boolean {
  return matchClusterName(filter, entry.resource.name ?? '');
}

export function matchClusterName(filter: ClusterFilter, name: string): boolean {
  const { fqdn, port, subset, direction } = filter;
  if (!fqdn && port === undefined && !subset && !direction) return true;
  const parsed = parseClusterName(name);
  if (parsed === undefined) {
    // `BlackHoleCluster`, `xds-grpc`…: no fields to compare, so only `--fqdn <the name>` selects them.
    if (port !== undefined || subset || direction) return false;
    return !fqdn || sameDnsName(fqdn, name);
  }
  if (fqdn && !hostnameStartsWith(parsed.fqdn, fqdn)) return false;
  if (port !== undefined && parsed.port !== port) return false;
  if (subset && parsed.subset !== subset) return false;
  if (direction && parsed.direction !== direction) return false;
  return true;
}

/**
 * Whole-label prefix match: `reviews` and `reviews.default` select `reviews.default.svc.cluster.local`,
 * `reviews` does not select `reviews-v2.default.svc.cluster.local`. DNS names compare case-insensitively.
 */
export function hostnameStartsWith(hostname: string, prefix: string): boolean {
  const labels = dnsLabels(hostname);
  const wanted = dnsLabels(prefix);
  return labels.length >= wanted.length && wanted.every((label, i) => label === labels[i]);
}

function sameDnsName(a: string, b: string): boolean {
  return dnsLabels(a).join('.') === dnsLabels(b).join('.');
}

/** The labels of a DNS name, lower-cased, without the root's trailing dot. */
function dnsLabels(name: string): string[] {
  const trimmed = name.toLowerCase().replace(/\.$/, '');
  return trimmed === '' ? [] : trimmed.split('.');
}
