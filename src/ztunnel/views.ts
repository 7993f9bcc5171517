// The `zc` tables, with istioctl's columns, order and tabwriter padding
// (istioctl/pkg/writer/ztunnel/configdump). Pure: models and filters in, rows out.
import { hostPort } from '../util/hostPort.ts';
import type { Table } from '../render/tabwriter.ts';
import { compareGoStrings } from '../util/goString.ts';
import { matchNamespace, matchWorkload, matchWorkloadState, type ConnectionsFilter, type NamespaceFilter, type WorkloadFilter } from './filters.ts';
import type { ZCert, ZCertificate, ZPolicy, ZService, ZtunnelDump, ZWorkload, ZWorkloadState } from './model.ts';

/** Sorts by the keys in turn (Go string order), computing each item's keys once. */
function sortedBy<T>(items: readonly T[], ...keys: ((item: T) => string)[]): T[] {
  return items
    .map((item) => ({ item, values: keys.map((key) => key(item)) }))
    .sort((a, b) => {
      for (let i = 0; i < a.values.length; i++) {
        const order = compareGoStrings(a.values[i] ?? '', b.values[i] ?? '');
        if (order !== 0) return order;
      }
      return 0;
    })
    .map(({ item }) => item);
}

/** `network/ip` → `ip`. */
const ipOf = (networkAddress: string): string => networkAddress.slice(networkAddress.indexOf('/') + 1);

export function selectWorkloads(dump: ZtunnelDump, filter: WorkloadFilter): ZWorkload[] {
  return dump.workloads.filter((w) => matchWorkload(filter, w));
}

export function selectServices(dump: ZtunnelDump, filter: NamespaceFilter): ZService[] {
  return sortedBy(
    dump.services.filter((s) => matchNamespace(filter, s)),
    (s) => s.namespace,
    (s) => s.name,
    (s) => s.hostname,
  );
}

export function selectPolicies(dump: ZtunnelDump, filter: NamespaceFilter): ZPolicy[] {
  return sortedBy(
    dump.policies.filter((p) => matchNamespace(filter, p)),
    (p) => p.namespace,
    (p) => p.name,
  );
}

export function selectWorkloadStates(dump: ZtunnelDump, filter: ConnectionsFilter): ZWorkloadState[] {
  return sortedBy(
    dump.workloadStates.filter((s) => matchWorkloadState(filter, s)),
    (s) => s.namespace,
    (s) => s.name,
  );
}

/**
 * Names the service a waypoint destination (`namespace/hostname` or `network/ip`) designates: the
 * first service (in dump order) with that hostname or VIP, `NA` when none, `None` without a waypoint.
 */
export function waypointNamer(services: readonly ZService[]): (destination: string | undefined) => string {
  const byKey = new Map<string, string>();
  for (const s of services) {
    for (const key of [`${s.namespace}/${s.hostname}`, ...s.vips]) if (!byKey.has(key)) byKey.set(key, s.name);
  }
  return (destination) => (destination === undefined ? 'None' : (byKey.get(destination) ?? 'NA'));
}

