import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDuration, parseOutput, parsePort, parsePositiveInteger, translateIstioctlFlags } from '../src/cli/flags.ts';
import { ExitCode, UsageError } from '../src/errors.ts';
import { runCli } from './helpers/cli.ts';

const example = join(fileURLToPath(new URL('..', import.meta.url)), 'examples', 'reviews-v1.config_dump.json');

test('flag values', () => {
  assert.equal(parseDuration('15s', '--timeout'), 15_000);
  assert.equal(parseDuration('500ms', '--timeout'), 500);
  assert.equal(parseDuration('1m', '--timeout'), 60_000);
  assert.equal(parseDuration('2.5', '--timeout'), 2_500);
  assert.equal(parsePort('15000', '--proxy-admin-port'), 15_000);
  assert.equal(parseOutput('yaml'), 'yaml');
  for (const bad of [() => parseDuration('soon', '--timeout'), () => parseDuration('0s', '--timeout'), () => parsePort('0', '--port'), () => parsePort('65536', '--port'), () => parsePort('80a', '--port'), () => parseOutput('wide')]) {
    assert.throws(bad, UsageError);
  }
});

test('--concurrency takes a positive integer, checked before any I/O', async () => {
  assert.equal(parsePositiveInteger('8', '--concurrency'), 8);
  assert.equal(parsePositiveInteger('1', '--concurrency'), 1);
  for (const bad of ['0', '-1', '2.5', 'eight', '', '1e3', '99999999999999999999']) {
    const result = await runCli(['pc', 'cluster', '-f', example, '--concurrency', bad]);
    assert.equal(result.code, ExitCode.USAGE, bad);
    assert.equal(result.stdout, '', bad);
    assert.match(result.stderr, /^error: --concurrency "[^\n]*" is not a positive integer \(e\.g\. 8\) \(see --help\)\n$/, bad);
  }
});

test("istioctl's --verbose=false is the summary table; --verbose=true is the default", async () => {
  assert.deepEqual(translateIstioctlFlags(['pc', 'l', '--verbose=false', '-v']), ['pc', 'l', '--summary', '-v']);
  assert.deepEqual(translateIstioctlFlags(['--verbose=true']), []);
  const summary = await runCli(['pc', 'listener', '-f', example, '--verbose=false']);
  assert.match(summary.stdout, /^ADDRESSES\s+PORT\s+TYPE\n/);
  const detailed = await runCli(['pc', 'listener', '-f', example, '--verbose=true']);
  assert.match(detailed.stdout, /^ADDRESSES\s+PORT\s+MATCH\s+DESTINATION\n/);
});

test("istioctl's aliases and kubectl's flag placement work", async () => {
  const expected = (await runCli(['proxy-config', 'clusters', '-f', example, '--fqdn', 'ratings'])).stdout;
  for (const argv of [
    ['pc', 'c', '-f', example, '--fqdn', 'ratings'],
    ['pc', 'cluster', '--fqdn', 'ratings', '-f', example],
    ['-n', 'default', 'pc', 'cluster', '-f', example, '--fqdn', 'ratings'],
  ]) {
    const result = await runCli(argv);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, expected, argv.join(' '));
  }
});
