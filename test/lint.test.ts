// The lint rules that guard against issue 7's defects are really on: a file with one of each defect
// is linted with the project's own biome.jsonc, and every rule must name its line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const DEFECTS = [
  'async function fetchLater(): Promise<number> {',
  '  return 1;',
  '}',
  // noFloatingPromises: a rejection nobody handles ends the process with a trace.
  'export function start(): void {',
  '  fetchLater();',
  '}',
  // noUnsafeReturn: JSON.parse gives `any`, and the declared `number` is never checked.
  'export function port(text: string): number {',
  '  return JSON.parse(text);',
  '}',
  // noExplicitAny: the same hole, written by hand.
  'export function name(value: any): string {',
  '  return value.name;',
  '}',
  // useExhaustiveSwitchCases: a member of the union falls through silently.
  "export function label(kind: 'listener' | 'route'): string {",
  '  switch (kind) {',
  "    case 'listener':",
  "      return 'L';",
  '  }',
  "  return '';",
  '}',
  '',
].join('\n');

test('the linter rejects a floating promise, an unchecked any from JSON and a switch that forgets a case', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'envoyscope-lint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  copyFileSync(join(root, 'biome.jsonc'), join(dir, 'biome.jsonc'));
  writeFileSync(join(dir, 'src', 'defects.ts'), DEFECTS);
  // Outside a git checkout, so the config's .gitignore lookup is switched off.
  const result = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['lint', '--vcs-enabled=false', '--max-diagnostics=50', '.'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(result.status, 1, result.stdout + result.stderr);
  const output = result.stdout + result.stderr;
  for (const [rule, line] of [
    ['nursery/noFloatingPromises', 5],
    ['nursery/noUnsafeReturn', 8],
    ['suspicious/noExplicitAny', 10],
    ['nursery/useExhaustiveSwitchCases', 14],
  ] as const) {
    assert.match(output, new RegExp(`src/defects\\.ts:${line}:\\d+ lint/${rule}\\b`), `${rule} on line ${line}\n${output}`);
  }
});
