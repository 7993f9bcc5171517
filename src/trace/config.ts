// What a trace reads from a proxy's config. A walk visits every listener but only one route
// configuration, one cluster and one EDS assignment: on a big saved dump the clusters and EDS
// sections (three quarters of the bytes) are not parsed at all; the one cluster and the one
// assignment the walk asks for are found in the raw bytes and parsed alone.
import { sectionKindOfType } from '../envoy/decode.ts';
import { decodeInput, decodeJson, parseSpan } from '../envoy/input.ts';
import { JsonSyntaxError } from '../envoy/jsonSyntax.ts';
import type { Bootstrap, Cluster, ClusterLoadAssignment, ConfigDump, Entry, Listener, RouteConfiguration, ScopedRouteConfigs, SectionKind } from '../envoy/model.ts';
import { fastSlices, Scanner, scanSlices, type ConfigSlice } from '../envoy/sections.ts';
import { DataError } from '../errors.ts';

export interface TraceConfig {
  /** Which sections the input has. */
  sections: ReadonlySet<SectionKind>;
  listeners: readonly Entry<Listener>[];
  routes: readonly Entry<RouteConfiguration>[];
  scopedRoutes: readonly Entry<ScopedRouteConfigs>[];
  bootstrap: Entry<Bootstrap> | undefined;
  /** The cluster of this name (active or static first). */
  cluster(name: string): Entry<Cluster> | undefined;
  /** The EDS assignment of this cluster (service) name. */
  assignment(name: string): ClusterLoadAssignment | undefined;
  /** Every EDS assignment (resolving a host by its endpoints needs them all). */
  assignments(): readonly ClusterLoadAssignment[];
}

/** A decoded dump, searched in memory. */
export function traceConfigOf(dump: ConfigDump): TraceConfig {
  const assignments = dump.endpoints.map((entry) => entry.resource);
  return {
    sections: dump.sections,
    listeners: dump.listeners,
    routes: dump.routes,
    scopedRoutes: dump.scopedRoutes,
    bootstrap: dump.bootstrap,
    cluster: (name) => findByName(dump.clusters, name),
    assignment: (name) => assignments.find((a) => a.cluster_name === name),
    assignments: () => assignments,
  };
}

export function findByName<R extends { name?: string }>(entries: readonly Entry<R>[], name: string): Entry<R> | undefined {
  return (
    entries.find((e) => (e.state === 'active' || e.state === 'static') && e.resource.name === name) ??
    entries.find((e) => e.resource.name === name)
  );
}

/** The sections decoded up front; clusters and endpoints are looked up in the bytes. */
const EAGER: ReadonlySet<SectionKind> = new Set(['listeners', 'routes', 'scopedRoutes', 'bootstrap']);
const LAZY: ReadonlySet<SectionKind> = new Set(['clusters', 'endpoints']);

/** Below this size one JSON.parse of the whole input is cheaper than slicing it. */
const LAZY_FROM_BYTES = 2 * 1024 * 1024;

/** The repeated fields of the lazy sections, in both JSON spellings. */
const LIST_FIELDS: Record<'clusters' | 'endpoints', string[]> = {
  clusters: ['static_clusters', 'dynamic_active_clusters', 'dynamic_warming_clusters', 'staticClusters', 'dynamicActiveClusters', 'dynamicWarmingClusters'],
  endpoints: ['static_endpoint_configs', 'dynamic_endpoint_configs', 'staticEndpointConfigs', 'dynamicEndpointConfigs'],
};

