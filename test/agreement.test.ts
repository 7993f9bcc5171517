// One meaning of a document: whether the section scanner (big inputs) or one full JSON.parse
// (small inputs) reads a valid dump, every command prints the same thing and ends the same way.
// `npm test` runs a few hundred generated dumps; `npm run fuzz` (FUZZ_RUNS) runs many more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeInput } from '../src/envoy/input.ts';
import { EnvoyscopeError } from '../src/errors.ts';
import { formatRendered, missingAllSections, PC_KINDS, renderProxyConfig, sectionsToDecode, type PcKind } from '../src/render/proxyConfig.ts';
import type { OutputFormat } from '../src/render/output.ts';
import { FROZEN_NOW } from './helpers/cli.ts';
import { oddDump } from './helpers/oddDumps.ts';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 120);
const OUTPUTS: OutputFormat[] = ['short', 'json', 'raw'];

/** What a command shows for `text`, read by the scanner (`sliced`) or by one full parse. */
function outcome(text: string, kind: PcKind, output: OutputFormat, sliced: boolean): string {
  try {
    const input = decodeInput(Buffer.from(text), 'dump.json', {
      only: sectionsToDecode(kind, output),
      sliceFromBytes: sliced ? 0 : Number.POSITIVE_INFINITY,
    });
    const rendered = renderProxyConfig(input, {
      kind,
      output,
      filters: { listener: {}, route: {}, cluster: {}, endpoint: {} },
      detailed: true,
      withHeaders: true,
      source: 'dump.json',
      now: FROZEN_NOW,
    });
    return `${formatRendered(rendered)}\nmissing: ${kind === 'all' ? missingAllSections(input).join(', ') : ''}`;
  } catch (error) {
    if (!(error instanceof EnvoyscopeError)) throw error;
    return `exit ${error.exitCode}`;
  }
}

test('the scanner and a full parse agree on odd but valid dumps', () => {
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const text = oddDump(seed);
      assert.doesNotThrow(() => JSON.parse(text.replace(/^\ufeff/, '')) as unknown, `seed ${seed} generated invalid JSON`);
      for (const kind of PC_KINDS) {
        for (const output of OUTPUTS) {
          assert.equal(outcome(text, kind, output, true), outcome(text, kind, output, false), `seed ${seed}: pc ${kind} -o ${output}`);
        }
      }
    }),
    { numRuns: RUNS },
  );
});

test('the generator makes the cases it is meant to make', () => {
  const texts = Array.from({ length: 300 }, (_, seed) => oddDump(seed));
  const has = (pattern: RegExp): number => texts.filter((text) => pattern.test(text)).length;
  assert.ok(has(/"configs"[\s\S]*"configs"/) > 10, 'duplicate configs');
  assert.ok(has(/\\u00/) > 10, 'escapes');
  assert.ok(has(/^\ufeff/) > 10, 'BOM');
  assert.ok(has(/"cluster_?[sS]tatuses"/) > 10, 'cluster_statuses');
  assert.ok(has(/"@type"[^{]*ConfigDump[^{]*"@type"/) > 10, 'duplicate @type');
});
