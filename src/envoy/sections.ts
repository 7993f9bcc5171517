// A big /config_dump is mostly sections a command does not show: `pc route` needs the
// RoutesConfigDump, not ten thousand listeners and clusters. This module finds the elements of the
// top-level `configs` array in the raw bytes, without decoding them, so only the wanted ones become
// strings and go through JSON.parse; and it parses values too big for one V8 string piece by piece.
// Every structural character of JSON is ASCII and no byte of a multi-byte UTF-8 sequence is, so
// working on bytes is exact.
//
// Two ways to find the elements, both giving what JSON.parse would give:
// - `fastSlices`: native Buffer.indexOf finds the admin sections' `@type`s; the bytes between
//   them must be element separators, and the caller confirms each shown slice by its own parse.
//   Anything it cannot vouch for (an escape, a duplicate `@type`, a resource of a shown kind
//   inside an unshown slice) makes it answer undefined.
// - `scanSlices`: walks the document's structure byte by byte (strings skipped natively),
//   resolving duplicate keys as JSON.parse does (the last wins).
import { Byte, isSpace, JsonSyntaxError } from './jsonSyntax.ts';
import type { SectionKind } from './model.ts';

/** One element of `configs`: its byte span and its `@type` as JSON.parse would read it (when a string). */
export interface ConfigSlice {
  start: number;
  end: number;
  typeUrl: string | undefined;
}

/** A value's span, and its key when it is an object member. */
interface Member {
  key: string | undefined;
  start: number;
  end: number;
}

/**
 * The `configs` elements of a `{"configs": [ … ]}` document, or undefined when it has another
 * shape (map-shaped `configs`, `cluster_statuses`, egctl's wrapped dumps, an array…), which a full
 * parse reads. Throws JsonSyntaxError when the document's framing is broken (truncated anywhere,
 * a missing bracket or comma between elements); faults inside an element are left to its parse.
 * With `alone`, a document with other keys beside `configs` is also left to the full parse.
 */
export function scanSlices(bytes: Uint8Array, alone = false): ConfigSlice[] | undefined {
  const scanner = new Scanner(bytes, 0, bytes.length);
  scanner.skipSpace();
  if (scanner.peek() !== Byte.OpenBrace) {
    scanner.skipValue();
    scanner.expectEnd();
    return undefined;
  }
  let configs: Member | undefined;
  let plain = true;
  for (const member of scanner.members()) {
    if (member.key === 'configs') configs = member;
    // A dump beside `/clusters` output is read as JSON.parse plus the decoder read it.
    else if (alone || member.key === 'cluster_statuses' || member.key === 'clusterStatuses') plain = false;
  }
  scanner.expectEnd();
  if (!plain || configs === undefined || bytes[configs.start] !== Byte.OpenBracket) return undefined;
  const elements = new Scanner(bytes, configs.start, configs.end);
  const slices: ConfigSlice[] = [];
  for (const element of elements.members()) slices.push({ start: element.start, end: element.end, typeUrl: typeOfElement(bytes, element) });
  return slices;
}

/** The `@type` JSON.parse would give an element: the last such key's value, when it is a string. */
function typeOfElement(bytes: Uint8Array, element: Member): string | undefined {
  if (bytes[element.start] !== Byte.OpenBrace) return undefined;
  let typeUrl: string | undefined;
  for (const member of new Scanner(bytes, element.start, element.end).members()) {
    if (member.key === '@type') typeUrl = bytes[member.start] === Byte.Quote ? parseString(bytes, member.start, member.end) : undefined;
  }
  return typeUrl;
}

/** `typeUrl → section kind`, as the decoder classifies a `configs` element. */
export type KindOfType = (typeUrl: string) => SectionKind | undefined;

/**
 * The admin sections of a plain Envoy dump found by a native search, or undefined when the
 * document is not laid out as Envoy writes it. Slices whose kind is in `shown` (or of no known
 * kind) must be confirmed by the caller's parse, and their `@type` compared with `typeUrl`.
 */
