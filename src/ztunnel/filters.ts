// The `zc` filters: plain data and pure predicates. An empty filter matches everything. Names and
// namespaces compare case-insensitively, as istioctl's (strings.EqualFold).
import type { ZPolicy, ZService, ZWorkload, ZWorkloadState } from './model.ts';

export interface WorkloadFilter {
  namespace?: string;
  /** One of the workload's IPs. */
  address?: string;
  node?: string;
  /** A workload (pod) name. */
  name?: string;
}

export interface NamespaceFilter {
  namespace?: string;
}

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface ConnectionsFilter {
  /** The workload's namespace (`--workload-namespace`, or the `.namespace` of `--workload`). */
  namespace?: string;
  /** The workload's name (`--workload name[.namespace]`). */
  name?: string;
  direction?: Direction;
  /** Show IPs as they are rather than the names of the services and workloads they belong to. */
  raw?: boolean;
}

const same = (a: string, b: string | undefined): boolean => b === undefined || a.toLowerCase() === b.toLowerCase();

export function matchWorkload(filter: WorkloadFilter, workload: ZWorkload): boolean {
  return (
    same(workload.namespace, filter.namespace) &&
    same(workload.node, filter.node) &&
    same(workload.name, filter.name) &&
    (filter.address === undefined || workload.workloadIps.some((ip) => same(ip, filter.address)))
  );
}

export function matchNamespace(filter: NamespaceFilter, item: ZService | ZPolicy): boolean {
  return same(item.namespace, filter.namespace);
}

export function matchWorkloadState(filter: ConnectionsFilter, state: ZWorkloadState): boolean {
  return same(state.namespace, filter.namespace) && same(state.name, filter.name);
}

/** `name.namespace` → its parts; the namespace is what follows the last dot, as for pod arguments. */
export function splitWorkloadName(text: string): { name: string; namespace?: string } {
  const dot = text.lastIndexOf('.');
  return dot > 0 ? { name: text.slice(0, dot), namespace: text.slice(dot + 1) } : { name: text };
}
