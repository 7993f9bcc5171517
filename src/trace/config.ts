// What a trace reads from a proxy's config. A walk visits every listener but only one route
// configuration, one cluster and one EDS assignment: on a big saved dump the clusters and EDS
// sections (three quarters of the bytes) are not parsed at all; the one cluster and the one
// assignment the walk asks for are found in the raw bytes and parsed alone.
import { sectionKindOfType } from '../envoy/decode.ts';
import { decodeInput, decodeJson, parseSlices, parseSpan, withoutBom } from '../envoy/input.ts';
import { Byte, JsonSyntaxError } from '../envoy/jsonSyntax.ts';
import type {
  Bootstrap,
  Cluster,
  ClusterLoadAssignment,
  ConfigDump,
  Entry,
  Listener,
  RouteConfiguration,
  ScopedRouteConfigs,
  SectionKind,
} from '../envoy/model.ts';
import { fastSlices, Scanner, skipSpaceBackward, skipSpaceForward, type ConfigSlice } from '../envoy/sections.ts';
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
  return entries.find((e) => (e.state === 'active' || e.state === 'static') && e.resource.name === name) ?? entries.find((e) => e.resource.name === name);
}

/** The sections decoded up front; clusters and endpoints are looked up in the bytes. */
const EAGER: ReadonlySet<SectionKind> = new Set(['listeners', 'routes', 'scopedRoutes', 'bootstrap']);
const LAZY: ReadonlySet<SectionKind> = new Set(['clusters', 'endpoints']);
const TRACED: ReadonlySet<SectionKind> = new Set([...EAGER, ...LAZY]);

/** Below this size one JSON.parse of the whole input is cheaper than slicing it. */
const LAZY_FROM_BYTES = 2 * 1024 * 1024;

/** The repeated fields of the lazy sections, in both JSON spellings. */
const LIST_FIELDS: Record<'clusters' | 'endpoints', string[]> = {
  clusters: ['static_clusters', 'dynamic_active_clusters', 'dynamic_warming_clusters', 'staticClusters', 'dynamicActiveClusters', 'dynamicWarmingClusters'],
  endpoints: ['static_endpoint_configs', 'dynamic_endpoint_configs', 'staticEndpointConfigs', 'dynamicEndpointConfigs'],
};

