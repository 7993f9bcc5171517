// Envoy's value matchers, as the router and the filter-chain matcher apply them: StringMatcher
// (`common/matchers.cc`), HeaderMatcher (`http/header_utility.cc`), RE2 regexes (full match),
// CIDR ranges and metadata ValueMatchers. Pure functions over plain config objects.
import { isObj, type Obj, type StringMatcher } from '../envoy/model.ts';

// ---- regexes --------------------------------------------------------------------------------

const compiled = new Map<string, RegExp | null>();

/**
 * An RE2 pattern as a JS RegExp that must match the whole input (Envoy's safe_regex is a full
 * match). RE2's `(?P<name>…)` becomes `(?<name>…)`, `\A`/`\z` become `^`/`$`, a leading `(?i)`
 * becomes the `i` flag. Null when JS cannot compile it.
 */
export function fullMatchRegex(pattern: string): RegExp | null {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = compile(pattern, true);
    compiled.set(pattern, regex);
  }
  return regex;
}

/** The same translation without anchoring, global: for regex_rewrite's replace-all. */
export function searchRegex(pattern: string): RegExp | null {
  return compile(pattern, false);
}

function compile(pattern: string, anchored: boolean): RegExp | null {
  let flags = anchored ? 's' : 'gs';
  let body = pattern
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$');
  if (body.startsWith('(?i)')) {
    flags += 'i';
    body = body.slice(4);
  }
  try {
    return new RegExp(anchored ? `^(?:${body})$` : body, flags);
  } catch {
    return null;
  }
}

/** RE2 substitutions write groups as `\1`; JS as `$1`. */
export function jsSubstitution(substitution: string): string {
  return substitution.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}

/** The pattern of a RegexMatcher (`{google_re2, regex}`), or of a v2 plain regex string. */
export function regexOf(matcher: unknown): string | undefined {
  if (typeof matcher === 'string') return matcher;
  return isObj(matcher) && typeof matcher['regex'] === 'string' ? matcher['regex'] : undefined;
}

// ---- StringMatcher ------------------------------------------------------------------------------

/** Does the StringMatcher accept `value`? `ignore_case` applies to all but safe_regex. */
export function matchString(matcher: StringMatcher, value: string): boolean {
  const fold = matcher.ignore_case === true;
  const subject = fold ? value.toLowerCase() : value;
  const norm = (text: string): string => (fold ? text.toLowerCase() : text);
  if (matcher.exact !== undefined) return subject === norm(matcher.exact);
  if (matcher.prefix !== undefined) return subject.startsWith(norm(matcher.prefix));
  if (matcher.suffix !== undefined) return subject.endsWith(norm(matcher.suffix));
  if (matcher.contains !== undefined) return subject.includes(norm(matcher.contains));
  if (matcher.safe_regex !== undefined) return fullMatchRegex(regexOf(matcher.safe_regex) ?? '')?.test(value) ?? false;
  return false;
}

/** A StringMatcher as text for reasons: `exact "x"`, `prefix "/a"`, `regex "…"`. */
export function describeStringMatcher(matcher: StringMatcher): string {
  const fold = matcher.ignore_case === true ? ' (ignoring case)' : '';
  for (const kind of ['exact', 'prefix', 'suffix', 'contains'] as const) {
    const value = matcher[kind];
    if (value !== undefined) return `${kind} ${JSON.stringify(value)}${fold}`;
  }
  if (matcher.safe_regex !== undefined) return `regex ${JSON.stringify(regexOf(matcher.safe_regex) ?? '')}`;
  return 'an empty matcher';
}

// ---- headers -----------------------------------------------------------------------------------

/** Request headers, names lowercased, values in arrival order (repeated headers keep every value). */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export interface MatchVerdict {
  ok: boolean;
  /** Why it matched or not, for the trace. */
  why: string;
}

/**
 * Envoy's HeaderMatcher: the value is all values of the header joined with `,`. An absent header
 * fails every matcher except "absent" (`present_match: false`, or presence inverted), unless
 * `treat_missing_header_as_empty`. v2 (`value`, `regex`, `regex_match`) and v3 (`*_match`,
 * `string_match`) spellings alike.
 */
export function matchHeader(matcher: Obj, headers: HeaderMap): MatchVerdict {
  const name = String(matcher['name'] ?? '').toLowerCase();
  const invert = matcher['invert_match'] === true;
  const values = headers.get(name);
  const present = values !== undefined;
  const kind = headerMatchKind(matcher);
  if (!present && matcher['treat_missing_header_as_empty'] !== true) {
    const presenceWanted = kind.type === 'present' ? kind.present : true;
    const ok = kind.type === 'present' && (invert ? presenceWanted : !presenceWanted);
    return { ok, why: `${name} is absent; the matcher wants ${describeHeaderMatch(name, kind, invert)}` };
  }
  const value = values?.join(',') ?? '';
  const raw = kind.test(value);
  const ok = raw !== invert;
  return { ok, why: `${name}: ${JSON.stringify(value)} ${ok ? 'matches' : 'does not match'} ${describeHeaderMatch(name, kind, invert)}` };
}

interface HeaderMatchKind {
  type: 'present' | 'value';
  present: boolean;
  text: string;
  test: (value: string) => boolean;
}

