// The pure half of `envoyscope pc`: decoded input + request → the text to print.
// It selects what Envoy is serving, filters with plain predicates, sorts, and renders one format.
import { MissingSectionError, UsageError } from '../errors.ts';
import type { DecodedInput } from '../envoy/input.ts';
import type {
  Cluster,
  ClusterLoadAssignment,
  ClusterStatus,
  ConfigDump,
  Entry,
  Listener,
  Obj,
  RouteConfiguration,
  SectionKind,
} from '../envoy/model.ts';
import { toProtoJson } from '../envoy/protojson.ts';
import { matchCluster, type ClusterFilter } from '../filters/cluster.ts';
import { filterClusterLoadAssignments, filterClusterStatuses, type EndpointFilter } from '../filters/endpoint.ts';
import { matchListener, type ListenerFilter } from '../filters/listener.ts';
import { matchRoute, type RouteFilter } from '../filters/route.ts';
import { formatData, protoJsonOf, rawOf, sectionOf, type OutputFormat } from './output.ts';
import { bootstrapSummary } from './views/bootstrap.ts';
import { clusterTable, sortClusters } from './views/cluster.ts';
import { ecdsTable } from './views/ecds.ts';
import { edsTable, hostTable, sortClusterLoadAssignments } from './views/endpoint.ts';
import { listenerTable, sortListeners } from './views/listener.ts';
import { routeTable, sortRoutes } from './views/route.ts';
import { secretTable } from './views/secret.ts';

export const PC_KINDS = ['listener', 'route', 'cluster', 'endpoint', 'eds', 'bootstrap', 'secret', 'ecds', 'all'] as const;
export type PcKind = (typeof PC_KINDS)[number];

export interface PcFilters {
  listener: ListenerFilter;
  route: RouteFilter;
  cluster: ClusterFilter;
  endpoint: EndpointFilter;
}

export interface PcRequest {
  kind: PcKind;
  output: OutputFormat;
  filters: PcFilters;
  /** istioctl's `--verbose` table shape for listeners and routes (MATCH/DESTINATION columns). */
  detailed: boolean;
  withHeaders: boolean;
  /** Names the input in messages. */
  source: string;
  /** For the secret table's VALID CERT column. */
  now: Date;
}

export function emptyFilters(): PcFilters {
  return { listener: {}, route: {}, cluster: {}, endpoint: {} };
}

/** Renders one pc request. Throws MissingSectionError when the input lacks what the command shows. */
export function renderProxyConfig(input: DecodedInput, request: PcRequest): string {
  if (input.kind === 'clusters') {
    if (request.kind !== 'endpoint') {
      throw new UsageError(
        `${request.source} is Envoy's /clusters?format=json output, which only 'pc endpoint' can show; ` +
          `'pc ${request.kind}' needs a /config_dump`,
      );
    }
    return renderHosts(input.clusters.cluster_statuses, request);
  }
  const dump = input.dump;
  switch (request.kind) {
    case 'listener':
      return renderListeners(dump, request, false);
    case 'route':
      return renderRoutes(dump, request, false);
    case 'cluster':
      return renderClusters(dump, request, false);
    case 'endpoint':
    case 'eds':
      return renderEndpoints(dump, request, false);
    case 'bootstrap':
      return renderBootstrap(dump, request);
    case 'secret':
      return renderSecrets(dump, request, false);
    case 'ecds':
      return renderEcds(dump, request);
    case 'all':
      return renderAll(input, request);
  }
}

function requireSection(dump: ConfigDump, kind: SectionKind, request: PcRequest, hint = ''): void {
  if (!dump.sections.has(kind)) {
    throw new MissingSectionError(request.source, `has no ${SECTION_NAMES[kind]} section${hint}`);
  }
}

const SECTION_NAMES: Record<SectionKind, string> = {
  bootstrap: 'bootstrap (BootstrapConfigDump)',
  clusters: 'clusters (ClustersConfigDump)',
  listeners: 'listeners (ListenersConfigDump)',
  routes: 'routes (RoutesConfigDump)',
  scopedRoutes: 'scoped routes (ScopedRoutesConfigDump)',
  endpoints: 'EDS endpoints (EndpointsConfigDump)',
  secrets: 'secrets (SecretsConfigDump)',
  ecds: 'ECDS filters (EcdsConfigDump)',
};

/** What Envoy serves, in istioctl's order: dynamic (active) resources first, then static ones. */
function serving<R extends Obj>(entries: Entry<R>[]): Entry<R>[] {
  return [...entries.filter((e) => e.state === 'active'), ...entries.filter((e) => e.state === 'static')];
}

function renderData(entries: Entry<Obj>[], request: PcRequest): string {
  const format = request.output as Exclude<OutputFormat, 'short'>;
  return formatData(entries.map(format === 'raw' ? rawOf : protoJsonOf), format);
}

function renderListeners(dump: ConfigDump, request: PcRequest, namePrefix: boolean): string {
  requireSection(dump, 'listeners', request);
  const entries = serving(dump.listeners).filter((e) => matchListener(request.filters.listener, e as Entry<Listener>));
  // istioctl prints listener JSON in dump order and sorts only the table.
  if (request.output !== 'short') return renderData(entries, request);
  return listenerTable(sortListeners(entries), { verbose: request.detailed, namePrefix });
}