export function workloadTable(dump: ZtunnelDump, filter: WorkloadFilter): Table {
  const workloads = sortedBy(
    selectWorkloads(dump, filter),
    (w) => `${w.namespace}.${w.name}`,
    (w) => w.node,
  );
  const waypointName = waypointNamer(dump.services);
  const rows = workloads.map((w) => [
    w.namespace,
    w.name,
    w.workloadIps.length > 0 ? w.workloadIps.join(',') : w.hostname,
    w.node,
    waypointName(w.waypoint),
    w.protocol,
  ]);
  return { rows: [['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ...rows], padding: 1 };
}

export function serviceTable(dump: ZtunnelDump, filter: NamespaceFilter): Table {
  const statusByUid = new Map(dump.workloads.map((w) => [w.uid, w.status]));
  const waypointName = waypointNamer(dump.services);
  const rows = selectServices(dump, filter).map((s) => {
    const healthy = s.endpointWorkloadUids.filter((uid) => statusByUid.get(uid) === 'Healthy').length;
    return [s.namespace, s.name, s.vips.map(ipOf).join(','), waypointName(s.waypoint), `${healthy}/${s.endpointWorkloadUids.length}`];
  });
  return { rows: [['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ...rows], padding: 1 };
}

export function policyTable(dump: ZtunnelDump, filter: NamespaceFilter): Table {
  const rows = selectPolicies(dump, filter).map((p) => [p.namespace, p.name, p.action, p.scope]);
  return { rows: [['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE'], ...rows], padding: 1 };
}

/** Go's `%x` of a decimal serial number parsed as a big.Int. */
function serialHex(serial: string): string {
  return /^\d+$/.test(serial) ? BigInt(serial).toString(16) : serial;
}

/** Is `now` strictly between the certificate's validity bounds? Unparsable bounds read as invalid. */
function certValid(cert: ZCert, now: Date): boolean {
  const from = Date.parse(cert.validFrom);
  const until = Date.parse(cert.expirationTime);
  if (Number.isNaN(from) || Number.isNaN(until)) return false;
  return now.getTime() > from && now.getTime() < until;
}

const orNA = (value: string): string => (value === '' ? 'NA' : value);

function certificateRows(certificate: ZCertificate, now: Date): string[][] {
  const state = certificate.state.includes('Unavailable') ? 'Unavailable' : certificate.state;
  const row = (type: string, cert: ZCert) => [
    certificate.identity,
    type,
    state,
    String(certValid(cert, now)),
    serialHex(cert.serialNumber),
    orNA(cert.expirationTime),
    orNA(cert.validFrom),
  ];
  if (certificate.certChain.length === 0) return [[certificate.identity, 'NA', state, 'false', 'NA', 'NA', 'NA']];
  // Before rootCerts existed, the chain ended with the root.
  const rootInChain = (certificate.rootCerts ?? []).length === 0;
  const last = certificate.certChain.length - 1;
  return [
    ...certificate.certChain.map((cert, i) => row(i === 0 ? 'Leaf' : i === last && rootInChain ? 'Root' : 'Intermediate', cert)),
    ...(certificate.rootCerts ?? []).map((cert) => row('Root', cert)),
  ];
}

/** One row per certificate of each identity, in dump order; an identity without certificates gets one NA row. */
export function certificateTable(dump: ZtunnelDump, now: Date): Table {
  const rows = dump.certificates.flatMap((c) => certificateRows(c, now));
  return { rows: [['CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'], ...rows], padding: 5 };
}

/** Go's net.SplitHostPort, enough for `ip:port` and `[ipv6]:port`. */
function splitHostPort(address: string): { host: string; port: string } | undefined {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(address);
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] ?? '' };
  const colon = address.lastIndexOf(':');
  if (colon < 0 || address.indexOf(':') !== colon) return undefined;
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}

/** Names for the IPs a connection table shows: a service's hostname, else a workload's `name.namespace`. */
function addressNamer(dump: ZtunnelDump, raw: boolean): (address: string) => string {
  if (raw) return (address) => address;
  const services = new Map(dump.services.map((s) => [s.vips[0] === undefined ? 'None' : ipOf(s.vips[0]), s.hostname]));
  const workloads = new Map(dump.workloads.map((w) => [w.workloadIps[0] ?? 'None', `${w.name}.${w.namespace}`]));
  return (address) => {
    const parts = splitHostPort(address);
    if (!parts) return address;
    const name = services.get(parts.host) ?? workloads.get(parts.host);
    return name === undefined ? address : hostPort(name, parts.port);
  };
}

export function connectionsTable(dump: ZtunnelDump, filter: ConnectionsFilter): Table {
  const name = addressNamer(dump, filter.raw === true);
  const rows = selectWorkloadStates(dump, filter).flatMap((state) => {
    const workload = `${state.name}.${state.namespace}`;
    return [
      ...(filter.direction === 'outbound' ? [] : state.inbound.map((c) => [workload, 'Inbound', name(c.actualDst), name(c.src), c.originalDst, c.protocol])),
      ...(filter.direction === 'inbound'
        ? []
        : state.outbound.map((c) => [workload, 'Outbound', name(c.src), name(c.actualDst), name(c.originalDst), c.protocol])),
    ];
  });
  return { rows: [['WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE', 'REMOTE TARGET', 'PROTOCOL'], ...rows], padding: 1 };
}