function headerMatchKind(m: Obj): HeaderMatchKind {
  const value = (text: string, test: (v: string) => boolean): HeaderMatchKind => ({ type: 'value', present: true, text, test });
  const str = (key: string): string | undefined => (typeof m[key] === 'string' ? (m[key] as string) : undefined);
  if (isObj(m['string_match'])) {
    const sm = m['string_match'] as StringMatcher;
    return value(describeStringMatcher(sm), (v) => matchString(sm, v));
  }
  const exact = str('exact_match');
  if (exact !== undefined) return exact === '' ? presence(true) : value(`exact ${JSON.stringify(exact)}`, (v) => v === exact);
  const regex = regexOf(m['safe_regex_match']) ?? str('regex_match');
  if (regex !== undefined) return value(`regex ${JSON.stringify(regex)}`, (v) => fullMatchRegex(regex)?.test(v) ?? false);
  if (isObj(m['range_match'])) {
    const start = Number(m['range_match']['start'] ?? 0);
    const end = Number(m['range_match']['end'] ?? 0);
    return value(`an integer in [${start}, ${end})`, (v) => /^-?\d+$/.test(v) && Number(v) >= start && Number(v) < end);
  }
  if (typeof m['present_match'] === 'boolean') return presence(m['present_match']);
  for (const [key, kind] of [
    ['prefix_match', 'prefix'],
    ['suffix_match', 'suffix'],
    ['contains_match', 'contains'],
  ] as const) {
    const text = str(key);
    if (text !== undefined) return value(`${kind} ${JSON.stringify(text)}`, (v) => matchString({ [kind]: text }, v));
  }
  // v2: `value` with `regex: true` is a regex; a plain `value` is exact; no value means presence.
  const v2 = str('value');
  if (v2 !== undefined && v2 !== '') {
    return m['regex'] === true
      ? value(`regex ${JSON.stringify(v2)}`, (v) => fullMatchRegex(v2)?.test(v) ?? false)
      : value(`exact ${JSON.stringify(v2)}`, (v) => v === v2);
  }
  return presence(true);
}

function presence(present: boolean): HeaderMatchKind {
  return { type: 'present', present, text: present ? 'present' : 'absent', test: () => present };
}

function describeHeaderMatch(name: string, kind: HeaderMatchKind, invert: boolean): string {
  return `${name} ${invert ? 'NOT ' : ''}${kind.text}`;
}

// ---- IP ranges -----------------------------------------------------------------------------------

/** An IPv4 or IPv6 address as a 128-bit integer (IPv4 in its own 32-bit space), or undefined. */
export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  const ip = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return { v6: false, value: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  }
  if (!ip.includes(':')) return undefined;
  const [head = '', tail, extra] = ip.split('::');
  if (extra !== undefined) return undefined;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v6: true, value: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** Is `ip` inside `prefix/len`? Families must agree. */
export function inCidr(ip: string, prefix: string, len: number): boolean {
  const a = parseIp(ip);
  const b = parseIp(prefix);
  if (!a || !b || a.v6 !== b.v6) return false;
  const bits = a.v6 ? 128n : 32n;
  const shift = bits - BigInt(Math.max(0, Math.min(len, Number(bits))));
  return a.value >> shift === b.value >> shift;
}

// ---- metadata ----------------------------------------------------------------------------------

/** A MetadataMatcher (`{filter, path[{key}], value: ValueMatcher, invert}`) against dynamic metadata. */
export function matchMetadata(matcher: Obj, metadata: ReadonlyMap<string, Obj>): MatchVerdict {
  const filter = String(matcher['filter'] ?? '');
  const path = Array.isArray(matcher['path']) ? matcher['path'].map((segment) => (isObj(segment) ? String(segment['key'] ?? '') : '')) : [];
  let value: unknown = metadata.get(filter);
  for (const key of path) value = isObj(value) ? value[key] : undefined;
  const raw = isObj(matcher['value']) ? matchValue(matcher['value'], value) : false;
  const ok = raw !== (matcher['invert'] === true);
  const at = [filter, ...path].join('.');
  return { ok, why: `metadata ${at} = ${value === undefined ? 'absent' : JSON.stringify(value)} ${ok ? 'matches' : 'does not match'}` };
}

function matchValue(matcher: Obj, value: unknown): boolean {
  if (isObj(matcher['string_match'])) return typeof value === 'string' && matchString(matcher['string_match'] as StringMatcher, value);
  if (matcher['present_match'] === true) return value !== undefined;
  if (isObj(matcher['null_match'])) return value === null;
  if (typeof matcher['bool_match'] === 'boolean') return value === matcher['bool_match'];
  if (isObj(matcher['double_match'])) {
    const d = matcher['double_match'];
    if (typeof value !== 'number') return false;
    if (d['exact'] !== undefined) return value === Number(d['exact']);
    if (isObj(d['range'])) return value >= Number(d['range']['start'] ?? -Infinity) && value < Number(d['range']['end'] ?? Infinity);
    return false;
  }
  if (isObj(matcher['list_match']) && isObj(matcher['list_match']['one_of'])) {
    const inner = matcher['list_match']['one_of'];
    return Array.isArray(value) && value.some((item) => matchValue(inner, item));
  }
  return false;
}
