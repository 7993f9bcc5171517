// `-o json|yaml|raw` written piece by piece: the output of a big dump does not fit in one V8
// string (at most 2^29 characters), and JSON.stringify recurses (10,000 levels of nesting overflow
// its stack). The JSON is byte for byte what JSON.stringify(value, null, 4) gives.
import { createRequire } from 'node:module';

/** About this many characters per chunk: big enough that writing costs little, small enough to stream. */
const CHUNK_CHARS = 1 << 16;

type Frame =
  | { array: true; items: readonly unknown[]; index: number; indent: string }
  | { array: false; object: Record<string, unknown>; keys: string[]; index: number; indent: string; wrote: boolean };

/**
 * JSON.stringify(value, null, indent) + "\n", in chunks, walked with an explicit stack. With
 * `nested`, the value is written as if `nested` deep in a larger document, without the newline.
 */
export function* jsonChunks(root: unknown, indent = '    ', nested = ''): Generator<string> {
  let out = '';
  const stack: Frame[] = [];
  /** Writes a value (toJSON already applied): a scalar whole, a container's opening (its members follow from the stack). */
  const open = (value: unknown, depthIndent: string): void => {
    if (Array.isArray(value)) {
      if (value.length === 0) out += '[]';
      else {
        out += '[';
        stack.push({ array: true, items: value, index: 0, indent: depthIndent });
      }
    } else if (typeof value === 'object' && value !== null) {
      const object = value as Record<string, unknown>;
      out += '{';
      stack.push({ array: false, object, keys: Object.keys(object), index: 0, indent: depthIndent, wrote: false });
    } else out += scalar(value) ?? 'null';
  };
  open(toJsonValue(root), nested);
  while (stack.length > 0) {
    if (out.length >= CHUNK_CHARS) {
      yield out;
      out = '';
    }
    const frame = stack[stack.length - 1] as Frame;
    const inner = frame.indent + indent;
    if (frame.array) {
      if (frame.index === frame.items.length) {
        out += `\n${frame.indent}]`;
        stack.pop();
        continue;
      }
      out += `${frame.index === 0 ? '' : ','}\n${inner}`;
      const item = toJsonValue(frame.items[frame.index++]);
      // JSON.stringify writes null for what JSON cannot hold (undefined, functions) inside arrays.
      open(isSkipped(item) ? null : item, inner);
      continue;
    }
    if (frame.index === frame.keys.length) {
      out += frame.wrote ? `\n${frame.indent}}` : '}';
      stack.pop();
      continue;
    }
    const key = frame.keys[frame.index++] as string;
    const value = toJsonValue(frame.object[key]);
    if (isSkipped(value)) continue;
    out += `${frame.wrote ? ',' : ''}\n${inner}${JSON.stringify(key)}: `;
    frame.wrote = true;
    open(value, inner);
  }
  yield nested === '' ? `${out}\n` : out;
}

/**
 * `{"configs": [ … ]}` written as JSON.stringify(…, null, 4) or yaml.stringify write it, from
 * sections given one at a time: a dump's output never has to be in memory whole.
 */
export function* wholeDumpChunks(configs: Iterable<unknown>, format: 'json' | 'yaml'): Generator<string> {
  let count = 0;
  if (format === 'yaml') {
    for (const config of configs) {
      if (count++ === 0) yield 'configs:\n';
      yield* yamlNode(config, '    ', '  - ', SECTION_LEVELS);
    }
    if (count === 0) yield 'configs: []\n';
    return;
  }
  yield '{\n    "configs": [';
  for (const config of configs) {
    yield `${count++ === 0 ? '' : ','}\n        `;
    yield* jsonChunks(config, '    ', '        ');
  }
  yield count === 0 ? ']\n}\n' : '\n    ]\n}\n';
}

/** A value's toJSON() result, as JSON.stringify uses it. */
function toJsonValue(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  return value;
}

function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value) as string | undefined;
}

/**
 * What yaml.stringify(value) gives, in chunks: lists item by item and maps entry by entry, down to
 * single resources, so the YAML library never holds more than one resource (its document model
 * takes many times the JSON's size).
 */
export function* yamlChunks(value: unknown): Generator<string> {
  if (Array.isArray(value) && value.length === 0) {
    yield '[]\n';
    return;
  }
  yield* yamlNode(value, '', '', Array.isArray(value) ? RESOURCE_LIST_LEVELS : SECTION_LEVELS);
}

/**
 * How many levels are written piece by piece; deeper values are stringified whole (each call of
 * the YAML library has a cost, so a resource is one call). A list of resources: one level. An
 * admin section (a map of lists of resources): two.
 */
const RESOURCE_LIST_LEVELS = 1;
const SECTION_LEVELS = 2;

const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

function yamlLibrary(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}

/**
 * `value` as yaml writes it at `indent`, its first line starting with `first` instead (`- ` and
 * the indent of a list item); lines after the first carry `indent`.
 */
function* yamlNode(value: unknown, indent: string, first: string, levels: number): Generator<string> {
  if (levels > 0 && Array.isArray(value) && value.length > 0) {
    let prefix = first;
    for (const item of value) {
      yield* yamlNode(item, `${indent}  `, `${prefix}- `, levels - 1);
      prefix = indent;
    }
    return;
  }
  if (levels > 0 && isPlainMap(value) && Object.keys(value).length > 0) {
    let prefix = first;
    for (const [key, item] of Object.entries(value)) {
      yield* yamlEntry(key, item, indent, prefix, levels - 1);
      prefix = indent;
    }
    return;
  }
  yield reindented(yamlLibrary().stringify(value, YAML_OPTIONS), indent, first);
}

/** One `key: value` of a map; a non-empty list or map value is split further. */
function* yamlEntry(key: string, value: unknown, indent: string, first: string, levels: number): Generator<string> {
  const splittable = levels > 0 && (Array.isArray(value) ? value.length > 0 : isPlainMap(value) && Object.keys(value).length > 0);
  const stringify = (item: unknown): string => yamlLibrary().stringify(Object.fromEntries([[key, item]]), YAML_OPTIONS);
  const heading = splittable ? /^(.*):\n {2}- null\n$/.exec(stringify([null])) : null;
  if (heading === null) {
    yield reindented(stringify(value), indent, first);
    return;
  }
  yield `${first}${heading[1] ?? ''}:\n`;
  // Under a key, a list's items are indented like a map's entries (yaml's indentSeq).
  yield* yamlNode(value, `${indent}  `, `${indent}  `, levels);
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** yaml text of a value at the top level, moved to `indent` (its first line after `first`). */
function reindented(text: string, indent: string, first: string): string {
  const lines = text.split('\n');
  // Every line but empty ones (inside block scalars yaml leaves them empty) and the final newline.
  return lines.map((line, index) => (index === 0 ? first + line : line === '' ? line : indent + line)).join('\n');
}
