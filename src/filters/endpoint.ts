// `--address`, `--port`, `--cluster`, `--status` for endpoints, both for Envoy's live hosts
// (`/clusters?format=json`) and for the EDS section of a config dump. istioctl takes a bare IP for the
// first and only `ip:port` for the second; here both accept every spelling an operator may paste.
import { createRequire } from 'node:module';
import type { Address, ClusterLoadAssignment, ClusterStatus, Entry, HostStatus, LbEndpoint } from '../envoy/model.ts';

/** A field that is undefined or empty imposes nothing; an empty filter matches every endpoint. */
export interface EndpointFilter {
  /** `10.0.0.1`, `10.0.0.1:8080`, `[fd00::1]:8080`, `unix:///sock`, `/sock`, `envoy://listener/id`. */
  address?: string;
  port?: number;
  /** Exact cluster name, case-insensitive. */
  cluster?: string;
  /** Health status name (`HEALTHY`, `UNHEALTHY`, …), case-insensitive; a missing status is `UNKNOWN`. */
  status?: string;
}

/** envoy.config.core.v3.HealthStatus, indexed by enum number (JSON may carry either). */
export const HEALTH_STATUS_NAMES = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED'] as const;

export function healthStatusName(status: unknown): string {
  if (typeof status === 'string' && status !== '') return status;
  if (typeof status === 'number') return HEALTH_STATUS_NAMES[status] ?? String(status);
  return 'UNKNOWN';
}

/** A live host from `/clusters?format=json`. */
export function matchHost(filter: EndpointFilter, clusterName: string, host: HostStatus): boolean {
  return matchAddresses(filter, host.address ? [host.address] : []) && matchClusterAndStatus(filter, clusterName, host.health_status?.eds_health_status);
}

/** An lb_endpoint of a ClusterLoadAssignment; it matches through its main or any additional address. */
export function matchLbEndpoint(filter: EndpointFilter, clusterName: string, lbEndpoint: LbEndpoint): boolean {
  return matchAddresses(filter, lbEndpointAddresses(lbEndpoint)) && matchClusterAndStatus(filter, clusterName, lbEndpoint.health_status);
}

/** The endpoint's main address, then its additional addresses. */
export function lbEndpointAddresses(lbEndpoint: LbEndpoint): Address[] {
  const endpoint = lbEndpoint.endpoint;
  const additional = (endpoint?.additional_addresses ?? []).flatMap((extra) => (extra.address ? [extra.address] : []));
  return endpoint?.address ? [endpoint.address, ...additional] : additional;
}

/**
 * istioctl's eds view: lb_endpoints that do not match are removed, assignments left with none are
 * dropped (even with an empty filter), localities left empty are kept. Inputs are not modified.
 */
export function filterClusterLoadAssignments(entries: readonly Entry<ClusterLoadAssignment>[], filter: EndpointFilter): Entry<ClusterLoadAssignment>[] {
  if (Object.values(filter).every((value) => value === undefined || value === '')) {
    // Nothing to remove: skip the copies, which cost real time on meshes of thousands of services.
    return entries.filter((entry) => (entry.resource.endpoints ?? []).some((locality) => (locality.lb_endpoints?.length ?? 0) > 0));
  }
  return entries.flatMap((entry) => {
    const cla = entry.resource;
    const clusterName = cla.cluster_name ?? '';
    let kept = 0;
    const endpoints = (cla.endpoints ?? []).map((locality) => {
      const lbEndpoints = (locality.lb_endpoints ?? []).filter((lb) => matchLbEndpoint(filter, clusterName, lb));
      kept += lbEndpoints.length;
      return { ...locality, lb_endpoints: lbEndpoints };
    });
    return kept === 0 ? [] : [{ ...entry, resource: { ...cla, endpoints } }];
  });
}

/** istioctl's endpoint `-o json`: every cluster with a matching host, with all of its hosts, in order. */
export function filterClusterStatuses(statuses: readonly ClusterStatus[], filter: EndpointFilter): ClusterStatus[] {
  return statuses.filter((status) => (status.host_statuses ?? []).some((host) => matchHost(filter, status.name ?? '', host)));
}

function matchClusterAndStatus(filter: EndpointFilter, clusterName: string, status: unknown): boolean {
  if (filter.cluster && !equalFold(clusterName, filter.cluster)) return false;
  if (filter.status && !equalFold(healthStatusName(status), filter.status)) return false;
  return true;
}

/** `--address` and `--port` must hold for the same address (not one address each). */
function matchAddresses(filter: EndpointFilter, addresses: readonly Address[]): boolean {
  const { address, port } = filter;
  if (!address && port === undefined) return true;
  const wanted = address ? canonicalAddressText(address) : undefined;
  return addresses.some(
    (candidate) =>
      (port === undefined || candidate.socket_address?.port_value === port) && (wanted === undefined || addressSpellings(candidate).includes(wanted)),
  );
}

/** Every way an operator may write this address, in canonical form. */
function addressSpellings(address: Address): string[] {
  const socket = address.socket_address;
  if (socket) {
    const host = canonicalHost(socket.address ?? '');
    const port = socket.port_value ?? 0;
    return [host, `${isIPv6(host) ? `[${host}]` : host}:${port}`];
  }
  if (address.pipe) {
    const path = (address.pipe.path ?? '').toLowerCase();
    return [path, `unix://${path}`];
  }
  const internal = internalAddressText(address);
  return internal === undefined ? [] : [internal.toLowerCase()];
}

/** `envoy://<server_listener_name>/<endpoint_id>`, istioctl's spelling of an internal-listener address. */
export function internalAddressText(address: Address | undefined): string | undefined {
  const internal = address?.envoy_internal_address;
  return internal ? `envoy://${internal.server_listener_name ?? ''}/${internal.endpoint_id ?? ''}` : undefined;
}

/** Compared case-insensitively, as istioctl does; IPv6 in its RFC 5952 form, bracketed when a port follows. */
function canonicalAddressText(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (!bracketed) return canonicalHost(text);
  const host = canonicalHost(bracketed[1] ?? '');
  return bracketed[2] === undefined ? host : `[${host}]:${bracketed[2]}`;
}

/** node:net, loaded on first use: commands that filter no endpoint address need not pay for it. */
function isIPv6(text: string): boolean {
  return (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIPv6(text);
}

function canonicalHost(host: string): string {
  // The URL parser compresses zeros and lower-cases (`FD00:0:0::1` → `fd00::1`) but rejects zone IDs (`%eth0`).
  return isIPv6(host) && !host.includes('%') ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : host.toLowerCase();
}

function equalFold(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
