import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDuration, parseOutput, parsePort, parsePositiveInteger, translateIstioctlFlags } from '../src/cli/flags.ts';
import { ExitCode, UsageError } from '../src/errors.ts';
import { PC_KINDS } from '../src/render/proxyConfig.ts';
import { commandTree, runCli } from './helpers/cli.ts';

const example = join(fileURLToPath(new URL('..', import.meta.url)), 'examples', 'reviews-v1.config_dump.json');

test('flag values', () => {
  assert.equal(parseDuration('15s', '--timeout'), 15_000);
  assert.equal(parseDuration('500ms', '--timeout'), 500);
  assert.equal(parseDuration('1m', '--timeout'), 60_000);
  assert.equal(parseDuration('2.5', '--timeout'), 2_500);
  assert.equal(parsePort('15000', '--proxy-admin-port'), 15_000);
  assert.equal(parseOutput('yaml'), 'yaml');
  for (const bad of [
    () => parseDuration('soon', '--timeout'),
    () => parseDuration('0s', '--timeout'),
    () => parsePort('0', '--port'),
    () => parsePort('65536', '--port'),
    () => parsePort('80a', '--port'),
    () => parseOutput('wid'),
  ]) {
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

test('every enumerated flag of every command rejects an unknown value: one line listing the accepted ones, exit 64', async () => {
  let checked = 0;
  for (const { path, command } of commandTree()) {
    for (const option of command.options) {
      const choices = option.argChoices;
      if (!choices || !option.long) continue;
      const result = await runCli([...path, option.long, 'UNHEALTY']);
      assert.equal(result.code, 64, `${[...path, option.long].join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.split('\n').length, 2, result.stderr);
      for (const choice of choices) assert.ok(result.stderr.includes(choice), `${option.long}: ${result.stderr}`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `only ${checked} enumerated flags found`);
});

test('enumerated filters accept any case and filter on the listed spelling', async () => {
  const upper = await runCli(['pc', 'listener', '-f', example, '--type', 'HTTP']);
  const lower = await runCli(['pc', 'listener', '-f', example, '--type', 'http']);
  assert.equal(lower.code, 0, lower.stderr);
  assert.equal(lower.stdout, upper.stdout);
  assert.ok(upper.stdout.split('\n').length > 3);
  const typo = await runCli(['pc', 'endpoint', '-f', example, '--status', 'UNHEALTY']);
  assert.equal(typo.code, 64);
  assert.match(typo.stderr, /^error: --status "UNHEALTY" is not one of: UNKNOWN, HEALTHY, UNHEALTHY, DRAINING, TIMEOUT, DEGRADED/);
});

test('--verbose=false is accepted by every pc kind', async () => {
  // istioctl's dump kinds (not envoyscope's own pc commands such as trace).
  for (const { path } of commandTree().filter(({ path }) => path[0] === 'proxy-config' && PC_KINDS.some((kind) => kind === path[1]))) {
    const result = await runCli([...path, '-f', example, '--verbose=false']);
    assert.equal(result.code, 0, `${path.join(' ')}: ${result.stderr}`);
    assert.notEqual(result.stdout, '');
  }
});

test('pc all applies --port to routes and clusters too, and names on stderr what each filter does not narrow', async () => {
  const result = await runCli(['pc', 'all', '-f', example, '--port', '9080', '--type', 'HTTP']);
  assert.equal(result.code, 0, result.stderr);
  const routeNames = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('route/'))
    .map((line) => line.split(/\s+/)[0]);
  assert.ok(routeNames.length > 0 && routeNames.every((name) => name === 'route/9080' || name === 'route/inbound|9080||'), routeNames.join(' '));
  const clusterRows = result.stdout.split('\n').filter((line) => line.startsWith('cluster/'));
  assert.ok(clusterRows.length > 0 && clusterRows.every((line) => line.includes('|9080|')), clusterRows.join('\n'));
  assert.match(result.stderr, /^note: --type filters only the listeners section; the others are shown whole$/m);
  const json = await runCli(['pc', 'all', '-f', example, '--port', '9080', '-o', 'json']);
  assert.match(json.stderr, /^note: pc all -o json prints the whole dump; --port not applied$/m);
});
