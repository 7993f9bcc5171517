// The pure half of `envoyscope pc`: decoded input + request → the text to print.
// It selects what Envoy is serving, filters with plain predicates, sorts, and renders one format.
import { MissingSectionError, UsageError } from '../errors.ts';
import type { DecodedInput } from '../envoy/input.ts';
import type { Cluster, ClusterLoadAssignment, ClusterStatus, ConfigDump, Entry, Listener, Obj, RouteConfiguration, SectionKind } from '../envoy/model.ts';
import { toProtoJson } from '../envoy/protojson.ts';
import { matchCluster, matchClusterName, type ClusterFilter } from '../filters/cluster.ts';
import { filterClusterLoadAssignments, filterClusterStatuses, type EndpointFilter } from '../filters/endpoint.ts';
import { matchListener, type ListenerFilter } from '../filters/listener.ts';
import { matchRoute, type RouteFilter } from '../filters/route.ts';
import { boxedTable } from './boxed.ts';
import { formatData, isTabular, protoJsonOf, rawOf, sectionOf, type OutputFormat } from './output.ts';
import { jsonChunks, yamlChunks } from './stream.ts';
import { renderTable, type Table } from './tabwriter.ts';
import { bootstrapSummary } from './views/bootstrap.ts';
import { clusterTable, sortClusters } from './views/cluster.ts';
import { ecdsTable } from './views/ecds.ts';
import { edsTable, hostTable, sortClusterLoadAssignments } from './views/endpoint.ts';
import { listenerTable, sortListeners } from './views/listener.ts';
import { waypointListenerTable } from './views/waypointListener.ts';
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
  /** Listeners as a waypoint's chains: the filter_chain_matcher path to each chain (waypoint pods, --chains). */
  chains?: boolean;
}

/**
 * What a command shows, before it becomes text: multi-pod output (-l) merges tables under a POD
 * column and data under pod keys, so layout happens last.
 */
export type Rendered = { kind: 'table'; table: Table } | { kind: 'text'; text: string } | { kind: 'data'; value: unknown; format: 'json' | 'yaml' };

