// `cluster` table, as istioctl's PrintClusterSummary prints it (padding 5).
import { discoveryType } from '../../envoy/clusterType.ts';
import { sortByClusterName, sortWithClusterNames, type ClusterName } from '../../envoy/clusterName.ts';
import type { Cluster, ClusterLoadAssignment, Entry } from '../../envoy/model.ts';
import { describeManagement } from '../../envoy/routes.ts';
import type { Table } from '../tabwriter.ts';
import { NONE, routesTraffic } from './wide.ts';

const HEADER = ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'];
const PADDING = 5;

/** envoy.config.cluster.v3.Cluster.DiscoveryType, indexed by enum number (JSON may carry either). */
/**
 * One row per entry, in istioctl's order. The caller picks the entries: istioctl shows active and
 * static clusters, never warming ones. `namePrefix` is `all` mode: a NAME column of `cluster/<name>`.
 */
export function clusterTable(entries: readonly Entry<Cluster>[], options: ClusterTableOptions): Table {
  const { wide } = options;
  const assignments = wide?.endpoints && new Map(wide.endpoints.map((entry) => [entry.resource.cluster_name ?? '', entry.resource]));
  const rows = sortWithClusterNames(entries, (entry) => entry.resource.name ?? '').map(({ item: entry, parsed }) => {
    const row = clusterRow(entry.resource, parsed, options.namePrefix);
    return wide ? [...row, ...endpointCounts(entry.resource, assignments)] : row;
  });
  const header = wide ? [...HEADER, 'ENDPOINTS', 'HEALTHY'] : HEADER;
  return { rows: [options.namePrefix ? ['NAME', ...header] : header, ...rows], padding: PADDING };
}

export interface ClusterTableOptions {
  namePrefix: boolean;
  /**
   * `-o wide`: ENDPOINTS and HEALTHY columns, counted from each cluster's inline hosts or from
   * these EDS assignments (undefined when the input has no EDS section: the counts are then `-`).
   */
  wide?: { endpoints: readonly Entry<ClusterLoadAssignment>[] | undefined };
}

/** Endpoints and how many of them Envoy routes to (HEALTHY or UNKNOWN); `-` when the input cannot say. */
function endpointCounts(cluster: Cluster, assignments: ReadonlyMap<string, ClusterLoadAssignment> | undefined): [string, string] {
  const edsName = cluster.eds_cluster_config?.service_name || cluster.name || '';
  const assignment = cluster.load_assignment ?? assignments?.get(edsName);
  if (!assignment) {
    if (cluster.hosts) return [String(cluster.hosts.length), String(cluster.hosts.length)];
    // An EDS cluster that the (present) EDS section has nothing for has no endpoints at all.
    return assignments && discoveryType(cluster) === 'EDS' ? ['0', '0'] : [NONE, NONE];
  }
  const lbEndpoints = (assignment.endpoints ?? []).flatMap((locality) => locality.lb_endpoints ?? []);
  return [String(lbEndpoints.length), String(lbEndpoints.filter((lb) => routesTraffic(lb.health_status)).length)];
}

/** By FQDN, subset, port, direction (istioctl's key), then name; stable and total. */
export function sortClusters<E extends Entry<Cluster>>(entries: readonly E[]): E[] {
  return sortByClusterName(entries, (entry) => entry.resource.name ?? '');
}

/** `parsed`: the cluster's name, parsed. */
function clusterRow(cluster: Cluster, parsed: ClusterName | undefined, namePrefix: boolean): string[] {
  const name = cluster.name ?? '';
  const prefixed = `cluster/${name}`;
  const cells = parsed
    ? [
        // A gateway has an SNI-spelled twin of each `|` cluster (`outbound_.9080_._.details…`); showing
        // its whole name keeps the two rows apart. istioctl does not parse it at all (`-` columns).
        parsed.form === 'sni' ? name : parsed.fqdn,
        String(parsed.port),
        parsed.subset || '-',
        parsed.direction,
      ]
    : // istioctl quirk kept for parity (its all-mode golden has it): it rewrites the name before
      // printing, so an unparsed name shows as `cluster/<name>` in SERVICE FQDN too.
      [namePrefix ? prefixed : name, '-', '-', '-'];
  const row = [...cells, discoveryType(cluster), describeManagement(cluster.metadata)];
  return namePrefix ? [prefixed, ...row] : row;
}

/**
 * istioctl prints `Cluster.GetType()`, which is STATIC for custom clusters too (aggregate,
 * dynamic_forward_proxy, redis…). An operator reading STATIC would look for a static host list that
 * is not there, so a custom cluster shows its `cluster_type` name (e.g. `envoy.clusters.aggregate`).
 */
