// The README's live examples, run as printed against `npm run cluster`'s mesh in both of its modes
// (the bundled example, and the captured bookinfo mesh when ../shared/corpus is there).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipWithoutCorpus } from './helpers/corpus.ts';
import { startFakeCluster } from './cluster/index.ts';
import { readmeMesh } from './cluster/readmeMesh.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const jqMissing = spawnSync('jq', ['--version']).error ? 'jq is not installed' : false;

/** README commands that need a cluster: not on the bundled files, not shell set-up, not a bare admin URL. */
function liveCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^envoyscope (pc|proxy-config|zc|ztunnel-config|version)\b/.test(line) && !line.includes('examples/') && !line.includes('--admin-url'));
}

test('the README has live examples', () => {
  assert.ok(liveCommands().length >= 6, liveCommands().join('\n'));
});

for (const [mode, withCorpus, skip] of [
  ['the bundled example', false, jqMissing],
  ['the captured bookinfo mesh', true, skipWithoutCorpus || jqMissing],
] as const) {
  describe(`README live examples against npm run cluster serving ${mode}`, { skip }, () => {
    test('each runs as printed, succeeds and prints something', async () => {
      const cluster = await startFakeCluster(readmeMesh(withCorpus).scenario);
      try {
        for (const command of liveCommands()) {
          const result = await runInBash(command, cluster.kubeconfigPath);
          assert.equal(result.status, 0, `${command}\n${result.stderr}`);
          assert.notEqual(result.stdout.trim(), '', `${command} printed nothing`);
        }
      } finally {
        await cluster.close();
      }
    });
  });
}

/**
 * Runs one README line through bash with `envoyscope` bound to the built CLI. Asynchronously: the
 * fake cluster lives in this process and must keep answering.
 */
function runInBash(command: string, kubeconfig: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', `envoyscope() { "${process.execPath}" bin/envoyscope.cjs "$@"; }; ${command}`], {
      cwd: root,
      env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
