import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeConfigDump } from '../src/envoy/decode.ts';
import { decodeInput } from '../src/envoy/input.ts';
import type { SectionKind } from '../src/envoy/model.ts';
import { JsonSyntaxError } from '../src/envoy/jsonSyntax.ts';
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
