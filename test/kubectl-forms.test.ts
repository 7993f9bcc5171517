// kubectl's command-line habits on live pods: `-n=ns`, `-o=json`, `--namespace ns`, flags before or
// after the target, -A with -l, -i, and kubeconfig/context errors with the README's exit codes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../src/errors.ts';
import { normalizeArgv } from '../src/cli/flags.ts';
import { tinySidecar } from './cluster/tinyMesh.ts';
import { runCli } from './helpers/cli.ts';
import { sharedCluster } from './helpers/sharedCluster.ts';

const example = join(fileURLToPath(new URL('..', import.meta.url)), 'examples', 'reviews-v1.config_dump.json');
const REVIEWS = 'reviews-v1-cb8655c75-b97zc';
const OTHER = 'reviews-v9-5d4c3b2a1-zzzzz';

const shared = sharedCluster(() => ({
  pods: [
    { name: REVIEWS, labels: { app: 'reviews' }, envoy: tinySidecar(REVIEWS, 'default', '10.0.0.5') },
    { name: OTHER, namespace: 'team-b', labels: { app: 'reviews' }, envoy: tinySidecar(OTHER, 'team-b', '10.0.0.6') },
  ],
}));

const { live } = shared;

test('-X=value becomes -X value, except after --', () => {
  assert.deepEqual(normalizeArgv(['-n=default', 'pc', 'l', '-o=json', '--', '-n=x']), ['-n', 'default', 'pc', 'l', '-o', 'json', '--', '-n=x']);
  assert.deepEqual(normalizeArgv(['--namespace=a=b']), ['--namespace=a=b']);
});

test("kubectl's flag spellings and placements all reach the same pod with the same output", async () => {
  const expected = await live(['pc', 'cluster', REVIEWS, '-n', 'default', '-o', 'json']);
  assert.equal(expected.code, 0, expected.stderr);
  assert.notEqual(expected.stdout, '');
  for (const argv of [
    ['pc', 'cluster', REVIEWS, '-n=default', '-o=json'],
    ['-n=default', 'pc', 'cluster', '-o=json', REVIEWS],
    ['--namespace', 'default', 'proxy-config', 'clusters', '--output', 'json', REVIEWS],
    ['pc', 'cluster', '--namespace=default', '--output=json', REVIEWS],
    ['pc', 'c', '-o', 'json', REVIEWS, '--namespace', 'default'],
  ]) {
    const result = await live(argv);
    assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, expected.stdout, argv.join(' '));
  }
});

test('-A/--all-namespaces with -l asks the matching pods of every namespace; -A needs -l', async () => {
  for (const flag of ['-A', '--all-namespaces']) {
    const result = await live(['pc', 'cluster', '-l', 'app=reviews', flag]);
    assert.equal(result.code, 0, result.stderr);
    const pods = result.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);
    assert.deepEqual([...new Set(pods)], [`${REVIEWS}.default`, `${OTHER}.team-b`], result.stdout);
  }
  const one = await live(['pc', 'cluster', '-l', 'app=reviews']);
  assert.ok(!one.stdout.includes(OTHER), 'without -A only the current namespace');
  const none = await live(['pc', 'listener', '-l', 'app=nothing', '-A']);
  assert.equal(none.code, ExitCode.NO_PODS_MATCH);
  assert.match(none.stderr, /^error: no pods match selector "app=nothing" in any namespace\n$/);
  const withoutSelector = await live(['pc', 'listener', REVIEWS, '-A']);
  assert.equal(withoutSelector.code, ExitCode.USAGE);
  assert.match(withoutSelector.stderr, /-A\/--all-namespaces goes with -l\/--selector/);
});

test('-i/--istio-namespace is a global flag, accepted before or after the command', async () => {
  for (const argv of [
    ['-i', 'istio-other', 'pc', 'l', '-f', example],
    ['pc', 'l', '-f', example, '--istio-namespace=istio-other'],
    ['pc', 'l', '-i=x', '-f', example],
  ]) {
    const result = await runCli(argv);
    assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
  }
});

test("--kubeconfig and --context errors exit with the README's code 26, in one line", async () => {
  const missing = await live(['pc', 'listener', REVIEWS, '--kubeconfig', join(shared.cluster.dir, 'no-such-kubeconfig')]);
  assert.equal(missing.code, ExitCode.KUBECONFIG, missing.stderr);
  assert.match(missing.stderr, /^error: [^\n]*no-such-kubeconfig[^\n]*\n$/);
  const context = await live(['--context', 'no-such-context', 'pc', 'listener', REVIEWS]);
  assert.equal(context.code, ExitCode.KUBECONFIG, context.stderr);
  assert.match(context.stderr, /^error: [^\n]*no-such-context[^\n]*\n$/);
  const other = await live(['--context=fake-istio', 'pc', 'listener', `${REVIEWS}.default`, '--port', '9080']);
  assert.equal(other.code, 0, other.stderr);
});
