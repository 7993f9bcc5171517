// Compares two decoded config dumps the way a person means "is this the same config": resources
// matched by name, kind by kind. Bookkeeping (version_info, last_updated, nonces), resource order,
// empty-vs-absent proto3 defaults and v2-vs-v3 type URLs never count as differences. Pure.
import { isObj, type ConfigDump, type Entry, type Obj } from '../envoy/model.ts';
import { messageTypeFromUrl } from '../envoy/protojson.ts';
import { compareGoStrings } from '../util/goString.ts';
import { unifiedDiff } from './unified.ts';

export const DIFF_KINDS = ['cluster', 'listener', 'route', 'secret', 'endpoint'] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

const COLLECTION: Record<DiffKind, 'clusters' | 'listeners' | 'routes' | 'secrets' | 'endpoints'> = {
  cluster: 'clusters',
  listener: 'listeners',
  route: 'routes',
  secret: 'secrets',
  endpoint: 'endpoints',
};

/** istioctl's words: "Clusters Match" / "Clusters Don't Match". */
export const KIND_TITLE: Record<DiffKind, string> = {
  cluster: 'Clusters',
  listener: 'Listeners',
  route: 'Routes',
  secret: 'Secrets',
  endpoint: 'Endpoints',
};

export type Change = 'only-in-a' | 'only-in-b' | 'changed';

export interface ResourceDiff {
  name: string;
  change: Change;
  /** JSON paths (proto field names) whose values differ; for a changed resource only. */
  paths: string[];
  /** A unified diff of just this resource (normalized JSON); empty for a resource on one side only. */
  unified: string;
}

export interface KindDiff {
  kind: DiffKind;
  match: boolean;
  /** Resources compared on each side. */
  countA: number;
  countB: number;
  differences: ResourceDiff[];
}

export interface CompareOptions {
  /** Only these kinds; default: clusters, listeners and routes, plus secrets and endpoints when both sides have any. */
  kinds?: readonly DiffKind[];
  /** Leave static resources out (istiod only knows the dynamic ones). */
  dynamicOnly?: boolean;
  /** How the unified diffs name the sides. */
  labels: { a: string; b: string };
}

/** The kinds compared when none are asked for. */
function defaultKinds(a: ConfigDump, b: ConfigDump): DiffKind[] {
  const both = (kind: DiffKind) => a[COLLECTION[kind]].length > 0 && b[COLLECTION[kind]].length > 0;
  return DIFF_KINDS.filter((kind) => kind === 'cluster' || kind === 'listener' || kind === 'route' || both(kind));
}

export function compareDumps(a: ConfigDump, b: ConfigDump, options: CompareOptions): KindDiff[] {
  return (options.kinds ?? defaultKinds(a, b)).map((kind) => compareKind(kind, a, b, options));
}

function compareKind(kind: DiffKind, a: ConfigDump, b: ConfigDump, options: CompareOptions): KindDiff {
  const left = byName(a[COLLECTION[kind]] as Entry<Obj>[], kind, options.dynamicOnly === true);
  const right = byName(b[COLLECTION[kind]] as Entry<Obj>[], kind, options.dynamicOnly === true);
  const names = [...new Set([...left.keys(), ...right.keys()])].sort(compareGoStrings);
  const differences: ResourceDiff[] = [];
  const what = KIND_TITLE[kind].toLowerCase().replace(/s$/, '');
  for (const name of names) {
    const x = left.get(name);
    const y = right.get(name);
    if (x === undefined || y === undefined) {
      // Only in one side: named, nothing to compare within it.
      differences.push({ name, change: x === undefined ? 'only-in-b' : 'only-in-a', paths: [], unified: '' });
      continue;
    }
    if (sameConfig(x, y)) continue;
    const before = normalize(x);
    const after = normalize(y);
    const unified = unifiedDiff(
      JSON.stringify(before, null, 2),
      JSON.stringify(after, null, 2),
      `${options.labels.a} ${what} ${name}`,
      `${options.labels.b} ${what} ${name}`,
    );
    differences.push({ name, change: 'changed', paths: changedPaths(before, after, ''), unified });
  }
  return { kind, match: differences.length === 0, countA: left.size, countB: right.size, differences };
}

const STATE_PREFERENCE = ['active', 'static', 'warming', 'draining', 'error'];

