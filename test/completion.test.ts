// Shell completion: answered from the command tree, pod names from a live cluster within a time
// budget, and the bash script driven the way bash drives it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { buildProgram } from '../src/cli/run.ts';
import { choiceOption } from '../src/cli/flags.ts';
import { complete } from '../src/cli/complete.ts';
import { testStreams } from '../src/io/streams.ts';
import { startFakeCluster, type FakeCluster } from './cluster/index.ts';
import { tinySidecar } from './cluster/tinyMesh.ts';
import { BIN, runBinSync } from './helpers/bin.ts';
import { FROZEN_NOW, runCli } from './helpers/cli.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const POD = 'reviews-v1-cb8655c75-b97zc';

let cluster: FakeCluster;
before(async () => {
  cluster = await startFakeCluster({
    pods: [
      { name: POD, labels: { app: 'reviews' }, envoy: tinySidecar(POD, 'default', '10.0.0.5') },
      { name: 'outside-mesh-1', labels: { app: 'plain' } },
      { name: 'other-ns-pod', namespace: 'team-b', labels: { app: 'reviews' }, envoy: tinySidecar('other-ns-pod', 'team-b', '10.0.0.6') },
    ],
  });
});
after(() => cluster.close());

/** `envoyscope __complete <words…>`: candidates, then the directive. */
async function candidates(words: string[], env: NodeJS.ProcessEnv = {}): Promise<{ values: string[]; directive: string }> {
  const result = await runCli(['__complete', ...words], { env });
  assert.equal(result.code, 0);
  assert.equal(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  return { values: lines.slice(0, -1), directive: lines.at(-1) ?? '' };
}

test('commands, kinds, aliases, flags and enumerated values come from the command tree', async () => {
  assert.deepEqual((await candidates([''])).values, ['proxy-config', 'proxy-status', 'istiod', 'ztunnel-config', 'version', 'completion']);
  assert.deepEqual((await candidates(['p'])).values, ['proxy-config', 'pc', 'proxy-status', 'ps']);
  const kinds = (await candidates(['pc', ''])).values;
  for (const kind of ['listener', 'route', 'cluster', 'endpoint', 'bootstrap', 'secret', 'ecds', 'all']) assert.ok(kinds.includes(kind), kind);
  assert.ok(!kinds.includes('eds') && !kinds.includes('help'), 'hidden commands and help are not offered');
  assert.ok((await candidates(['pc', 'route', '--'])).values.includes('--namespace'), 'global flags too');
  assert.deepEqual((await candidates(['pc', 'r', '--o'])).values, ['--output']);
  assert.deepEqual((await candidates(['-n', 'default', 'pc', 'ep', '--status', 'UN'])).values, ['UNKNOWN', 'UNHEALTHY']);
  assert.deepEqual((await candidates(['pc', 'route', '--output=y'])).values, ['--output=yaml']);
  assert.deepEqual((await candidates(['completion', ''])).values, ['bash', 'zsh', 'fish', 'powershell']);
  assert.deepEqual(await candidates(['pc', 'route', '-f', '']), { values: [], directive: ':0' }, 'file names after -f');
  assert.equal((await candidates(['pc', 'route', '--name', ''])).directive, ':4');
});

test('a command added later completes with no change to the completion code', async () => {
  const program = buildProgram({ io: testStreams(), now: () => FROZEN_NOW, env: {} });
  program.addCommand(new Command('mesh-status').addCommand(new Command('workload').addOption(choiceOption('--mode <mode>', 'x', ['a', 'b']))));
  const nothing = async (): Promise<string[]> => [];
  const none = { pods: nothing, namespaces: nothing, contexts: nothing };
  assert.deepEqual((await complete(program, ['mesh-'], none)).candidates, ['mesh-status']);
  assert.deepEqual((await complete(program, ['mesh-status', 'workload', '--mode', ''], none)).candidates, ['a', 'b']);
});

test('pod names (sidecars of the namespace), namespaces and contexts when a kubeconfig is reachable; -n picks the namespace', async () => {
  const env = { KUBECONFIG: cluster.kubeconfigPath };
  assert.deepEqual((await candidates(['pc', 'route', ''], env)).values, [POD]);
  assert.deepEqual((await candidates(['pc', 'route', '-n', 'team-b', 'o'], env)).values, ['other-ns-pod']);
  assert.deepEqual((await candidates(['pc', 'route', ''], {})).values, [], 'no kubeconfig: nothing, no error');
  assert.deepEqual((await candidates(['pc', 'route', '-n', 't'], env)).values, ['team-b'], 'namespaces');
  assert.deepEqual((await candidates(['--context', ''], env)).values, ['fake', 'fake-istio'], 'contexts from the kubeconfig');
  assert.deepEqual((await candidates(['--context', 'fake', 'pc', 'route', '-n', 'team-b', ''], env)).values, ['other-ns-pod']);
});

test('a dead cluster never blocks the shell: nothing is offered within the time budget', async () => {
  const dead = await cluster.writeKubeconfig({ server: 'https://10.255.255.1:6443', fileName: 'dead.yaml' });
  const started = Date.now();
  assert.deepEqual((await candidates(['pc', 'route', ''], { KUBECONFIG: dead })).values, []);
  assert.ok(Date.now() - started < 2500, `${Date.now() - started} ms`);
});

test('every shell gets a script that calls __complete; an unknown shell is rejected with the list', async () => {
  for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
    const result = await runCli(['completion', shell]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /__complete/);
    assert.match(result.stdout, /kubectl-envoyscope/);
  }
  const bad = await runCli(['completion', 'tcsh']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /bash, zsh, fish, powershell/);
});

test('the bash script completes through the built binary as bash would drive it', () => {
  const script = runBinSync(['completion', 'bash']).stdout;
  const drive = (line: string) => {
    const result = spawnSync(
      'bash',
      [
        '-c',
        `envoyscope() { "${process.execPath}" "${BIN}" "$@"; }
${script}
COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_envoyscope_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } },
    );
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split('\n');
  };
  assert.deepEqual(drive("envoyscope pc route -o ''"), ['short', 'wide', 'table', 'json', 'yaml', 'raw']);
  assert.deepEqual(drive('envoyscope pc cl'), ['cluster', 'clusters']);
  assert.ok(drive('envoyscope pc route -f exam').includes('examples'), 'file names after -f');
});

test('the kubectl plugin entry points are in package.json and run the CLI', () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin['kubectl-envoyscope'], 'bin/kubectl-envoyscope.cjs');
  const plugin = spawnSync(process.execPath, [pkg.bin['kubectl-envoyscope'] ?? '', 'version'], { cwd: root, encoding: 'utf8' });
  assert.match(plugin.stdout, /^envoyscope version: /);
  const completer = spawnSync(process.execPath, [pkg.bin['kubectl_complete-envoyscope'] ?? '', 'pc', 'rou'], { cwd: root, encoding: 'utf8' });
  assert.equal(completer.stdout, 'route\nroutes\n:4\n');
});
