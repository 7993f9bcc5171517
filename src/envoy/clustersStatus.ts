// Envoy's `/clusters?format=json` (envoy.admin.v3.Clusters): live hosts and their health.
import { DataError } from '../errors.ts';
import type { ClustersStatus, ClusterStatus } from './model.ts';
import { canonicalize } from './protojson.ts';
import { checkShape, describeJsonValue } from './shapes.ts';

export function looksLikeClustersStatus(json: unknown): json is Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  return keys.includes('cluster_statuses') || keys.includes('clusterStatuses');
}

/** Istio 1.6 printed the top level in snake_case and the hosts in camelCase, so always canonicalize. */
export function decodeClustersStatus(json: Record<string, unknown>, source: string): ClustersStatus {
  const canonical = canonicalize(json, 'envoy.admin.v3.Clusters') as { cluster_statuses?: unknown };
  const statuses = canonical.cluster_statuses ?? [];
  if (!Array.isArray(statuses)) throw new DataError(source, `cluster_statuses: expected an array, found ${describeJsonValue(statuses)}`);
  for (const [index, status] of statuses.entries()) checkShape(status, 'envoy.admin.v3.ClusterStatus', `cluster_statuses[${index}]`, source);
  return { cluster_statuses: statuses as ClusterStatus[] };
}
