// What a trace reads from a proxy's config. A walk visits every listener but only one route
// configuration, one cluster and one EDS assignment: on a big saved dump the clusters and EDS
// sections (three quarters of the bytes) are not parsed at all; the one cluster and the one
// assignment the walk asks for are found in the raw bytes and parsed alone.
import { decodeJson, decodeInput } from '../envoy/input.ts';
import type { Bootstrap, Cluster, ClusterLoadAssignment, ConfigDump, Entry, Listener, RouteConfiguration, ScopedRouteConfigs, SectionKind } from '../envoy/model.ts';
import { sectionKindOfType } from '../envoy/decode.ts';
import { elementContaining, sliceConfigs, type ConfigSlice } from '../envoy/sections.ts';
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

/** A saved input's config: clusters and EDS found by name in the raw bytes when the input is big. */
export function traceConfigFromBytes(bytes: Buffer, source: string): TraceConfig {
  const slices = bytes.length >= LAZY_FROM_BYTES ? sliceConfigs(bytes) : undefined;
  if (!slices) {
    const decoded = decodeInput(bytes, source, { only: new Set([...EAGER, ...LAZY]) });
    if (decoded.kind !== 'config_dump') throw notADump(source);
    return traceConfigOf(decoded.dump);
  }
  const kinds = slices.map((slice) => (slice.typeUrl === undefined ? undefined : sectionKindOfType(slice.typeUrl)));
  const eager = slices.filter((_, i) => !LAZY.has(kinds[i] as SectionKind));
  const decoded = decodeJson({ configs: eager.map((slice) => JSON.parse(bytes.toString('utf8', slice.start, slice.end)) as unknown) }, source, EAGER);
  if (decoded.kind !== 'config_dump') throw notADump(source);
  const dump = decoded.dump;
  const sections = new Set(dump.sections);
  for (const kind of kinds) if (kind !== undefined && LAZY.has(kind)) sections.add(kind);
  const lazySlices = (kind: SectionKind): ConfigSlice[] => slices.filter((_, i) => kinds[i] === kind);
  const clusters = new Map<string, Entry<Cluster> | undefined>();
  const assignments = new Map<string, ClusterLoadAssignment | undefined>();
  let all: ClusterLoadAssignment[] | undefined;
  return {
    sections,
    listeners: dump.listeners,
    routes: dump.routes,
    scopedRoutes: dump.scopedRoutes,
    bootstrap: dump.bootstrap,
    cluster(name) {
      if (!clusters.has(name)) {
        const found = findNamed(bytes, source, lazySlices('clusters'), name, (d) => d.clusters);
        clusters.set(name, findByName(found, name));
      }
      return clusters.get(name);
    },
    assignment(name) {
      if (!assignments.has(name)) {
        const found = findNamed(bytes, source, lazySlices('endpoints'), name, (d) => d.endpoints);
        assignments.set(name, found.find((e) => e.resource.cluster_name === name)?.resource);
      }
      return assignments.get(name);
    },
    assignments() {
      all ??= lazySlices('endpoints').flatMap((slice) => decodeSlice(bytes, source, slice).endpoints.map((e) => e.resource));
      return all;
    },
  };
}

/**
 * The resources of the sections in `slices` whose bytes hold `name` as a JSON string: each such
 * element of the section's lists is parsed alone (the caller checks the name is really its own).
 */
function findNamed<R>(bytes: Buffer, source: string, slices: ConfigSlice[], name: string, pick: (dump: ConfigDump) => R[]): R[] {
  const needle = Buffer.from(JSON.stringify(name));
  const found: R[] = [];
  for (const slice of slices) {
    let seenUpTo = slice.start;
    for (let at = bytes.indexOf(needle, slice.start); at >= 0 && at < slice.end; at = bytes.indexOf(needle, at + needle.length)) {
      if (at < seenUpTo) continue;
      const element = elementContaining(bytes, slice.start, at);
      if (!element) continue;
      seenUpTo = element.end;
      const section = { '@type': slice.typeUrl, [element.field]: [JSON.parse(bytes.toString('utf8', element.start, element.end)) as unknown] };
      const decoded = decodeJson({ configs: [section] }, source);
      if (decoded.kind === 'config_dump') found.push(...pick(decoded.dump));
    }
  }
  return found;
}

function decodeSlice(bytes: Buffer, source: string, slice: ConfigSlice): ConfigDump {
  const decoded = decodeJson({ configs: [JSON.parse(bytes.toString('utf8', slice.start, slice.end)) as unknown] }, source);
  if (decoded.kind !== 'config_dump') throw notADump(source);
  return decoded.dump;
}

function notADump(source: string): DataError {
  return new DataError(source, 'is /clusters output, not a config dump: pc trace needs listeners, routes and clusters');
}
