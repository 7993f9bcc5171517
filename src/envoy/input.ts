// Turns the text of a saved input into decoded data, recognising what it is from its content:
// a config dump (any generation), Envoy's `/clusters?format=json`, or Pilot's `/debug/edsz`.
import { createRequire } from 'node:module';
import { DataError } from '../errors.ts';
import { quoted } from '../util/printable.ts';
import { decodeClustersStatus, looksLikeClustersStatus } from './clustersStatus.ts';
import { decodeConfigDump, sectionKindOfType } from './decode.ts';
import { Byte, findJsonError, JsonSyntaxError } from './jsonSyntax.ts';
import { isObj, SECTION_KINDS, type ClusterLoadAssignment, type ClustersStatus, type ConfigDump, type Entry, type SectionKind } from './model.ts';
import { fastSlices, membersOf, Scanner, scanSlices, skipSpaceBackward, skipSpaceForward, type ConfigSlice } from './sections.ts';

/** `json` is the input as parsed; with `only`, sections left out are `{"@type"}` stubs. */
export type DecodedInput =
  | { kind: 'config_dump'; dump: ConfigDump; json: unknown }
  | {
      kind: 'clusters';
      clusters: ClustersStatus;
      json: unknown;
      /** The same proxy's EDS assignments, when fetched too (live `pc endpoint -o wide`: workload metadata). */
      eds?: Entry<ClusterLoadAssignment>[];
    };

export interface DecodeOptions {
  /** The sections the caller will show; the others are recognised but neither parsed nor decoded. */
  only?: ReadonlySet<SectionKind> | undefined;
  /**
   * From this size on, only the shown sections are parsed. Below it one native JSON.parse is
   * faster than scanning the bytes, which runs before the JIT has warmed up.
   */
  sliceFromBytes?: number;
  /** Parse every section (not only the shown ones), so a fault anywhere in the input is reported. */
  strict?: boolean;
}

const SLICE_FROM_BYTES = 2 * 1024 * 1024;

/**
 * The largest span parsed by one JSON.parse: a V8 string holds at most 2^29 - 24 characters
 * (Node 20), so bigger values are parsed in parts (see parseSpan).
 */
const PIECE_BYTES = 256 * 1024 * 1024;

/**
 * From this size on, a span laid out by a pretty-printer is parsed in parts even when it would fit
 * in one string: small strings die young, where one big string sits in the large-object space
 * until a full collection (pc cluster, same wall time: 243 MB instead of 263 MB of peak RSS on the
 * 10k-service dump, 581 MB instead of 670 MB on the 30k one).
 */
const SPLIT_FROM_BYTES = 8 * 1024 * 1024;

const ALL_KINDS: ReadonlySet<SectionKind> = new Set(SECTION_KINDS);

/** Decodes a saved input's bytes (or text), recognising what it is from its content. */
export function decodeInput(input: Buffer | string, source: string, options: DecodeOptions = {}): DecodedInput {
  const bytes = withoutBom(typeof input === 'string' ? Buffer.from(input) : input);
  const { only } = options;
  return decodeJson(parseInput(bytes, source, options), source, only);
}

/** A UTF-8 byte order mark is no part of the JSON (JSON.parse would reject it). */
export function withoutBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/**
 * The `configs` elements of a big plain `{"configs": [...]}` dump, parsed and checked one at a time
 * as they are asked for, so a caller printing the whole dump holds one section at a time. Undefined
 * for small inputs and other shapes, which decodeInput reads whole.
 */
export function configsOneByOne(input: Buffer, source: string, options: DecodeOptions = {}): Iterable<unknown> | undefined {
  const bytes = withoutBom(input);
  const { sliceFromBytes = SLICE_FROM_BYTES } = options;
  if (bytes.length < sliceFromBytes || isBlank(bytes)) return undefined;
  const slices = asDataErrors(bytes, source, () => scanSlices(bytes, true));
  if (slices === undefined) return undefined;
  return (function* (): Generator<unknown> {
    for (const [index, { start, end }] of slices.entries()) {
      const config = asDataErrors(bytes, source, () => {
        checkFits(end - start);
        return parseSpan(bytes, start, end);
      });
      // Decoded to be checked as decodeInput checks it, then dropped.
      decodeConfigDump({ configs: [config] }, source, undefined, index);
      yield config;
    }
  })();
}