export function fastSlices(bytes: Buffer, kindOf: KindOfType, shown: ReadonlySet<SectionKind>): ConfigSlice[] | undefined {
  const open = prefixEnd(bytes);
  const close = suffixStart(bytes);
  if (open === undefined || close === undefined || close < open) return undefined;
  const first = skipSpaceForward(bytes, open, close);
  if (first === close) return [];
  const slices: ConfigSlice[] = [];
  for (let dump = bytes.indexOf(DUMP, open); dump >= 0 && dump < close; dump = bytes.indexOf(DUMP, dump + DUMP.length)) {
    const hit = dump - CONFIG.length;
    if (!bytes.subarray(hit, dump).equals(CONFIG)) continue;
    const found = elementStartAt(bytes, hit);
    if (found === undefined) return undefined;
    const previous = slices.at(-1);
    if (previous === undefined) {
      if (found.start !== first) return undefined;
    } else {
      const end = elementEndBefore(bytes, found.start);
      if (end === undefined || end <= previous.start) return undefined;
      previous.end = end;
    }
    slices.push({ start: found.start, end: -1, typeUrl: found.typeUrl });
  }
  const last = slices.at(-1);
  const lastEnd = skipSpaceBackward(bytes, first, close);
  if (last === undefined || bytes[lastEnd - 1] !== Byte.CloseBrace) return undefined;
  last.end = lastEnd;
  for (const slice of slices) {
    const kind = slice.typeUrl === undefined ? undefined : kindOf(slice.typeUrl);
    if (kind === undefined || shown.has(kind)) continue;
    // An unshown slice is never parsed: make sure it cannot hide an element the command shows.
    if (!unshownSliceIsOpaque(bytes, slice, shown)) return undefined;
  }
  return slices;
}

/**
 * Every admin section's `@type` holds `ConfigDump` (wrappers: `ConfigDump.DynamicCluster`…). The
 * search looks for `Dump`, whose rare first byte makes the native search several times faster.
 */
const DUMP = Buffer.from('Dump');
const CONFIG = Buffer.from('Config');

/**
 * The type names (as their URLs end, after a `.`) of bare resources a command of each kind shows:
 * one inside an unshown slice could be an element of its own (when the slice is not what it seems).
 * Each is searched without its dot, from its capital: a rare first byte keeps the search fast.
 */
const BARE_TYPE_ENDINGS: Record<SectionKind, Buffer[]> = {
  bootstrap: [],
  clusters: [Buffer.from('Cluster"')],
  listeners: [Buffer.from('Listener"')],
  routes: [Buffer.from('RouteConfiguration"')],
  scopedRoutes: [Buffer.from('ScopedRouteConfiguration"')],
  endpoints: [Buffer.from('ClusterLoadAssignment"')],
  secrets: [Buffer.from('Secret"')],
  ecds: [Buffer.from('TypedExtensionConfig"')],
};

function unshownSliceIsOpaque(bytes: Buffer, slice: ConfigSlice, shown: ReadonlySet<SectionKind>): boolean {
  // Searched as a view of its own, so that a search finding nothing stops at the slice's end
  // instead of running through the rest of the dump.
  const view = bytes.subarray(slice.start, slice.end);
  // An escape could spell a type name or a key the searches below would miss.
  for (let at = view.indexOf(Byte.Backslash); at >= 0; at = view.indexOf(Byte.Backslash, at + 2)) {
    const next = view[at + 1];
    if (next === 0x2f) return false; // `\/`
    if (next === 0x75 && !escapesNonWordCharacter(view, at)) return false;
  }
  for (const kind of shown) {
    for (const ending of BARE_TYPE_ENDINGS[kind]) {
      const head = ending.subarray(0, SEARCHED_HEAD);
      for (let hit = view.indexOf(head); hit >= 0; hit = view.indexOf(head, hit + 1)) {
        const end = hit + ending.length;
        if (view[hit - 1] === Byte.Dot && end <= view.length && ending.compare(view, hit, end) === 0) return false;
      }
    }
  }
  return true;
}

/**
 * A type name is searched by its first bytes, and the rest compared at each hit: Node looks for a
 * needle of up to six bytes with memchr on its first byte, and for a longer one with a skip-table
 * search that is several times slower on JSON (`Cluster"` through the 620 MB dump: 200 ms, against
 * 70 ms for `Cluste`).
 */
const SEARCHED_HEAD = 6;

/** `\uXXXX` at `at` escapes a character that cannot be part of a type name or `@type`. */
function escapesNonWordCharacter(bytes: Buffer, at: number): boolean {
  const code = Number.parseInt(bytes.toString('latin1', at + 2, at + 6), 16);
  return Number.isFinite(code) && (code >= 0x80 || !/[\w@./:-]/.test(String.fromCharCode(code)));
}