function renderRoutes(dump: ConfigDump, request: PcRequest, namePrefix: boolean): string {
  requireSection(dump, 'routes', request);
  const entries = sortRoutes(serving(dump.routes).filter((e) => matchRoute(request.filters.route, e as Entry<RouteConfiguration>)));
  if (request.output !== 'short') return renderData(entries, request);
  return routeTable(entries, { verbose: request.detailed, namePrefix });
}

function renderClusters(dump: ConfigDump, request: PcRequest, namePrefix: boolean): string {
  requireSection(dump, 'clusters', request);
  const entries = sortClusters(serving(dump.clusters).filter((e) => matchCluster(request.filters.cluster, e as Entry<Cluster>)));
  if (request.output !== 'short') return renderData(entries, request);
  return clusterTable(entries, { namePrefix });
}

function renderEndpoints(dump: ConfigDump, request: PcRequest, namePrefix: boolean): string {
  requireSection(
    dump,
    'endpoints',
    request,
    ': save the dump with /config_dump?include_eds, or give Envoy\'s /clusters?format=json output',
  );
  const entries = sortClusterLoadAssignments(
    filterClusterLoadAssignments(serving(dump.endpoints) as Entry<ClusterLoadAssignment>[], request.filters.endpoint),
  );
  if (request.output !== 'short') return renderData(entries, request);
  return edsTable(entries, { namePrefix });
}

function renderHosts(statuses: ClusterStatus[], request: PcRequest): string {
  if (request.output === 'short') return hostTable(statuses, request.filters.endpoint);
  const matching = filterClusterStatuses(statuses, request.filters.endpoint);
  const format = request.output === 'yaml' ? 'yaml' : 'json';
  const data = request.output === 'raw' ? matching : matching.map((s) => toProtoJson(s, 'envoy.admin.v3.ClusterStatus'));
  return formatData(data, format);
}

function renderBootstrap(dump: ConfigDump, request: PcRequest): string {
  requireSection(dump, 'bootstrap', request);
  const bootstrap = dump.bootstrap;
  if (request.output === 'short') return bootstrap ? bootstrapSummary(bootstrap) : '';
  const section: Obj = bootstrap ? { ...bootstrap.wrapper, bootstrap: bootstrap.resource } : {};
  return renderSection(section, 'envoy.admin.v3.BootstrapConfigDump', request);
}

function renderSecrets(dump: ConfigDump, request: PcRequest, namePrefix: boolean): string {
  requireSection(dump, 'secrets', request);
  if (request.output === 'short') return secretTable(dump.secrets, { namePrefix, now: request.now });
  const byState = (state: string): Entry<Obj>[] => dump.secrets.filter((e) => e.state === state);
  const section = sectionOf(
    { static_secrets: byState('static'), dynamic_active_secrets: byState('active'), dynamic_warming_secrets: byState('warming') },
    'secret',
  );
  return renderSection(section, 'envoy.admin.v3.SecretsConfigDump', request);
}

function renderEcds(dump: ConfigDump, request: PcRequest): string {
  requireSection(dump, 'ecds', request);
  if (request.output === 'short') return ecdsTable(dump.ecds);
  return renderSection(sectionOf({ ecds_filters: dump.ecds }, 'ecds_filter'), 'envoy.admin.v3.EcdsConfigDump', request);
}

/** bootstrap, secret and ecds print their whole admin section, as istioctl does. */
function renderSection(section: Obj, messageType: string, request: PcRequest): string {
  const format = request.output as Exclude<OutputFormat, 'short'>;
  return formatData(format === 'raw' ? section : toProtoJson(section, messageType), format);
}

const ALL_SECTIONS: { kind: SectionKind; header: string; render: (dump: ConfigDump, request: PcRequest) => string }[] = [
  { kind: 'bootstrap', header: 'BOOTSTRAP INFO', render: (dump) => (dump.bootstrap ? bootstrapSummary(dump.bootstrap) : '') },
  { kind: 'clusters', header: 'CLUSTER INFO', render: (dump, request) => renderClusters(dump, request, true) },
  { kind: 'listeners', header: 'LISTENER INFO', render: (dump, request) => renderListeners(dump, request, true) },
  { kind: 'routes', header: 'ROUTE INFO', render: (dump, request) => renderRoutes(dump, request, true) },
  { kind: 'secrets', header: 'SECRET INFO', render: (dump, request) => renderSecrets(dump, request, true) },
  { kind: 'endpoints', header: 'ENDPOINTS INFO', render: (dump, request) => renderEndpoints(dump, request, true) },
];

/**
 * `pc all`: every section as a table, separated by blank lines (istioctl's layout). Sections the
 * input lacks are left out rather than failing the whole command; the caller notes them on stderr.
 * `-o json|yaml` print the whole input, as istioctl does, so its jq recipes keep working.
 */
function renderAll(input: Extract<DecodedInput, { kind: 'config_dump' }>, request: PcRequest): string {
  if (request.output !== 'short') {
    return formatData(input.json, request.output === 'yaml' ? 'yaml' : 'json');
  }
  const parts: string[] = [];
  for (const section of ALL_SECTIONS) {
    if (!input.dump.sections.has(section.kind)) continue;
    const header = request.withHeaders ? `------ ${section.header} ------\n\n` : '';
    parts.push(header + section.render(input.dump, request));
  }
  return parts.join('\n');
}

/** Sections `pc all` shows that this input lacks, for a note on stderr. */
export function missingAllSections(input: DecodedInput): string[] {
  if (input.kind !== 'config_dump') return [];
  return ALL_SECTIONS.filter((s) => !input.dump.sections.has(s.kind)).map((s) => SECTION_NAMES[s.kind]);
}
