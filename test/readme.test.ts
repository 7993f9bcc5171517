// The README's examples stay true: every command in it that runs on the bundled example files is
// run (through bash, pipes into jq included) and must succeed and print something.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../src/errors.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Shell commands from the README's ```sh blocks that use the bundled examples (continuations joined). */
function exampleCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const lines = blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'));
  return lines.map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line.startsWith('envoyscope ') && line.includes('examples/'));
}

test('the README shows commands on the bundled example', () => {
  assert.ok(exampleCommands().length >= 15, `found ${exampleCommands().length}`);
});

test('every README example on the bundled files runs and prints something', {
  skip: spawnSync('jq', ['--version']).error ? 'jq is not installed' : false,
}, () => {
  for (const command of exampleCommands()) {
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `envoyscope() { "${process.execPath}" bin/envoyscope.cjs "$@"; }; ${command}`], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(result.status, 0, `${command}\n${result.stderr}`);
    assert.notEqual(result.stdout.trim(), '', `${command} printed nothing`);
    const lines = result.stdout.trim().split('\n');
    assert.ok(!(lines.length === 1 && /^[A-Z ]+$/.test(lines[0] ?? '')), `${command} printed only a header`);
  }
});

/** The first column of every table row under a README heading, up to the next heading of any level. */
function firstColumn(heading: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `README has no "${heading}"`);
  const section = readme.slice(start + heading.length).split(/\n#+ /)[0] ?? '';
  return [...section.matchAll(/^\| ([^|]+?) \|/gm)].map((m) => m[1] ?? '').filter((cell) => !/^(code|-+)$/.test(cell));
}

test('the README documents exactly the exit codes the code has', () => {
  const general = firstColumn('## Exit codes');
  const live = firstColumn('### When something goes wrong').map(Number);
  const range = general.find((cell) => /^\d+–\d+$/.test(cell));
  assert.equal(range, `${Math.min(...live)}–${Math.max(...live)}`, 'the live range names the live table');
  const documented = [...general.filter((cell) => /^\d+$/.test(cell)).map(Number), ...live].sort((a, b) => a - b);
  const defined = [...new Set(Object.values(ExitCode))].sort((a, b) => a - b);
  assert.deepEqual(documented, defined);
});

test('npm pack ships the LICENSE, the bins, the build and every examples/ file the README names', {
  skip: spawnSync('npm', ['--version']).error ? 'npm is not installed' : false,
}, () => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the other tests' feet.
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const files = new Set((JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]?.files.map((file) => file.path));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const referenced = new Set([...readme.matchAll(/examples\/[\w.-]+/g)].map((m) => m[0]));
  assert.ok(referenced.size >= 2);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; license: string };
  for (const path of [
    ...referenced,
    'LICENSE',
    'README.md',
    'dist/cli/envoyscope.cjs',
    'dist/cli/launch.cjs',
    'generated/envoy-schema.json',
    ...Object.values(pkg.bin),
  ])
    assert.ok(files.has(path), `${path} is not packed`);
  assert.equal(pkg.license, 'Apache-2.0');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^\s*Apache License\s+Version 2\.0, January 2004/);
});
