import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { decodeConfigDump } from '../src/envoy/decode.ts';
import { decodeInput, parseSpan } from '../src/envoy/input.ts';
import type { SectionKind } from '../src/envoy/model.ts';
import { findJsonError, JsonSyntaxError } from '../src/envoy/jsonSyntax.ts';
import { scanSlices } from '../src/envoy/sections.ts';
import { DataError } from '../src/errors.ts';
import { CORPUS_MISSING, corpusDir, corpusFiles } from './helpers/corpus.ts';

const example = fileURLToPath(new URL('../examples/reviews-v1.config_dump.json', import.meta.url));

test('slices are exactly the configs elements, with their @type', () => {
  const text = `{ "configs" : [
    {"@type": "type.googleapis.com/envoy.admin.v3.A", "s": "a \\"quoted\\" ] } [ { string é 日本 😀 \\\\", "n": [1, -2.5e3, true, null, {}]},
    {"x": 1, "@type": "late"} ,"plain", 7, [ ]
  ], "other": {"configs": "not me"} }`;
  const slices = scanSlices(Buffer.from(text));
  const parsed = (JSON.parse(text) as { configs: unknown[] }).configs;
  assert.deepEqual(
    slices?.map((s) => JSON.parse(Buffer.from(text).toString('utf8', s.start, s.end)) as unknown),
    parsed,
  );
  assert.deepEqual(
    slices?.map((s) => s.typeUrl),
    ['type.googleapis.com/envoy.admin.v3.A', 'late', undefined, undefined, undefined],
  );
});

test('anything but a plain {"configs": [...]} object is left to the full parser', () => {
  for (const text of [
    '[]',
    '{}',
    '{"configs": {"bootstrap": {}}}',
    '{"default": {"eg": {"configs": []}}}',
    '{"configs": [], "cluster_statuses": []}',
    '{"configs": [], "configs": null}',
  ]) {
    assert.equal(scanSlices(Buffer.from(text)), undefined, text);
  }
  assert.deepEqual(scanSlices(Buffer.from('{"configs": []}')), []);
  assert.deepEqual(scanSlices(Buffer.from('{"configs": null, "configs": []}')), []);
});

test('broken framing is placed at its byte', () => {
  for (const [text, offset, truncated] of [
    ['', 0, true],
    ['{"configs": [] } trailing', 17, false],
    ['{"configs": [ {"@type": "x"} ', 29, true],
    ['{"configs": [ "unterminated ]}', 30, true],
    ["{'configs': []}", 1, false],
    ['{"configs": [ {"a": 1} {"b": 2} ]}', 23, false],
  ] as const) {
    assert.throws(
      () => scanSlices(Buffer.from(text)),
      (error: unknown) => error instanceof JsonSyntaxError && error.offset === offset && error.truncated === truncated,
      text,
    );
  }
});

test('a truncated dump is never sliced, wherever it is cut', () => {
  const bytes = Buffer.from(readFileSync(example, 'utf8').trimEnd());
  for (let cut = 1; cut < bytes.length; cut += 997) {
    assert.throws(
      () => scanSlices(bytes.subarray(0, cut)),
      (error: unknown) => error instanceof JsonSyntaxError && error.truncated && error.offset === cut,
      `cut at ${cut}`,
    );
  }
});

test('decoding only the shown sections gives what a full decode gives for them', async (t) => {
  const files = [example, ...(corpusDir ? corpusFiles('dumps') : [])];
  if (!corpusDir) t.diagnostic(CORPUS_MISSING);
  const kinds: SectionKind[] = ['listeners', 'clusters', 'routes', 'endpoints', 'secrets', 'bootstrap', 'ecds'];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const full = decodeConfigDump(JSON.parse(text), file);
    for (const kind of kinds) {
      const input = decodeInput(text, file, { only: new Set([kind]), sliceFromBytes: 0 });
      assert.equal(input.kind, 'config_dump');
      if (input.kind !== 'config_dump') continue;
      assert.deepEqual(input.dump.sections, full.sections, `${file}: sections`);
      const shown = kind === 'bootstrap' ? input.dump.bootstrap : input.dump[kind];
      assert.deepEqual(shown, kind === 'bootstrap' ? full.bootstrap : full[kind], `${file}: ${kind}`);
    }
  }
});

