// Output written piece by piece is byte for byte what the one-string formatters give.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { jsonChunks, wholeDumpChunks, yamlChunks } from '../src/render/stream.ts';
import { oddDump } from './helpers/oddDumps.ts';

const example = fileURLToPath(new URL('../examples/reviews-v1.config_dump.json', import.meta.url));
const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

const values: unknown[] = [
  JSON.parse(readFileSync(example, 'utf8')),
  { a: 'x\n\ny', b: [[1, [2, {}]], [], {}, null, 'multi\nline\n\n', -0, 1e21], '@type': { 'x y': [{ k: '|', 'a: b': '- c' }] }, __proto__x: true },
  JSON.parse('{"__proto__": {"a": [1]}, "": ""}'),
  [[]],
  'text',
  5,
  null,
  true,
  ...Array.from({ length: 60 }, (_, seed) => JSON.parse(oddDump(seed).replace(/^\ufeff/, '')) as unknown),
];

test('jsonChunks writes what JSON.stringify(value, null, 4) writes', () => {
  for (const value of values) assert.equal([...jsonChunks(value)].join(''), `${JSON.stringify(value, null, 4)}\n`);
  assert.equal(
    [...jsonChunks({ a: undefined, b: [undefined, () => 1], c: Number.NaN })].join(''),
    `${JSON.stringify({ a: undefined, b: [undefined, () => 1], c: Number.NaN }, null, 4)}\n`,
  );
});

test('yamlChunks writes what yaml.stringify writes', () => {
  for (const value of values) assert.equal([...yamlChunks(value)].join(''), stringify(value, YAML_OPTIONS));
});

test('a dump written section by section is the dump written whole', () => {
  for (const value of values) {
    if (typeof value !== 'object' || value === null || !('configs' in value) || !Array.isArray(value.configs) || Object.keys(value).length !== 1) continue;
    assert.equal([...wholeDumpChunks(value.configs, 'json')].join(''), `${JSON.stringify(value, null, 4)}\n`);
    assert.equal([...wholeDumpChunks(value.configs, 'yaml')].join(''), stringify(value, YAML_OPTIONS));
  }
  assert.equal([...wholeDumpChunks([], 'json')].join(''), `${JSON.stringify({ configs: [] }, null, 4)}\n`);
  assert.equal([...wholeDumpChunks([], 'yaml')].join(''), stringify({ configs: [] }, YAML_OPTIONS));
});

test('toJSON is called once per value, as JSON.stringify calls it (a Date, a counted object)', () => {
  let calls = 0;
  const counted = {
    toJSON: () => {
      calls++;
      return { seen: true };
    },
  };
  const value = { when: new Date(0), items: [counted], counted };
  assert.equal([...jsonChunks(value)].join(''), `${JSON.stringify(value, null, 4)}\n`);
  assert.equal(calls, 4, 'twice for JSON.stringify, twice for jsonChunks');
});