/** Runs a read of the input, turning its syntax faults and size limits into one-line data errors. */
function asDataErrors<T>(bytes: Buffer, source: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new DataError(source, describeSyntaxError(bytes, error));
    if (error instanceof TooBigError) {
      const heapMiB = Math.ceil((error.jsonBytes * 2.5) / 2 ** 20);
      throw new DataError(
        source,
        `(${(bytes.length / 1e6).toFixed(0)} MB) is too big: ${error.message}; use a command that shows a smaller section, or raise the limit (NODE_OPTIONS=--max-old-space-size=${heapMiB})`,
      );
    }
    throw error;
  }
}

/** Any other saved JSON (a ztunnel dump) as JSON.parse reads it, with decodeInput's error messages. */
export function parseJsonInput(input: Buffer, source: string): unknown {
  return parseInput(withoutBom(input), source, { sliceFromBytes: Number.POSITIVE_INFINITY });
}

/** The input as JSON.parse would read it, with the sections not shown as `{"@type"}` stubs. */
function parseInput(bytes: Buffer, source: string, options: DecodeOptions): unknown {
  const { only, strict = false, sliceFromBytes = SLICE_FROM_BYTES } = options;
  if (isBlank(bytes)) throw new DataError(source, 'is empty');
  return asDataErrors(bytes, source, () => {
    if (bytes.length >= sliceFromBytes || bytes.length > PIECE_BYTES) {
      // What is printed whole (`pc all -o json`) must be the whole input, other keys included.
      const parsed = parseSections(bytes, strict ? ALL_KINDS : (only ?? ALL_KINDS), only === undefined);
      if (parsed !== undefined) return parsed;
    }
    checkFits(bytes.length);
    return parseSpan(bytes, 0, bytes.length);
  });
}

function isBlank(bytes: Buffer): boolean {
  return skipSpaceForward(bytes, 0, bytes.length) === bytes.length;
}

/**
 * `{configs: [...]}` with only the shown sections (and those of unknown types) parsed; the others
 * become `{"@type": …}` stubs so their presence is still known. Undefined when the input is not a
 * plain `{"configs": [...]}` dump: the caller then parses it whole.
 */
function parseSections(bytes: Buffer, shown: ReadonlySet<SectionKind>, alone: boolean): unknown {
  const found = fastSlices(bytes, sectionKindOfType, shown);
  if (found !== undefined) {
    const configs = parseSlices(bytes, found, shown, true);
    if (configs !== undefined) return { configs };
  }
  // The structural walk: slower, but it reads every valid document as JSON.parse does and
  // places any fault in the framing.
  const slices = scanSlices(bytes, alone);
  return slices === undefined ? undefined : { configs: parseSlices(bytes, slices, shown, false) };
}

/**
 * Parses the shown slices. With `confirm`, a slice found by the native search that does not parse
 * as one object of its `@type` makes the whole answer undefined rather than an error.
 */
export function parseSlices(bytes: Buffer, slices: ConfigSlice[], shown: ReadonlySet<SectionKind>, confirm: boolean): unknown[] | undefined {
  // A slice of a known kind the command does not show becomes a stub; any other is parsed.
  const stubbed = slices.map(({ typeUrl }) => {
    const kind = typeUrl === undefined ? undefined : sectionKindOfType(typeUrl);
    return kind !== undefined && !shown.has(kind);
  });
  checkFits(slices.reduce((sum, { start, end }, index) => (stubbed[index] ? sum : sum + end - start), 0));
  const configs: unknown[] = [];
  for (const [index, { start, end, typeUrl }] of slices.entries()) {
    if (stubbed[index]) {
      configs.push({ '@type': typeUrl });
      continue;
    }
    if (!confirm) {
      configs.push(parseSpan(bytes, start, end));
      continue;
    }
    let value: unknown;
    try {
      value = parseSpan(bytes, start, end);
    } catch (error) {
      if (error instanceof JsonSyntaxError) return undefined;
      throw error;
    }
    if (!isObj(value) || value['@type'] !== typeUrl) return undefined;
    configs.push(value);
  }
  return configs;
}

/**
 * Parsed JSON takes about twice its text's size in V8's heap. Parsing more than the heap can hold
 * would end in a crash that cannot be caught: stop first with an error that says what to do.
 */
function checkFits(jsonBytes: number): void {
  // Node could not have started in a heap too small for this much; loading node:v8 (~2 ms) is then
  // start-up time that small dumps need not pay.
  if (jsonBytes < ALWAYS_FITS_BYTES) return;
  const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  const heapLimit = v8.getHeapStatistics().heap_size_limit;
  if (jsonBytes * HEAP_PER_JSON_BYTE > heapLimit) throw new TooBigError(jsonBytes, heapLimit);
}

const HEAP_PER_JSON_BYTE = 2;
const ALWAYS_FITS_BYTES = 2 ** 20;