test("a broken dump still gets the full parser's message", () => {
  const text = readFileSync(example, 'utf8');
  const broken = text.replace('"dynamic_active_clusters"', '"dynamic_active_clusters" :');
  assert.throws(
    () => decodeInput(broken, 'x.json', { only: new Set(['clusters']), sliceFromBytes: 0 }),
    (error: unknown) => error instanceof DataError && /not valid JSON/.test(error.message),
  );
  assert.throws(
    () => decodeInput(text.slice(0, 100_000), 'x.json', { only: new Set(['routes']), sliceFromBytes: 0 }),
    (error: unknown) => error instanceof DataError && /truncated/.test(error.message),
  );
});

test('the example is sliced, not parsed whole', () => {
  const slices = scanSlices(readFileSync(example));
  assert.ok(slices && slices.length >= 7);
  assert.ok(slices.every((s) => s.typeUrl?.startsWith('type.googleapis.com/envoy.admin.v3.')));
});

/** parseSpan of all of `text` with pieces of at most `pieceBytes`, as JSON text (which keeps key order). */
function inPieces(text: string, pieceBytes: number): string {
  const bytes = Buffer.from(text);
  return JSON.stringify(parseSpan(bytes, 0, bytes.length, pieceBytes));
}

test('a span too big for one parse is parsed in pieces into what JSON.parse gives', () => {
  const dump = {
    configs: [
      { '@type': 'a', dynamic_active_clusters: Array.from({ length: 40 }, (_, i) => ({ cluster: { name: `c${i}`, n: [i, { deep: [i] }] } })) },
      { '@type': 'b', list: ['x', 1, null, { y: '},\n  {' }, [], {}], s: 'é 日本 😀' },
    ],
    tail: { '2': 'integer keys come first', __proto__: 'own', z: 1 },
  };
  for (const text of [
    JSON.stringify(dump, null, 1),
    JSON.stringify(dump, null, '\t'),
    JSON.stringify(dump, null, 2).replaceAll('\n', '\r\n'),
    // No layout to go by, and a layout that lies (a deeper member at the top level's indentation):
    // the structural walk cuts them.
    JSON.stringify(dump),
    JSON.stringify(dump, null, 1).replace(',\n  "z"', ',\n "z"'),
    JSON.stringify(dump, null, 1).replace(/,\n {6}\{/g, ',\n    {'),
    // Duplicate keys in different pieces: the last wins, in the first one's place.
    `{\n "k": ${JSON.stringify(dump, null, 1)},\n "other": 1,\n "k": [${'1, '.repeat(300)}2],\n "__proto__": {"p": 1}\n}`,
  ]) {
    const expected = JSON.stringify(JSON.parse(text));
    for (const pieceBytes of [16, 200, 1000, 4000]) assert.equal(inPieces(text, pieceBytes), expected, `${pieceBytes}: ${text.slice(0, 60)}`);
  }
});

test('pieces of any pretty-printed JSON agree with JSON.parse', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(1, 2, '\t'), fc.integer({ min: 8, max: 400 }), (value, indent, pieceBytes) => {
      const text = JSON.stringify(value, null, indent);
      assert.equal(inPieces(text, pieceBytes), JSON.stringify(JSON.parse(text)));
    }),
    { numRuns: 300 },
  );
});

test('a fault in a span parsed in pieces is placed at its byte', () => {
  const good = JSON.stringify({ a: Array.from({ length: 30 }, (_, i) => ({ i, s: 'x'.repeat(i) })), b: 1 }, null, 1);
  for (const text of [good.replace('"i": 17', '"i": 17,'), good.replace('"s": "xxxx"', '"s": "xx\u0001x"'), good.slice(0, -40)]) {
    const bytes = Buffer.from(text);
    const fault = findJsonError(bytes, 0, bytes.length);
    assert.ok(fault);
    assert.throws(
      () => parseSpan(bytes, 0, bytes.length, 100),
      (error: unknown) => error instanceof JsonSyntaxError && error.offset === fault.offset,
    );
  }
});

test('a type name cut short at the very end of a section not shown is not searched past it', () => {
  const text = JSON.stringify({
    configs: [
      { '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump', note: 'x.Listen' },
      { '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: [] },
    ],
  });
  const only = new Set<SectionKind>(['listeners']);
  const dumpOf = (sliceFromBytes: number) => {
    const input = decodeInput(Buffer.from(text), 'x.json', { only, sliceFromBytes });
    return input.kind === 'config_dump' ? input.dump : undefined;
  };
  assert.deepEqual(dumpOf(0), dumpOf(Number.POSITIVE_INFINITY));
});
