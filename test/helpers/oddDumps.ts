// Valid JSON documents that an Envoy dump reader could misread: duplicate keys, map-shaped
// `configs`, `configs` beside `cluster_statuses`, escapes in keys and `@type`s, odd whitespace, a
// BOM, big padding, admin `@type`s where they do not start an element. Each is built from the
// bundled example's sections by a seeded generator, so a failing case can be replayed by its seed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const example = fileURLToPath(new URL('../../examples/reviews-v1.config_dump.json', import.meta.url));

/** A JSON value whose objects may repeat keys: objects are lists of pairs. */
type Node = { raw: unknown } | { pairs: [string, Node][] } | { items: Node[] };

type Json = Record<string, unknown>;

/** The example's sections, each cut to its first two resources per list, keeping dumps small. */
const SECTIONS: Json[] = (JSON.parse(readFileSync(example, 'utf8')) as { configs: Json[] }).configs.map((section) =>
  Object.fromEntries(Object.entries(section).map(([key, value]) => [key, Array.isArray(value) ? value.slice(0, 2) : value])),
);

const BARE_TYPES = [
  'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  'type.googleapis.com/envoy.config.listener.v3.Listener',
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
];

/** mulberry32: small, seedable, good enough to pick mutations. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One odd but valid dump for `seed`. `padding` bounds the size of big padding strings. */
export function oddDump(seed: number, padding = 4096): string {
  const random = randomFrom(seed);
  // A third of the dumps keep Envoy's layout (the scanner's fast path), with odd spacing only.
  const calm = random() < 0.35;
  const chance = (p: number): boolean => random() < p;
  const odd = (p: number): boolean => !calm && chance(p);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const sectionTypes = SECTIONS.map((s) => String(s['@type']));

  const elements: Node[] = [];
  for (const section of SECTIONS) {
    if (odd(0.25)) continue;
    const pairs: [string, Node][] = Object.entries(section).map(([key, value]) => [key, { raw: value }]);
    if (odd(0.15)) pairs.push(['@type', { raw: pick([...sectionTypes, ...BARE_TYPES, 7, null]) }]);
    if (odd(0.1)) pairs.unshift(['version_info', { raw: 'first' }]);
    if (odd(0.1)) pairs.reverse();
    if (chance(0.1)) pairs.push(['pad', { raw: 'x'.repeat(Math.floor(random() * padding)) }]);
    if (odd(0.1)) pairs.push(['note', { raw: `see ${pick(sectionTypes)} and .Cluster" and \\u0043` }]);
    if (odd(0.1)) pairs.push(['nested', { items: [{ raw: { a: 1 } }, { pairs: [['@type', { raw: pick(sectionTypes) }]] }] }]);
    elements.splice(Math.floor(random() * (elements.length + 1)), 0, { pairs });
  }
  if (odd(0.2)) {
    const cluster = ((SECTIONS.find((s) => String(s['@type']).endsWith('ClustersConfigDump'))?.['dynamic_active_clusters'] as Json[] | undefined)?.[0]?.[
      'cluster'
    ] ?? {}) as Json;
    const pairs: [string, Node][] = Object.entries({ ...cluster, '@type': pick(BARE_TYPES) }).map(([key, value]) => [key, { raw: value }]);
    if (chance(0.5)) pairs.reverse();
    elements.splice(Math.floor(random() * (elements.length + 1)), 0, { pairs });
  }
  if (odd(0.1)) elements.push({ raw: pick(['plain', 7, null, [], {}]) });

  const configs: Node = odd(0.08)
    ? {
        pairs: elements.map((element, index): [string, Node] => [
          pick(['bootstrap', 'clusters', 'listeners', 'routes', 'secrets', 'endpoints', `other${index}`]),
          element,
        ]),
      }
    : { items: elements };
  const top: [string, Node][] = [['configs', configs]];
  if (odd(0.1)) top.unshift(['configs', { raw: pick([null, 'x', {}, [], { clusters: {} }]) }]);
  if (odd(0.1)) top.push(['configs', { raw: pick([null, 'x', {}, [], { bootstrap: {} }]) }]);
  if (odd(0.1)) top.splice(Math.floor(random() * (top.length + 1)), 0, [pick(['cluster_statuses', 'clusterStatuses']), { raw: [] }]);
  if (odd(0.1)) top.splice(Math.floor(random() * (top.length + 1)), 0, [pick(['other', '@type', 'configs ']), { raw: { configs: [] } }]);
  if (odd(0.05)) top.splice(0, 1);

  const escapeChance = odd(0.2) ? 0.2 : 0;
  const space = (): string => (chance(0.5) ? '' : pick([' ', '\n', '\t', '\r\n', '  \n   ', ' '.repeat(Math.floor(random() * padding))]));
  const text = (value: string): string => {
    let out = '"';
    for (const char of JSON.stringify(value).slice(1, -1)) {
      out +=
        chance(escapeChance) && /[\w@./]/.test(char)
          ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
          : char === '/' && chance(escapeChance)
            ? '\\/'
            : char;
    }
    return `${out}"`;
  };
  const write = (node: Node): string => {
    if ('raw' in node) {
      if (typeof node.raw === 'string') return text(node.raw);
      return JSON.stringify(node.raw, null, pick([undefined, 1, 2, '\t']));
    }
    if ('pairs' in node)
      return `{${space()}${node.pairs.map(([key, value]) => `${text(key)}${space()}:${space()}${write(value)}`).join(`${space()},${space()}`)}${space()}}`;
    return `[${space()}${node.items.map(write).join(`${space()},${space()}`)}${space()}]`;
  };
  return (chance(0.1) ? '\ufeff' : '') + space() + write({ pairs: top }) + space();
}
