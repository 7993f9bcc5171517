// `npm test`: runs the suite with node:test in a private TMPDIR, and fails when the tests leave
// anything in it (temp folders holding private keys, kubeconfigs, dumps). The run ends with one
// line on stderr saying how many tests were skipped, and how many for want of ../shared/corpus.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const files = process.argv.slice(2);
const privateTmp = mkdtempSync(join(tmpdir(), 'envoyscope-test-tmp-'));
const skipSummary = fileURLToPath(new URL('./skip-summary.mjs', import.meta.url));
// Given any reporter, node:test drops its default, so name it: spec on a terminal, else TAP.
const reporter = process.stdout.isTTY ? 'spec' : 'tap';

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    `--test-reporter=${skipSummary}`,
    '--test-reporter-destination=stderr',
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, TMPDIR: privateTmp } },
);

child.on('exit', (code, signal) => {
  // tsx keeps its caches in the temp dir (`tsx-<uid>`, and on Node 22+ V8's `node-compile-cache`,
  // which tsx turns on): the tools', not a test's.
  const left = readdirSync(privateTmp).filter((name) => !/^(tsx-\d+|node-compile-cache)$/.test(name));
  rmSync(privateTmp, { recursive: true, force: true });
  if (left.length > 0) process.stderr.write(`error: the tests left ${left.length} entries in the temp directory: ${left.join(', ')}\n`);
  process.exitCode = code !== 0 ? (code ?? 1) : left.length > 0 ? 1 : 0;
  if (signal) process.stderr.write(`error: the test run ended by ${signal}\n`);
});