/** After `{ "configs" : [`, or undefined when the document does not start so. */
function prefixEnd(bytes: Buffer): number | undefined {
  let at = skipSpaceForward(bytes, 0, bytes.length);
  if (bytes[at] !== Byte.OpenBrace) return undefined;
  at = skipSpaceForward(bytes, at + 1, bytes.length);
  if (!bytes.subarray(at, at + CONFIGS_KEY.length).equals(CONFIGS_KEY)) return undefined;
  at = skipSpaceForward(bytes, at + CONFIGS_KEY.length, bytes.length);
  if (bytes[at] !== Byte.Colon) return undefined;
  at = skipSpaceForward(bytes, at + 1, bytes.length);
  return bytes[at] === Byte.OpenBracket ? at + 1 : undefined;
}

const CONFIGS_KEY = Buffer.from('"configs"');

/** Where the `]` of `… ] }` at the very end is, or undefined. */
function suffixStart(bytes: Buffer): number | undefined {
  let at = skipSpaceBackward(bytes, 0, bytes.length);
  if (bytes[at - 1] !== Byte.CloseBrace) return undefined;
  at = skipSpaceBackward(bytes, 0, at - 1);
  return bytes[at - 1] === Byte.CloseBracket ? at - 1 : undefined;
}

/**
 * The element whose `@type` string holds the `ConfigDump` at `hit`: `{ "@type" : "…ConfigDump…"`
 * with nothing else before the key, and a `,` or `[` before the brace. Undefined otherwise.
 */
function elementStartAt(bytes: Buffer, hit: number): { start: number; typeUrl: string } | undefined {
  let open = hit - 1;
  while (open >= 0 && isTypeUrlByte(bytes[open] ?? 0)) open--;
  if (bytes[open] !== Byte.Quote) return undefined;
  let close = hit + CONFIG.length + DUMP.length;
  while (close < bytes.length && isTypeUrlByte(bytes[close] ?? 0)) close++;
  if (bytes[close] !== Byte.Quote) return undefined;
  let at = skipSpaceBackward(bytes, 0, open);
  if (bytes[at - 1] !== Byte.Colon) return undefined;
  at = skipSpaceBackward(bytes, 0, at - 1);
  if (at < TYPE_KEY.length || !bytes.subarray(at - TYPE_KEY.length, at).equals(TYPE_KEY)) return undefined;
  at = skipSpaceBackward(bytes, 0, at - TYPE_KEY.length);
  if (bytes[at - 1] !== Byte.OpenBrace) return undefined;
  const start = at - 1;
  const before = bytes[skipSpaceBackward(bytes, 0, start) - 1];
  if (before !== Byte.Comma && before !== Byte.OpenBracket) return undefined;
  return { start, typeUrl: bytes.toString('latin1', open + 1, close) };
}

const TYPE_KEY = Buffer.from('"@type"');

/** Bytes a type URL is made of when it needs no escape. */
function isTypeUrlByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2e ||
    byte === 0x2f ||
    byte === 0x5f ||
    byte === 0x2d
  );
}

/** The end of the element before `, {` at `start`: just after its `}`, or undefined. */
function elementEndBefore(bytes: Buffer, start: number): number | undefined {
  let at = skipSpaceBackward(bytes, 0, start);
  if (bytes[at - 1] !== Byte.Comma) return undefined;
  at = skipSpaceBackward(bytes, 0, at - 1);
  return bytes[at - 1] === Byte.CloseBrace ? at : undefined;
}

/** The position of the first non-blank byte of `[from, limit)`, or `limit`. */
export function skipSpaceForward(bytes: Uint8Array, from: number, limit: number): number {
  let at = from;
  while (at < limit && isSpace(bytes[at])) at++;
  return at;
}

/** The position after the last non-blank byte of `[floor, before)`. */
export function skipSpaceBackward(bytes: Uint8Array, floor: number, before: number): number {
  let at = before;
  while (at > floor && isSpace(bytes[at - 1])) at--;
  return at;
}

function parseString(bytes: Uint8Array, start: number, end: number): string {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8')) as string;
}

/**
 * Walks one JSON value's structure within `[from, to)`. Containers are skipped by counting
 * brackets (strings jumped over natively), not validated: what is shown is validated by its parse.
 */
export class Scanner {
  private readonly bytes: Uint8Array;
  private readonly buffer: Buffer;
  private at: number;
  private readonly limit: number;

  constructor(bytes: Uint8Array, from: number, to: number) {
    this.bytes = bytes;
    this.buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = from;
    this.limit = to;
  }

