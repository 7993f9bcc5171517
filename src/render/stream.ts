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
  /** Writes a value: a scalar whole, a container's opening (its members follow from the stack). */
  const open = (raw: unknown, depthIndent: string): void => {
    const value = toJsonValue(raw);
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
  open(root, nested);
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
      const item = frame.items[frame.index++];
      // JSON.stringify writes null for what JSON cannot hold (undefined, functions) inside arrays.
      open(isSkipped(toJsonValue(item)) ? null : item, inner);
      continue;
    }
    if (frame.index === frame.keys.length) {
      out += frame.wrote ? `\n${frame.indent}}` : '}';
      stack.pop();
      continue;
    }
    const key = frame.keys[frame.index++] as string;
    const value = frame.object[key];
    if (isSkipped(toJsonValue(value))) continue;
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
      yield* indentedYamlItem(config);
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
 * What yaml.stringify(value) gives, in chunks: a list item by item, a map entry by entry (and a
 * map's list values item by item), so `pc all -o yaml` holds one section in memory at a time.
 */
export function* yamlChunks(value: unknown): Generator<string> {
  const stringify = (item: unknown): string => yamlLibrary().stringify(item, YAML_OPTIONS);
  if (Array.isArray(value)) {
    if (value.length === 0) yield '[]\n';
    for (const item of value) yield stringify([item]);
    return;
  }
  if (typeof value !== 'object' || value === null || Object.keys(value).length === 0) {
    yield stringify(value);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!Array.isArray(item) || item.length === 0) {
      yield stringify(Object.fromEntries([[key, item]]));
      continue;
    }
    // `key:` then the items, indented as yaml indents a list under a key.
    const [heading = ''] = stringify(Object.fromEntries([[key, [null]]])).split('\n');
    yield `${heading}\n`;
    for (const element of item) yield* indentedYamlItem(element);
  }
}

/** One list item under a key: `  - …`. */
function* indentedYamlItem(item: unknown): Generator<string> {
  yield yamlLibrary().stringify([item], YAML_OPTIONS).replace(/^(?=.)/gm, '  ');
}

const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

function yamlLibrary(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}
