// The pure half of `envoyscope zc`: a decoded ztunnel dump + request → what to print.
import { isObj, type Obj } from '../envoy/model.ts';
import { formatRendered, type Rendered } from '../render/proxyConfig.ts';
import type { Table } from '../render/tabwriter.ts';
import type { ConnectionsFilter, NamespaceFilter, WorkloadFilter } from './filters.ts';
import type { ZtunnelDump, ZWorkloadState } from './model.ts';
import {
  certificateTable,
  connectionsTable,
  policyTable,
  selectPolicies,
  selectServices,
  selectWorkloads,
  selectWorkloadStates,
  serviceTable,
  workloadTable,
} from './views.ts';

const ZC_KINDS = ['workload', 'service', 'policy', 'certificate', 'connections', 'all'] as const;
export type ZcKind = (typeof ZC_KINDS)[number];

export const ZC_OUTPUTS = ['short', 'table', 'json', 'yaml'] as const;
export type ZcOutput = (typeof ZC_OUTPUTS)[number];

export interface ZcFilters {
  workload: WorkloadFilter;
  service: NamespaceFilter;
  policy: NamespaceFilter;
  connections: ConnectionsFilter;
}

export interface ZcRequest {
  kind: ZcKind;
  output: ZcOutput;
  filters: ZcFilters;
  withHeaders: boolean;
  /** For the certificate table's VALID CERT column. */
  now: Date;
}

/**
 * A workload state as istioctl prints it (its Go struct: fields in its order, absent ones as their
 * zero value), followed by any fields istioctl does not know.
 */
function istioctlWorkloadState(state: ZWorkloadState): Obj {
  const { state: _state, connections: rawConnections, info: rawInfo, ...rest } = state.raw;
  const connections = isObj(rawConnections) ? rawConnections : {};
  const info = isObj(rawInfo) ? rawInfo : {};
  const { inbound: _in, outbound: _out, ...otherConnectionFields } = connections;
  const { name, namespace, trustDomain, serviceAccount, ...otherInfo } = info;
  const connection = ({ raw }: { raw: Obj }): Obj => {
    const { src, originalDst, actualDst, protocol, ...other } = raw;
    return { src: src ?? '', originalDst: originalDst ?? '', actualDst: actualDst ?? '', protocol: protocol ?? '', ...other };
  };
  return {
    ...(state.state === '' ? {} : { state: state.raw['state'] }),
    connections: { inbound: state.inbound.map(connection), outbound: state.outbound.map(connection), ...otherConnectionFields },
    info: { name: name ?? '', namespace: namespace ?? '', trustDomain: trustDomain ?? '', serviceAccount: serviceAccount ?? '', ...otherInfo },
    ...rest,
  };
}

/** The dump's objects for `-o json|yaml`, filtered as the table would be. `all` is the whole dump. */
function dataOf(dump: ZtunnelDump, json: unknown, request: ZcRequest): unknown {
  const { filters } = request;
  switch (request.kind) {
    case 'workload':
      return selectWorkloads(dump, filters.workload).map((w) => w.raw);
    case 'service':
      return selectServices(dump, filters.service).map((s) => s.raw);
    case 'policy':
      return selectPolicies(dump, filters.policy).map((p) => p.raw);
    case 'certificate':
      return dump.certificates.map((c) => c.raw);
    case 'connections':
      return selectWorkloadStates(dump, filters.connections).map(istioctlWorkloadState);
    case 'all':
      return json;
  }
}

function tableOf(dump: ZtunnelDump, request: ZcRequest, kind: Exclude<ZcKind, 'all'>): Table {
  const { filters } = request;
  switch (kind) {
    case 'workload':
      return workloadTable(dump, filters.workload);
    case 'service':
      return serviceTable(dump, filters.service);
    case 'policy':
      return policyTable(dump, filters.policy);
    case 'certificate':
      return certificateTable(dump, request.now);
    case 'connections':
      return connectionsTable(dump, filters.connections);
  }
}

/** `zc all`'s sections, in istioctl's order. Each starts with a blank line (and a header with --with-headers). */
const ALL_SECTIONS: { kind: Exclude<ZcKind, 'all'>; header: string }[] = [
  { kind: 'workload', header: 'WORKLOAD INFO' },
  { kind: 'service', header: 'SERVICE INFO' },
  { kind: 'policy', header: 'POLICY INFO' },
  { kind: 'certificate', header: 'SECRET INFO' },
  { kind: 'connections', header: 'CONNECTIONS INFO' },
];

export function renderZtunnel(dump: ZtunnelDump, json: unknown, request: ZcRequest): Rendered {
  const { output } = request;
  if (output === 'json' || output === 'yaml') return { kind: 'data', value: dataOf(dump, json, request), format: output };
  if (request.kind !== 'all') return { kind: 'table', table: tableOf(dump, request, request.kind) };
  const layout = output === 'table' ? 'boxes' : 'columns';
  const text = ALL_SECTIONS.map(({ kind, header }) => {
    const title = request.withHeaders ? `\n------ ${header} ------\n` : '';
    return `${title}\n${formatRendered({ kind: 'table', table: tableOf(dump, request, kind) }, layout)}`;
  }).join('');
  return { kind: 'text', text };
}