/** One resource per name: the active one when a listener is also warming or draining. */
function byName(entries: readonly Entry<Obj>[], kind: DiffKind, dynamicOnly: boolean): Map<string, Obj> {
  const chosen = new Map<string, Entry<Obj>>();
  for (const entry of entries) {
    if (dynamicOnly && entry.state === 'static') continue;
    const name = nameOf(entry, kind);
    const seen = chosen.get(name);
    if (!seen || STATE_PREFERENCE.indexOf(entry.state) < STATE_PREFERENCE.indexOf(seen.state)) chosen.set(name, entry);
  }
  return new Map([...chosen].map(([name, entry]) => [name, entry.resource]));
}

function nameOf(entry: Entry<Obj>, kind: DiffKind): string {
  const field = kind === 'endpoint' ? 'cluster_name' : 'name';
  const name = entry.resource[field] ?? entry.wrapper['name'];
  return typeof name === 'string' ? name : '';
}

/** Fields that are bookkeeping, not config. */
const IGNORED_FIELDS = new Set(['version_info', 'last_updated', 'nonce', 'versionInfo', 'lastUpdated']);

/** Is this value what proto3 means by "not set"? */
function isDefault(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObj(value) && Object.keys(value).every((key) => IGNORED_FIELDS.has(key) || isDefault(value[key]));
}

/** v2 and v3 spellings of the same message type compare equal. */
function sameTypeUrl(x: string, y: string): boolean {
  return x === y || messageTypeFromUrl(x) === messageTypeFromUrl(y);
}

/** Equality under the normalization, without building normalized copies (most resources are equal). */
function sameConfig(x: unknown, y: unknown, key = ''): boolean {
  if (x === y) return true;
  if (typeof x === 'string' && typeof y === 'string') return key === '@type' && sameTypeUrl(x, y);
  if (Array.isArray(x) && Array.isArray(y)) {
    if (key === 'virtual_hosts') return sameConfig(sortedByName(x), sortedByName(y));
    return x.length === y.length && x.every((item, i) => sameConfig(item, y[i]));
  }
  if (isObj(x) && isObj(y)) {
    for (const field of Object.keys(x)) {
      if (IGNORED_FIELDS.has(field)) continue;
      if (field in y ? !sameConfig(x[field], y[field], field) : !isDefault(x[field])) return false;
    }
    for (const field of Object.keys(y)) {
      if (!IGNORED_FIELDS.has(field) && !(field in x) && !isDefault(y[field])) return false;
    }
    return true;
  }
  if (typeof x === 'number' && typeof y === 'number') return x === y;
  // 0 and "0" (int64 as string), or a default against an absent value.
  return (isDefault(x) && isDefault(y)) || String(x) === String(y);
}

function sortedByName(list: unknown[]): unknown[] {
  return [...list].sort((p, q) => compareGoStrings(String(isObj(p) ? p['name'] : ''), String(isObj(q) ? q['name'] : '')));
}

/** The resource as compared: defaults and bookkeeping dropped, v3 type URLs, virtual hosts by name. */
function normalize(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const list = key === 'virtual_hosts' ? sortedByName(value) : value;
    return list.map((item) => normalize(item));
  }
  if (isObj(value)) {
    const out: Obj = {};
    for (const [field, item] of Object.entries(value)) {
      if (IGNORED_FIELDS.has(field) || isDefault(item)) continue;
      out[field] = field === '@type' && typeof item === 'string' ? `type.googleapis.com/${messageTypeFromUrl(item)}` : normalize(item, field);
    }
    return out;
  }
  return value;
}

/** Where two normalized values differ, as `.field[index].field` paths (at most MAX_PATHS). */
const MAX_PATHS = 20;

function changedPaths(x: unknown, y: unknown, at: string, out: string[] = []): string[] {
  if (out.length >= MAX_PATHS) return out;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.max(x.length, y.length); i++) changedPaths(x[i], y[i], `${at}[${i}]`, out);
    return out;
  }
  if (isObj(x) && isObj(y)) {
    for (const field of new Set([...Object.keys(x), ...Object.keys(y)])) changedPaths(x[field], y[field], `${at}.${field}`, out);
    return out;
  }
  if (JSON.stringify(x) !== JSON.stringify(y) && out.length < MAX_PATHS) out.push(at === '' ? '.' : at);
  return out;
}