/** A saved input's config: on a big dump, clusters and EDS are found by name in the raw bytes. */
export function traceConfigFromBytes(input: Buffer, source: string): TraceConfig {
  const bytes = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? input.subarray(3) : input;
  if (bytes.length < LAZY_FROM_BYTES) return traceConfigOf(dumpOf(decodeInput(bytes, source, { only: new Set([...EAGER, ...LAZY]) }), source));
  const dump = dumpOf(decodeInput(bytes, source, { only: EAGER }), source);
  const slices = lazySlices(bytes);
  // Anything the byte search cannot vouch for is read the ordinary way, once.
  let whole: TraceConfig | undefined;
  const ordinary = (): TraceConfig => (whole ??= traceConfigOf(dumpOf(decodeInput(bytes, source, { only: LAZY }), source)));
  const lookup = <R>(kind: 'clusters' | 'endpoints', name: string, pick: (dump: ConfigDump) => R | undefined, fallback: () => R | undefined): R | undefined => {
    if (!slices) return fallback();
    try {
      for (const slice of slices.filter((s) => s.kind === kind)) {
        for (const element of elementsNaming(bytes, slice, LIST_FIELDS[kind], name)) {
          const section = { '@type': slice.typeUrl, [element.field]: [parseSpan(bytes, element.start, element.end)] };
          const found = pick(dumpOf(decodeJson({ configs: [section] }, source), source));
          if (found !== undefined) return found;
        }
      }
      return undefined;
    } catch (error) {
      if (error instanceof JsonSyntaxError || error instanceof DataError) return fallback();
      throw error;
    }
  };
  const clusters = new Map<string, Entry<Cluster> | undefined>();
  const assignments = new Map<string, ClusterLoadAssignment | undefined>();
  const sections = new Set(dump.sections);
  for (const slice of slices ?? []) sections.add(slice.kind);
  if (!slices) for (const kind of ordinary().sections) sections.add(kind);
  return {
    sections,
    listeners: dump.listeners,
    routes: dump.routes,
    scopedRoutes: dump.scopedRoutes,
    bootstrap: dump.bootstrap,
    cluster(name) {
      if (!clusters.has(name)) clusters.set(name, lookup('clusters', name, (d) => findByName(d.clusters, name), () => ordinary().cluster(name)));
      return clusters.get(name);
    },
    assignment(name) {
      if (!assignments.has(name)) {
        const pick = (d: ConfigDump): ClusterLoadAssignment | undefined => d.endpoints.find((e) => e.resource.cluster_name === name)?.resource;
        assignments.set(name, lookup('endpoints', name, pick, () => ordinary().assignment(name)));
      }
      return assignments.get(name);
    },
    assignments: () => ordinary().assignments(),
  };
}

function dumpOf(decoded: ReturnType<typeof decodeInput>, source: string): ConfigDump {
  if (decoded.kind !== 'config_dump') throw new DataError(source, 'is /clusters output, not a config dump: pc trace needs listeners, routes and clusters');
  return decoded.dump;
}

interface LazySlice extends ConfigSlice {
  kind: 'clusters' | 'endpoints';
}

/** The clusters and EDS sections' spans, or undefined when the dump is not laid out plainly. */
function lazySlices(bytes: Buffer): LazySlice[] | undefined {
  let slices: ConfigSlice[] | undefined;
  try {
    slices = fastSlices(bytes, sectionKindOfType, EAGER) ?? scanSlices(bytes);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return undefined;
    throw error;
  }
  return slices?.flatMap((slice) => {
    const kind = slice.typeUrl === undefined ? undefined : sectionKindOfType(slice.typeUrl);
    return kind === 'clusters' || kind === 'endpoints' ? [{ ...slice, kind }] : [];
  });
}

/**
 * The list elements of a section that hold `name` as a JSON string, found without parsing the
 * section: a native search for the name, then a scan of the list it falls in, from the list's
 * start up to that element only. The caller parses each and checks the name is its own.
 */
function* elementsNaming(bytes: Buffer, slice: ConfigSlice, fields: string[], name: string): Generator<{ field: string; start: number; end: number }> {
  const needle = Buffer.from(JSON.stringify(name));
  const lists = fields
    .map((field) => ({ field, at: bytes.indexOf(`"${field}"`, slice.start) }))
    .filter(({ at }) => at >= 0 && at < slice.end)
    .sort((a, b) => a.at - b.at);
  let seenUpTo = slice.start;
  for (let at = bytes.indexOf(needle, slice.start); at >= 0 && at < slice.end; at = bytes.indexOf(needle, at + needle.length)) {
    if (at < seenUpTo) continue;
    const list = lists.filter((l) => l.at < at).at(-1);
    if (!list) continue;
    const open = bytes.indexOf('[', list.at + list.field.length + 2);
    if (open < 0 || open > at) continue;
    for (const element of new Scanner(bytes, open, slice.end).members()) {
      if (element.end <= at) continue;
      if (element.start <= at) {
        seenUpTo = element.end;
        yield { field: list.field, start: element.start, end: element.end };
      }
      break;
    }
  }
}