/** What must be parsed does not fit in Node's heap. */
class TooBigError extends Error {
  readonly jsonBytes: number;
  readonly heapLimit: number;
  constructor(jsonBytes: number, heapLimit: number) {
    super(`parsing ${(jsonBytes / 1e6).toFixed(0)} MB of JSON needs more than Node's heap limit (${(heapLimit / 2 ** 20).toFixed(0)} MiB)`);
    this.jsonBytes = jsonBytes;
    this.heapLimit = heapLimit;
  }
}

/**
 * JSON.parse of `bytes[start, end)`; a big span is parsed in parts (iteratively: its nesting costs
 * no stack), with duplicate keys resolved as JSON.parse does. The parts are cut first where the
 * pretty-printer's indentation says the members are, a native search that touches only the cuts,
 * and confirmed by their own parses. If any of them fails, a span that fits in one string is
 * parsed whole, and a bigger one is cut again by the structural walk (a byte-by-byte pass, several
 * times slower), which places the fault.
 */
export function parseSpan(bytes: Buffer, start: number, end: number, pieceBytes = PIECE_BYTES): unknown {
  const splitFrom = Math.min(pieceBytes, SPLIT_FROM_BYTES);
  if (end - start > splitFrom) {
    try {
      return parseInParts(bytes, start, end, splitFrom, false);
    } catch (error) {
      if (!(error instanceof SyntaxError || error instanceof JsonSyntaxError)) throw error;
    }
  }
  return parseInParts(bytes, start, end, pieceBytes, true);
}

/**
 * A part of a container too big for one parse: a run of whole members (parsed inside the
 * container's brackets, `wrap`), or one member's value (with its key, in an object).
 */
interface Part {
  start: number;
  end: number;
  wrap?: '[]' | '{}';
  key?: string | undefined;
}

type PartTask = Part & { assign: (value: unknown) => void };

/** `exact`: the parts are the structural walk's members, and faults are placed; else the indentation's. */
function parseInParts(bytes: Buffer, start: number, end: number, pieceBytes: number, exact: boolean): unknown {
  const root: { value?: unknown } = {};
  const tasks: (PartTask | { finish: () => void })[] = [{ start, end, assign: (value) => (root.value = value) }];
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if ('finish' in task) {
      task.finish();
      continue;
    }
    if (task.wrap !== undefined) {
      task.assign(JSON.parse(`${task.wrap[0]}${bytes.toString('utf8', task.start, task.end)}${task.wrap[1]}`));
      continue;
    }
    const first = bytes[skipSpaceForward(bytes, task.start, task.end)];
    const array = first === Byte.OpenBracket;
    // A scalar (a long string) cannot be cut: it fits in one string or in none.
    if (task.end - task.start <= pieceBytes || (!array && first !== Byte.OpenBrace)) {
      task.assign(exact ? parseText(bytes, task.start, task.end) : JSON.parse(bytes.toString('utf8', task.start, task.end)));
      continue;
    }
    const parts = exact ? scannedParts(bytes, task.start, task.end) : indentedParts(bytes, task.start, task.end, pieceBytes);
    const values = new Array<unknown>(parts.length);
    const { assign } = task;
    // Joined once every part is parsed: in document order, so the last of duplicate keys wins.
    tasks.push({ finish: () => assign(array ? joinElements(parts, values) : joinMembers(parts, values)) });
    // Pushed last first, so they are popped (and any fault met) in document order.
    for (let index = parts.length - 1; index >= 0; index--) {
      tasks.push({ ...(parts[index] as Part), assign: (value) => (values[index] = value) });
    }
  }
  return root.value;
}

function joinElements(parts: readonly Part[], values: readonly unknown[]): unknown[] {
  const array: unknown[] = [];
  parts.forEach((part, index) => {
    if (part.wrap === undefined) array.push(values[index]);
    else for (const element of values[index] as unknown[]) array.push(element);
  });
  return array;
}

