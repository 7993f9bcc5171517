// The README's examples stay true: every command in it that runs on the bundled example files is
// run (through bash, pipes into jq included) and must succeed and print something.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Shell commands from the README's ```sh blocks that use the bundled examples (continuations joined). */
function exampleCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const lines = blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'));
  return lines
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('envoyscope ') && line.includes('examples/'));
}

test('the README shows commands on the bundled example', () => {
  assert.ok(exampleCommands().length >= 15, `found ${exampleCommands().length}`);
});

test('every README example on the bundled files runs and prints something', { skip: spawnSync('jq', ['--version']).error ? 'jq is not installed' : false }, () => {
  for (const command of exampleCommands()) {
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `envoyscope() { "${process.execPath}" bin/envoyscope.js "$@"; }; ${command}`], {
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
