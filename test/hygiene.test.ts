// The test runner wrapper (scripts/test.ts): a private TMPDIR that must be left empty, and a plain
// count of the tests skipped for want of ../shared/corpus.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function runSuite(files: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Without NODE_TEST_CONTEXT: this file runs as a node:test child, and a nested run would report to it.
    const { NODE_TEST_CONTEXT: _parent, ...outer } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/test.ts', ...files], { cwd: root, env: { ...outer, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a test that leaves something in the temp directory fails the run, and is named', async () => {
  const result = await runSuite(['test/fixtures/leaves-a-temp-dir.ts']);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^ok 1 - leaves a folder behind/m, 'the test itself passed');
  assert.match(result.stderr, /error: the tests left 1 entries in the temp directory: envoyscope-forgotten-/);
});

test('without ../shared/corpus the run says how many tests were skipped for it, subtests included', async () => {
  const result = await runSuite(['test/conformance.test.ts', 'test/views-cluster-endpoint.test.ts'], { ENVOYSCOPE_TEST_CORPUS: `${root}no-such-corpus` });
  assert.equal(result.code, 0, result.stderr);
  const skipped = Number(/^# skipped (\d+)$/m.exec(result.stdout)?.[1]);
  assert.ok(skipped >= 5, result.stdout.slice(-400));
  assert.match(result.stderr, new RegExp(`^skipped: ${skipped} tests \\(subtests included\\), ${skipped} of them because \\.\\./shared/corpus is absent`, 'm'));
});
