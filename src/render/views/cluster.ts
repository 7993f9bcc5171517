// `cluster` table, as istioctl's PrintClusterSummary prints it (padding 5).
import { parseClusterName, sortByClusterName } from '../../envoy/clusterName.ts';
import type { Cluster, Entry } from '../../envoy/model.ts';
import { describeManagement } from '../../envoy/routes.ts';
import type { Table } from '../tabwriter.ts';

const HEADER = ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'];
const PADDING = 5;

/** envoy.config.cluster.v3.Cluster.DiscoveryType, indexed by enum number (JSON may carry either). */
const DISCOVERY_TYPES = ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'];

/**
 * One row per entry, in istioctl's order. The caller picks the entries: istioctl shows active and
 * static clusters, never warming ones. `namePrefix` is `all` mode: a NAME column of `cluster/<name>`.
 */
export function clusterTable(entries: readonly Entry<Cluster>[], options: { namePrefix: boolean }): Table {
  const rows = sortClusters(entries).map((entry) => clusterRow(entry.resource, options.namePrefix));
  return { rows: [options.namePrefix ? ['NAME', ...HEADER] : HEADER, ...rows], padding: PADDING };
}

/** By FQDN, subset, port, direction (istioctl's key), then name; stable and total. */
export function sortClusters<E extends Entry<Cluster>>(entries: readonly E[]): E[] {
  return sortByClusterName(entries, (entry) => entry.resource.name ?? '');
}

function clusterRow(cluster: Cluster, namePrefix: boolean): string[] {
  const name = cluster.name ?? '';
  const prefixed = `cluster/${name}`;
  const parsed = parseClusterName(name);
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
function discoveryType(cluster: Cluster): string {
  const custom = cluster.cluster_type?.name;
  if (custom) return custom;
  const type = cluster.type;
  if (typeof type === 'number') return DISCOVERY_TYPES[type] ?? String(type);
  return type || 'STATIC';
}
