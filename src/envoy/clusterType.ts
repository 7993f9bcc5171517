// A cluster's discovery type as istioctl's TYPE column and Envoy read it.
import type { Cluster } from './model.ts';

/** The `DiscoveryType` enum, by number (old dumps print enums as numbers). */
const DISCOVERY_TYPES = ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'];

/** A custom cluster's extension name, else its discovery type; absent is STATIC, the enum's default. */
export function discoveryType(cluster: Cluster): string {
  const custom = cluster.cluster_type?.name;
  if (custom) return custom;
  const type = cluster.type;
  if (typeof type === 'number') return DISCOVERY_TYPES[type] ?? String(type);
  return type || 'STATIC';
}