  skipSpace(): void {
    this.at = skipSpaceForward(this.bytes, this.at, this.limit);
  }

  peek(): number | undefined {
    this.skipSpace();
    return this.at < this.limit ? this.bytes[this.at] : undefined;
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.at < this.limit) throw new JsonSyntaxError(this.at, false, 'the end of the input after the JSON value');
  }

  /**
   * The members of the object or array at the current position, in order (keys decoded), and
   * the position after it. Duplicate keys are all given: the caller lets the last one win.
   */
  *members(): Generator<Member> {
    const open = this.peek();
    const object = open === Byte.OpenBrace;
    const close = object ? Byte.CloseBrace : Byte.CloseBracket;
    if (!object && open !== Byte.OpenBracket) throw this.fault('"{" or "["');
    this.at++;
    if (this.peek() === close) {
      this.at++;
      return;
    }
    for (;;) {
      const key = object ? this.key() : undefined;
      this.skipSpace();
      const start = this.at;
      this.skipValue();
      yield { key, start, end: this.at };
      const next = this.peek();
      if (next === Byte.Comma) {
        this.at++;
        continue;
      }
      if (next === close) {
        this.at++;
        return;
      }
      throw this.fault(object ? '"," or "}"' : '"," or "]"');
    }
  }

  /** An object member's `"key" :`, decoded; the position is then at its value. */
  key(): string {
    if (this.peek() !== Byte.Quote) throw this.fault('a double-quoted key');
    const keyStart = this.at;
    this.skipString();
    const key = this.decodeKey(keyStart, this.at);
    if (this.peek() !== Byte.Colon) throw this.fault('":" after a key');
    this.at++;
    this.skipSpace();
    return key;
  }

  /** The current position. */
  get position(): number {
    return this.at;
  }

  private decodeKey(start: number, end: number): string {
    try {
      return parseString(this.bytes, start, end);
    } catch {
      throw new JsonSyntaxError(start, false, 'a valid string (a bad escape or a control character in a key)');
    }
  }

  skipValue(): void {
    const first = this.peek();
    if (first === Byte.Quote) {
      this.skipString();
      return;
    }
    if (first !== Byte.OpenBrace && first !== Byte.OpenBracket) {
      this.skipScalar();
      return;
    }
    // Containers: count brackets, jumping over strings (which may hold any bracket) with the
    // native indexOf: on a big dump that beats stepping through the strings byte by byte.
    const { bytes, limit } = this;
    let depth = 0;
    for (let i = this.at; i < limit; i++) {
      const char = bytes[i];
      if (char === Byte.Quote) {
        this.at = i;
        this.skipString();
        i = this.at - 1;
      } else if (char === Byte.OpenBrace || char === Byte.OpenBracket) {
        depth++;
      } else if (char === Byte.CloseBrace || char === Byte.CloseBracket) {
        if (--depth === 0) {
          this.at = i + 1;
          return;
        }
      } else if (char !== undefined && char < Byte.Space && char !== Byte.Newline && char !== Byte.Return && char !== Byte.Tab) {
        // A control byte outside a string: not JSON (binary data), so stop here, not at the end.
        throw new JsonSyntaxError(i, false, 'a value (a control byte outside a string)');
      }
    }
    throw new JsonSyntaxError(limit, true, 'the rest of the value');
  }

  private skipString(): void {
    const { buffer } = this;
    let close = this.at;
    for (;;) {
      close = buffer.indexOf(Byte.Quote, close + 1);
      if (close < 0 || close >= this.limit) throw new JsonSyntaxError(this.limit, true, 'a closing quote');
      let backslashes = 0;
      while (buffer[close - 1 - backslashes] === Byte.Backslash) backslashes++;
      if (backslashes % 2 === 0) break;
    }
    this.at = close + 1;
  }

  private skipScalar(): void {
    const start = this.at;
    while (this.at < this.limit && isScalarByte(this.bytes[this.at] ?? 0)) this.at++;
    if (this.at === start) throw this.fault('a value');
  }

  private fault(expected: string): JsonSyntaxError {
    return new JsonSyntaxError(this.at, this.at >= this.limit, expected);
  }
}

/** Bytes of numbers, true, false and null (checked by their parse, not here). */
function isScalarByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x45;
}

/** Members of the container spanning `[start, end)`. */
export function membersOf(bytes: Uint8Array, start: number, end: number): Generator<Member> {
  return new Scanner(bytes, start, end).members();
}