function joinMembers(parts: readonly Part[], values: readonly unknown[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  parts.forEach((part, index) => {
    if (part.wrap === undefined) setMember(object, part.key ?? '', values[index]);
    else for (const [key, value] of Object.entries(values[index] as Record<string, unknown>)) setMember(object, key, value);
  });
  return object;
}

/** Each member of the container on its own, found by the structural walk. */
function scannedParts(bytes: Buffer, start: number, end: number): Part[] {
  return Array.from(membersOf(bytes, start, end), ({ key, start: from, end: to }) => ({ start: from, end: to, key }));
}

/**
 * The members of a container laid out as Envoy (and any pretty-printer) writes it: each after a
 * comma, a newline and the same indentation as the first, which no deeper member and no string
 * holds. Runs of members are grouped into parts of at most GROUP_BYTES (or an eighth of
 * `pieceBytes`); a member bigger than `pieceBytes` is a part of its own. Throws JsonSyntaxError when the container is not
 * laid out so; a cut that is not a member boundary makes a part's parse fail.
 */
function indentedParts(bytes: Buffer, start: number, end: number, pieceBytes: number): Part[] {
  const open = skipSpaceForward(bytes, start, end);
  const close = skipSpaceBackward(bytes, open, end) - 1;
  const object = bytes[open] === Byte.OpenBrace;
  const first = skipSpaceForward(bytes, open + 1, close);
  const indent = bytes.subarray(open + 1, first);
  if (bytes[close] !== (object ? Byte.CloseBrace : Byte.CloseBracket) || first >= close || !indent.includes(Byte.Newline)) {
    throw new JsonSyntaxError(open, false, 'a pretty-printed container');
  }
  const separator = Buffer.concat([SEPARATOR_COMMA, indent, bytes.subarray(first, first + 1)]);
  // A search finding nothing stops at the container's end, not the input's.
  const container = bytes.subarray(0, close);
  const groupBytes = Math.min(GROUP_BYTES, pieceBytes / 8);
  const parts: Part[] = [];
  let group: Part | undefined;
  const addMember = (from: number, to: number): void => {
    if (to - from > pieceBytes) {
      group = undefined;
      parts.push(object ? keyedValue(bytes, from, to) : { start: from, end: to });
    } else if (group !== undefined && to - group.start <= groupBytes) {
      group.end = to;
    } else {
      group = { start: from, end: to, wrap: object ? '{}' : '[]' };
      parts.push(group);
    }
  };
  let member = first;
  for (let cut = container.indexOf(separator, first); cut >= 0; cut = container.indexOf(separator, member)) {
    addMember(member, skipSpaceBackward(bytes, member, cut));
    member = cut + separator.length - 1;
  }
  addMember(member, skipSpaceBackward(bytes, member, close));
  return parts;
}

const SEPARATOR_COMMA = Buffer.from(',');

/**
 * Members are parsed in runs of about this size: each run's string is then small enough to be
 * allocated in V8's young generation and to die there, where a run of many megabytes would sit in
 * the large-object space until a full collection (on the 60k-service dump's 321 MB clusters
 * section, 32 MiB runs took 2.1 s and 1.33 GB of RSS to parse, 64 KiB runs 1.8 s and 0.95 GB).
 */
const GROUP_BYTES = 64 * 1024;

/** An object member's key and the span of its value. */
function keyedValue(bytes: Buffer, start: number, end: number): Part {
  const member = new Scanner(bytes, start, end);
  const key = member.key();
  return { start: member.position, end, key };
}

/** JSON.parse makes `__proto__` an own key; plain assignment would set the prototype. */
function setMember(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

function parseText(bytes: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(bytes.toString('utf8', start, end));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw findJsonError(bytes, start, end) ?? new JsonSyntaxError(start, false, 'valid JSON');
  }
}

/** For JSON that is already parsed (a live answer); recognises what it is like decodeInput. */
export function decodeJson(json: unknown, source: string, only?: ReadonlySet<SectionKind>): DecodedInput {
  if (looksLikeClustersStatus(json)) {
    return { kind: 'clusters', clusters: decodeClustersStatus(json, source), json };
  }
  return { kind: 'config_dump', dump: decodeConfigDump(json, source, only), json };
}

/** One line: where the fault is, what was expected, and a short printable piece of the input. */
function describeSyntaxError(bytes: Buffer, error: JsonSyntaxError): string {
  if (error.truncated && error.offset >= bytes.length) {
    return `is truncated at byte ${error.offset}: the JSON ends before it is complete (expected ${error.message})`;
  }
  const start = skipSpaceForward(bytes, 0, bytes.length);
  if (bytes[start] === 0x7b && /^\{\s*'/.test(bytes.toString('latin1', start, start + 16))) {
    return 'is not valid JSON: it uses single-quoted strings (a Python dict printed with print()?); save the dump with json.dump or curl instead';
  }
  if (bytes[start] === 0x3c) return 'is not valid JSON: it looks like HTML or XML';
  const { line, column } = lineAndColumn(bytes, error.offset);
  const near = bytes.toString('utf8', error.offset, Math.min(bytes.length, error.offset + 40));
  return `is not valid JSON at byte ${error.offset} (line ${line}, column ${column}): expected ${error.message}, found ${quoted(near, 30)}`;
}

function lineAndColumn(bytes: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0 && at < offset; at = bytes.indexOf(0x0a, at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
