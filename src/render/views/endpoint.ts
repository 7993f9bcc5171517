// Endpoint tables. Two inputs, two shapes, as in istioctl: live hosts from `/clusters?format=json`
// (`endpoint`, with outlier-detection state) and the EDS section of a config dump (`eds` and `all`,
// with locality). Both padded 5.
import { sortByClusterName } from '../../envoy/clusterName.ts';
import { compareGoStrings } from '../../util/goString.ts';
import type { Address, ClusterLoadAssignment, ClusterStatus, Entry, LbEndpoint, Locality } from '../../envoy/model.ts';
import { healthStatusName, internalAddressText, lbEndpointAddresses, matchHost, type EndpointFilter } from '../../filters/endpoint.ts';
import type { Table } from '../tabwriter.ts';
import { endpointWorkload, NONE } from './wide.ts';

const PADDING = 5;

interface HostRow {
  address: string;
  port: number;
  cluster: string;
  cells: string[];
}

/** `ENDPOINT STATUS OUTLIER CHECK CLUSTER`: one row per matching (cluster, host), by address, port, cluster. */
export function hostTable(statuses: readonly ClusterStatus[], filter: EndpointFilter, options: HostTableOptions = {}): Table {
  const rows: HostRow[] = [];
  const lbEndpoints = options.wide ? lbEndpointsByHost(options.eds ?? []) : new Map<string, LbEndpoint>();
  for (const status of statuses) {
    const cluster = status.name ?? '';
    const edsName = status.eds_service_name ?? cluster;
    for (const host of status.host_statuses ?? []) {
      if (!matchHost(filter, cluster, host)) continue;
      const address = hostAddressText(host.address);
      const port = host.address?.socket_address?.port_value ?? 0;
      const health = host.health_status;
      rows.push({
        address,
        port,
        cluster,
        cells: [
          port === 0 ? address : `${address}:${port}`,
          healthStatusName(health?.eds_health_status),
          health?.failed_outlier_check ? 'FAILED' : 'OK',
          cluster,
          ...(options.wide
            ? [localityText(host.locality) || NONE, String(host.weight ?? 1), ...workloadCells(lbEndpoints.get(hostKey(edsName, host.address)))]
            : []),
        ],
      });
    }
  }
  // Plain string order, as istioctl: `172.17.0.4` sorts after `172.17.0.27`.
  rows.sort((a, b) => compareGoStrings(a.address, b.address) || a.port - b.port || compareGoStrings(a.cluster, b.cluster));
  const header = ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER', ...(options.wide ? WIDE_COLUMNS : [])];
  return { rows: [header, ...rows.map((row) => row.cells)], padding: PADDING };
}

/**
 * `NAME STATUS LOCALITY CLUSTER`: one row per lb_endpoint, assignments in istioctl's cluster order.
 * Filter first with filterClusterLoadAssignments. `namePrefix` is `all` mode (`endpoint/<address>`).
 */
export function edsTable(clas: readonly Entry<ClusterLoadAssignment>[], options: { namePrefix: boolean; wide?: boolean }): Table {
  const rows = sortClusterLoadAssignments(clas).flatMap(({ resource: cla }) =>
    (cla.endpoints ?? []).flatMap((locality) =>
      (locality.lb_endpoints ?? []).map((lbEndpoint) => {
        const name = lbEndpointAddresses(lbEndpoint).map(edsAddressText).join(',') || 'unknown';
        const row = [
          options.namePrefix ? `endpoint/${name}` : name,
          healthStatusName(lbEndpoint.health_status),
          localityText(locality.locality),
          cla.cluster_name ?? '',
        ];
        if (!options.wide) return row;
        const weight = String(lbEndpoint.load_balancing_weight ?? 1);
        const localityWeight = locality.load_balancing_weight === undefined ? '' : ` (locality ${locality.load_balancing_weight})`;
        // A config dump knows nothing of outlier detection, which only /clusters reports.
        return [...row, NONE, `${weight}${localityWeight}`, ...workloadCells(lbEndpoint)];
      }),
    ),
  );
  const header = ['NAME', 'STATUS', 'LOCALITY', 'CLUSTER', ...(options.wide ? ['OUTLIER CHECK', 'WEIGHT', 'WORKLOAD', 'VERSION'] : [])];
  return { rows: [header, ...rows], padding: PADDING };
}

export interface HostTableOptions {
  wide?: boolean;
  /**
   * The proxy's EDS assignments: /clusters does not carry Istio's workload metadata, so WORKLOAD and
   * VERSION come from there (`-` without them).
   */
  eds?: readonly Entry<ClusterLoadAssignment>[];
}

/** `<EDS name> <ip>:<port>`: how a /clusters host and an EDS lb_endpoint are matched. */
function hostKey(edsName: string, address: Address | undefined): string {
  return `${edsName} ${address ? edsAddressText(address) : ''}`;
}

function lbEndpointsByHost(eds: readonly Entry<ClusterLoadAssignment>[]): Map<string, LbEndpoint> {
  const byHost = new Map<string, LbEndpoint>();
  for (const { resource: cla } of eds) {
    for (const locality of cla.endpoints ?? []) {
      for (const lbEndpoint of locality.lb_endpoints ?? []) {
        const address = lbEndpoint.endpoint?.address;
        if (address) byHost.set(hostKey(cla.cluster_name ?? '', address), lbEndpoint);
      }
    }
  }
  return byHost;
}

function workloadCells(lbEndpoint: LbEndpoint | undefined): string[] {
  if (!lbEndpoint) return [NONE, NONE];
  const { workload, version } = endpointWorkload(lbEndpoint);
  return [workload, version];
}

/** `-o wide` columns of the live view. */
const WIDE_COLUMNS = ['LOCALITY', 'WEIGHT', 'WORKLOAD', 'VERSION'];

/** By parsed cluster_name, the same order as clusters; endpoints inside keep their order. */
export function sortClusterLoadAssignments<E extends Entry<ClusterLoadAssignment>>(entries: readonly E[]): E[] {
  return sortByClusterName(entries, (entry) => entry.resource.cluster_name ?? '');
}

/** `/clusters` spelling: the IP alone (the port is its own sort key), `unix://<path>`, `envoy://<listener>/<id>`. */
function hostAddressText(address: Address | undefined): string {
  if (address?.socket_address) return address.socket_address.address ?? '';
  if (address?.pipe) return `unix://${address.pipe.path ?? ''}`;
  return internalAddressText(address) ?? 'unknown';
}

/** EDS spelling: `ip:port`, the bare pipe path, `envoy://<listener>/<id>`. */
function edsAddressText(address: Address): string {
  const socket = address.socket_address;
  if (socket) return `${socket.address ?? ''}:${socket.port_value ?? 0}`;
  if (address.pipe) return address.pipe.path ?? '';
  return internalAddressText(address) ?? 'unknown';
}

/** `region[/zone[/sub_zone]]`; without a zone the sub-zone is not shown (istio's LocalityToString). */
function localityText(locality: Locality | undefined): string {
  const { region = '', zone = '', sub_zone: subZone = '' } = locality ?? {};
  if (zone === '') return region;
  return subZone === '' ? `${region}/${zone}` : `${region}/${zone}/${subZone}`;
}
