// Envoy's `/clusters?format=json` (envoy.admin.v3.Clusters): live hosts and their health.
import type { ClustersStatus, ClusterStatus } from './model.ts';
import { canonicalize } from './protojson.ts';

export function looksLikeClustersStatus(json: unknown): json is Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  return keys.includes('cluster_statuses') || keys.includes('clusterStatuses');
}

/** Istio 1.6 printed the top level in snake_case and the hosts in camelCase, so always canonicalize. */
export function decodeClustersStatus(json: Record<string, unknown>): ClustersStatus {
  const canonical = canonicalize(json, 'envoy.admin.v3.Clusters') as { cluster_statuses?: ClusterStatus[] };
  return { cluster_statuses: canonical.cluster_statuses ?? [] };
}