/** Renders one pc request. Throws MissingSectionError when the input lacks what the command shows. */
export function renderProxyConfig(input: DecodedInput, request: PcRequest): Rendered {
  if (input.kind === 'clusters') {
    if (request.kind !== 'endpoint') {
      throw new UsageError(
        `${request.source} is Envoy's /clusters?format=json output, which only 'pc endpoint' can show; ` + `'pc ${request.kind}' needs a /config_dump`,
      );
    }
    return renderHosts(input.clusters.cluster_statuses, request, input.eds);
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

function dataFormat(request: PcRequest): 'json' | 'yaml' {
  return request.output === 'yaml' ? 'yaml' : 'json';
}

function renderData(entries: Entry<Obj>[], request: PcRequest): Rendered {
  return { kind: 'data', value: entries.map(request.output === 'raw' ? rawOf : protoJsonOf), format: dataFormat(request) };
}

function table(table: Table): Rendered {
  return { kind: 'table', table };
}

function renderListeners(dump: ConfigDump, request: PcRequest, namePrefix: boolean): Rendered {
  requireSection(dump, 'listeners', request);
  const entries = serving(dump.listeners).filter((e) => matchListener(request.filters.listener, e as Entry<Listener>));
  // istioctl prints listener JSON in dump order and sorts only the table.
  if (!isTabular(request.output)) return renderData(entries, request);
  if (request.chains && !namePrefix) return table(waypointListenerTable(sortListeners(entries)));
  return table(listenerTable(sortListeners(entries), { verbose: request.detailed, namePrefix, wide: request.output === 'wide' }));
}

function renderRoutes(dump: ConfigDump, request: PcRequest, namePrefix: boolean): Rendered {
  requireSection(dump, 'routes', request);
  const entries = sortRoutes(serving(dump.routes).filter((e) => matchRoute(request.filters.route, e as Entry<RouteConfiguration>)));
  if (!isTabular(request.output)) return renderData(entries, request);
  return table(routeTable(entries, { verbose: request.detailed, namePrefix, wide: request.output === 'wide' }));
}

function renderClusters(dump: ConfigDump, request: PcRequest, namePrefix: boolean): Rendered {
  requireSection(dump, 'clusters', request);
  const entries = serving(dump.clusters).filter((e) => matchCluster(request.filters.cluster, e as Entry<Cluster>));
  // The table sorts its rows itself.
  if (!isTabular(request.output)) return renderData(sortClusters(entries), request);
  if (request.output !== 'wide') return table(clusterTable(entries, { namePrefix }));
  const endpoints = dump.sections.has('endpoints') ? (serving(dump.endpoints) as Entry<ClusterLoadAssignment>[]) : undefined;
  return table(clusterTable(entries, { namePrefix, wide: { endpoints } }));
}

function renderEndpoints(dump: ConfigDump, request: PcRequest, namePrefix: boolean): Rendered {
  requireSection(dump, 'endpoints', request, ": save the dump with /config_dump?include_eds, or give Envoy's /clusters?format=json output");
  // In `pc all`, the cluster flags also pick the endpoints of the clusters they pick (not --port,
  // which already means the endpoint's own port there).
  const { port: _endpointPort, ...clusterFields } = request.filters.cluster;
  const service: ClusterFilter = namePrefix ? clusterFields : {};
  const entries = filterClusterLoadAssignments(serving(dump.endpoints) as Entry<ClusterLoadAssignment>[], request.filters.endpoint).filter((entry) =>
    matchClusterName(service, entry.resource.cluster_name ?? ''),
  );
  // The table sorts its rows itself.
  if (!isTabular(request.output)) return renderData(sortClusterLoadAssignments(entries), request);
  return table(edsTable(entries, { namePrefix, wide: request.output === 'wide' }));
}

function renderHosts(statuses: ClusterStatus[], request: PcRequest, eds: Entry<ClusterLoadAssignment>[] | undefined): Rendered {
  if (isTabular(request.output)) {
    return table(hostTable(statuses, request.filters.endpoint, { wide: request.output === 'wide', ...(eds ? { eds } : {}) }));
  }
  const matching = filterClusterStatuses(statuses, request.filters.endpoint);
  const value = request.output === 'raw' ? matching : matching.map((s) => toProtoJson(s, 'envoy.admin.v3.ClusterStatus'));
  return { kind: 'data', value, format: dataFormat(request) };
}

function renderBootstrap(dump: ConfigDump, request: PcRequest): Rendered {
  requireSection(dump, 'bootstrap', request);
  const bootstrap = dump.bootstrap;
  if (!bootstrap) throw new MissingSectionError(request.source, `has a ${SECTION_NAMES.bootstrap} section without a usable bootstrap object`);
  if (isTabular(request.output)) return { kind: 'text', text: bootstrapSummary(bootstrap) };
  return renderSection({ ...bootstrap.wrapper, bootstrap: bootstrap.resource }, 'envoy.admin.v3.BootstrapConfigDump', request);
}

function renderSecrets(dump: ConfigDump, request: PcRequest, namePrefix: boolean): Rendered {
  requireSection(dump, 'secrets', request);
  if (isTabular(request.output)) {
    const shown = secretTable(dump.secrets, { namePrefix, now: request.now });
    return typeof shown === 'string' ? { kind: 'text', text: shown } : table(shown);
  }
  const byState = (state: string): Entry<Obj>[] => dump.secrets.filter((e) => e.state === state);
  const section = sectionOf(
    { static_secrets: byState('static'), dynamic_active_secrets: byState('active'), dynamic_warming_secrets: byState('warming') },
    'secret',
  );
  return renderSection(section, 'envoy.admin.v3.SecretsConfigDump', request);
}

function renderEcds(dump: ConfigDump, request: PcRequest): Rendered {
  requireSection(dump, 'ecds', request);
  if (isTabular(request.output)) return table(ecdsTable(dump.ecds));
  return renderSection(sectionOf({ ecds_filters: dump.ecds }, 'ecds_filter'), 'envoy.admin.v3.EcdsConfigDump', request);
}

/** bootstrap, secret and ecds print their whole admin section, as istioctl does. */
function renderSection(section: Obj, messageType: string, request: PcRequest): Rendered {
  const value = request.output === 'raw' ? section : toProtoJson(section, messageType);
  return { kind: 'data', value, format: dataFormat(request) };
}

const ALL_SECTIONS: { kind: SectionKind; header: string; render: (dump: ConfigDump, request: PcRequest) => Rendered }[] = [
  { kind: 'bootstrap', header: 'BOOTSTRAP INFO', render: (dump) => ({ kind: 'text', text: dump.bootstrap ? bootstrapSummary(dump.bootstrap) : '' }) },
  { kind: 'clusters', header: 'CLUSTER INFO', render: (dump, request) => renderClusters(dump, request, true) },
  { kind: 'listeners', header: 'LISTENER INFO', render: (dump, request) => renderListeners(dump, request, true) },
  { kind: 'routes', header: 'ROUTE INFO', render: (dump, request) => renderRoutes(dump, request, true) },
  { kind: 'secrets', header: 'SECRET INFO', render: (dump, request) => renderSecrets(dump, request, true) },
  { kind: 'endpoints', header: 'ENDPOINTS INFO', render: (dump, request) => renderEndpoints(dump, request, true) },
];

/** The dump sections each command shows: decoding can skip the rest. */
export const SECTIONS_SHOWN: Record<PcKind, ReadonlySet<SectionKind>> = {
  listener: new Set(['listeners']),
  route: new Set(['routes']),
  cluster: new Set(['clusters']),
  endpoint: new Set(['endpoints']),
  eds: new Set(['endpoints']),
  bootstrap: new Set(['bootstrap']),
  secret: new Set(['secrets']),
  ecds: new Set(['ecds']),
  all: new Set(ALL_SECTIONS.map((section) => section.kind)),
};

/**
 * The sections to decode for a command and output: everything for `pc all -o json|yaml` (it prints
 * the whole input), the EDS endpoints too for `pc cluster -o wide` (its endpoint counts).
 */
export function sectionsToDecode(kind: PcKind, output: OutputFormat): ReadonlySet<SectionKind> | undefined {
  if (kind === 'all' && !isTabular(output)) return undefined;
  if (kind === 'cluster' && output === 'wide') return new Set<SectionKind>(['clusters', 'endpoints']);
  return SECTIONS_SHOWN[kind];
}

/**
 * `pc all`: every section as a table, separated by blank lines (istioctl's layout). Sections the
 * input lacks are left out rather than failing the whole command; the caller notes them on stderr.
 * `-o json|yaml` print the whole input, as istioctl does, so its jq recipes keep working.
 */
function renderAll(input: Extract<DecodedInput, { kind: 'config_dump' }>, request: PcRequest): Rendered {
  if (!isTabular(request.output)) return { kind: 'data', value: input.json, format: dataFormat(request) };
  if (!ALL_SECTIONS.some((section) => input.dump.sections.has(section.kind))) {
    throw new MissingSectionError(request.source, `has none of the sections 'pc all' shows (${ALL_SECTIONS.map((s) => s.kind).join(', ')})`);
  }
  const parts: string[] = [];
  for (const section of ALL_SECTIONS) {
    if (!input.dump.sections.has(section.kind)) continue;
    const header = request.withHeaders ? `------ ${section.header} ------\n\n` : '';
    parts.push(header + formatRendered(section.render(input.dump, request), layoutOf(request.output)));
  }
  return { kind: 'text', text: parts.join('\n') };
}

/** The sections of `pc all` each filter flag narrows; every other section is shown whole. */
const ALL_FILTERED_SECTIONS: Record<string, readonly SectionKind[]> = {
  '--address': ['listeners', 'endpoints'],
  '--port': ['clusters', 'listeners', 'routes', 'endpoints'],
  '--type': ['listeners'],
  '--name': ['routes'],
  '--fqdn': ['clusters', 'endpoints'],
  '--subset': ['clusters', 'endpoints'],
  '--direction': ['clusters', 'endpoints'],
  '--cluster': ['endpoints'],
  '--status': ['endpoints'],
};

/**
 * `pc all` notes on stderr: which sections each given filter narrows (a reader must not take an
 * unfiltered section for a filtered one), or, for -o json/yaml (the whole dump), that none apply.
 */
export function allFilterNotes(flags: readonly string[], output: OutputFormat): string[] {
  if (flags.length === 0) return [];
  if (!isTabular(output)) return [`pc all -o ${output} prints the whole dump; ${flags.join(', ')} not applied`];
  return flags.map((flag) => {
    const sections = ALL_FILTERED_SECTIONS[flag] ?? [];
    return `${flag} filters only the ${sections.join(', ')} section${sections.length === 1 ? '' : 's'}; the others are shown whole`;
  });
}

/** Sections `pc all` shows that this input lacks, for a note on stderr. */
export function missingAllSections(input: DecodedInput): string[] {
  if (input.kind !== 'config_dump') return [];
  return ALL_SECTIONS.filter((s) => !input.dump.sections.has(s.kind)).map((s) => SECTION_NAMES[s.kind]);
}

/**
 * How tables are laid out: istioctl's tabwriter columns (`-o short`, byte for byte, so trailing
 * spaces included), the same columns without trailing spaces (`-o wide`, envoyscope's own), or
 * boxes (`-o table`).
 */
export type TableLayout = 'columns' | 'trimmed-columns' | 'boxes';

export function layoutOf(output: OutputFormat): TableLayout {
  return output === 'table' ? 'boxes' : output === 'wide' ? 'trimmed-columns' : 'columns';
}

/** The text of `rendered` in pieces: data is written one resource at a time, at any size. */
export function renderedChunks(rendered: Rendered, layout: TableLayout = 'columns'): Iterable<string> {
  if (rendered.kind !== 'data') return [formatRendered(rendered, layout)];
  return rendered.format === 'yaml' ? yamlChunks(rendered.value) : jsonChunks(rendered.value);
}

export function formatRendered(rendered: Rendered, layout: TableLayout = 'columns'): string {
  switch (rendered.kind) {
    case 'table':
      if (layout === 'boxes') return boxedTable(rendered.table);
      return layout === 'trimmed-columns' ? renderTable(rendered.table).replace(/ +$/gm, '') : renderTable(rendered.table);
    case 'text':
      return rendered.text;
    case 'data':
      return formatData(rendered.value, rendered.format);
  }
}

/**
 * Several pods' results (`-l`) as one output: tables share one header with a leading POD column,
 * data becomes one document keyed by pod, and text (bootstrap summary, `all`) is printed per pod
 * under a `--- <pod> ---` line.
 */
export function formatRenderedForPods(results: readonly { pod: string; rendered: Rendered }[], layout: TableLayout = 'columns'): string {
  const first = results[0]?.rendered;
  if (!first) return '';
  if (first.kind === 'data') {
    const value = Object.fromEntries(results.map(({ pod, rendered }) => [pod, rendered.kind === 'data' ? rendered.value : undefined]));
    return formatData(value, first.format);
  }
  if (results.every((r) => r.rendered.kind === 'table')) {
    const tables = results.map(({ pod, rendered }) => ({ pod, table: (rendered as { table: Table }).table }));
    const [header = []] = tables[0]?.table.rows ?? [];
    const rows = [['POD', ...header], ...tables.flatMap(({ pod, table }) => table.rows.slice(1).map((row) => [pod, ...row]))];
    return formatRendered({ kind: 'table', table: { rows, padding: tables[0]?.table.padding ?? 1 } }, layout);
  }
  return results.map(({ pod, rendered }) => `--- ${pod} ---\n${formatRendered(rendered, layout)}`).join('\n');
}