/** A saved input's config: on a big dump, clusters and EDS are found by name in the raw bytes. */
export function traceConfigFromBytes(input: Buffer, source: string): TraceConfig {
  const bytes = withoutBom(input);
  const split = bytes.length < LAZY_FROM_BYTES ? undefined : splitSections(bytes, source);
  if (!split) return traceConfigOf(dumpOf(decodeInput(bytes, source, { only: TRACED }), source));
  const { dump, lazy: slices } = split;
  // Anything the byte search cannot vouch for is read the ordinary way, once.
  let whole: TraceConfig | undefined;
  const ordinary = (): TraceConfig => (whole ??= traceConfigOf(dumpOf(decodeInput(bytes, source, { only: LAZY }), source)));
  const lookup = <R>(kind: 'clusters' | 'endpoints', name: string, pick: (dump: ConfigDump) => R | undefined, fallback: () => R | undefined): R | undefined => {
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
  return {
    // Listeners, routes and the bootstrap as decoded; clusters and EDS looked up as asked.
    ...traceConfigOf(dump),
    cluster(name) {
      if (!clusters.has(name))
        clusters.set(
          name,
          lookup(
            'clusters',
            name,
            (d) => findByName(d.clusters, name),
            () => ordinary().cluster(name),
          ),
        );
      return clusters.get(name);
    },
    assignment(name) {
      if (!assignments.has(name)) {
        const pick = (d: ConfigDump): ClusterLoadAssignment | undefined => d.endpoints.find((e) => e.resource.cluster_name === name)?.resource;
        assignments.set(
          name,
          lookup('endpoints', name, pick, () => ordinary().assignment(name)),
        );
      }
      return assignments.get(name);
    },
    assignments: () => ordinary().assignments(),
  };
}

/**
 * One native search splits a plain Envoy dump into its sections: the eager ones are parsed (each
 * confirmed by its `@type`, as decodeInput does), the clusters and EDS ones kept as byte spans.
 * Undefined when the dump is not laid out plainly: the caller then decodes the ordinary way.
 */
function splitSections(bytes: Buffer, source: string): { dump: ConfigDump; lazy: LazySlice[] } | undefined {
  try {
    // Clusters and EDS count as shown: they are not skipped but searched, and every element taken
    // from them is parsed and must carry the name asked for; the eager sections are confirmed below.
    const slices = fastSlices(bytes, sectionKindOfType, TRACED);
    const configs = slices && parseSlices(bytes, slices, EAGER, true);
    if (!slices || !configs) return undefined;
    const lazy: LazySlice[] = [];
    for (const slice of slices) {
      const kind = slice.typeUrl === undefined ? undefined : sectionKindOfType(slice.typeUrl);
      if (kind === 'clusters' || kind === 'endpoints') lazy.push({ ...slice, kind });
    }
    return { dump: dumpOf(decodeJson({ configs }, source, EAGER), source), lazy };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return undefined;
    throw error;
  }
}

function dumpOf(decoded: ReturnType<typeof decodeInput>, source: string): ConfigDump {
  if (decoded.kind !== 'config_dump') throw new DataError(source, 'is /clusters output, not a config dump: pc trace needs listeners, routes and clusters');
  return decoded.dump;
}

interface LazySlice extends ConfigSlice {
  kind: 'clusters' | 'endpoints';
}

/**
 * The list elements of a section that hold `name` as a JSON string, found without parsing the
 * section: a native search for the name; then, as every element of a list starts with the same
 * key, a backward search for that key gives the element's start (one element scanned); failing
 * that, the list is scanned from its start up to the element. The caller parses each candidate
 * and keeps it only if the name is its own.
 */
function* elementsNaming(bytes: Buffer, slice: ConfigSlice, fields: string[], name: string): Generator<{ field: string; start: number; end: number }> {
  const needle = Buffer.from(JSON.stringify(name));
  // Searches stay inside the section: a miss must not run on to the end of the file.
  const section = bytes.subarray(slice.start, slice.end);
  const find = (text: string | Buffer, from: number): number => {
    const hit = section.indexOf(text, from - slice.start);
    return hit < 0 ? -1 : hit + slice.start;
  };
  // A miss costs a pass over the section: camelCase spellings are looked for only when no snake_case one is there.
  const spelled = (camel: boolean): { field: string; at: number }[] =>
    fields
      .filter((field) => field.includes('_') !== camel)
      .map((field) => ({ field, at: find(`"${field}"`, slice.start) }))
      .filter(({ at }) => at >= 0);
  const snake = spelled(false);
  const lists = (snake.length > 0 ? snake : spelled(true)).sort((a, b) => a.at - b.at);
  for (let at = find(needle, slice.start); at >= 0; at = find(needle, at + needle.length)) {
    const list = lists.filter((l) => l.at < at).at(-1);
    if (!list) continue;
    const open = find('[', list.at + list.field.length + 2);
    if (open < 0 || open > at) continue;
    const anchor = firstKey(bytes, open, slice.end);
    const keyAt = anchor === undefined ? -1 : bytes.lastIndexOf(anchor, at);
    if (keyAt > open) {
      const start = skipSpaceBackward(bytes, 0, keyAt) - 1;
      const end = bytes[start] === Byte.OpenBrace ? objectEnd(bytes, start, slice.end) : undefined;
      if (end !== undefined && end > at) yield { field: list.field, start, end };
    }
    for (const element of new Scanner(bytes, open, slice.end).members()) {
      if (element.end <= at) continue;
      if (element.start <= at) yield { field: list.field, start: element.start, end: element.end };
      break;
    }
  }
}

/** `"key"` of the first member of the first element of the list at `open`, as bytes. */
function firstKey(bytes: Buffer, open: number, limit: number): Buffer | undefined {
  const brace = skipSpaceForward(bytes, open + 1, limit);
  if (bytes[brace] !== Byte.OpenBrace) return undefined;
  const quote = skipSpaceForward(bytes, brace + 1, limit);
  const close = bytes.indexOf('"', quote + 1);
  return bytes[quote] === Byte.Quote && close > quote && close < limit ? bytes.subarray(quote, close + 1) : undefined;
}

/** The end of the object at `start`: its members scanned, then its closing brace. */
function objectEnd(bytes: Buffer, start: number, limit: number): number | undefined {
  let last = start + 1;
  for (const member of new Scanner(bytes, start, limit).members()) last = member.end;
  const close = skipSpaceForward(bytes, last, limit);
  return bytes[close] === Byte.CloseBrace ? close + 1 : undefined;
}
