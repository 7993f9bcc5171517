// Help a newcomer can use: every command's --help lists its flags and the global ones, and shows
// two or three examples; those that read the bundled example files run as printed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../src/cli/run.ts';
import { commandTree, runCli } from './helpers/cli.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every command's words on the command line, commander's own `help` command left out. */
function commandPaths(): string[][] {
  return commandTree()
    .map(({ path }) => path)
    .filter((path) => path.at(-1) !== 'help');
}

/** A help example's words, as a POSIX shell would split them (quotes only; no pipes wanted here). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

test('every command: its own flags, the global flags and at least two examples in --help', async () => {
  const paths = commandPaths();
  assert.ok(paths.length >= 12, `${paths.length} commands`);
  for (const path of paths) {
    const result = await runCli([...path, '--help']);
    const what = path.join(' ') || 'envoyscope';
    assert.equal(result.code, 0, what);
    assert.equal(result.stderr, '', what);
    assert.match(result.stdout, /^Usage: envoyscope/, what);
    assert.match(result.stdout, /\nOptions:\n/, what);
    if (path.length > 0) assert.match(result.stdout, /\nGlobal Options:\n(.*\n)*\s+-n, --namespace/, what);
    const examples =
      result.stdout
        .split('\nExamples:\n')[1]
        ?.split('\n')
        .filter((line) => line.startsWith('  envoyscope')) ?? [];
    assert.ok(examples.length >= 2, `${what}: ${examples.length} examples`);
  }
});

test('help examples on the bundled files run as printed', async () => {
  let ran = 0;
  for (const path of commandPaths()) {
    const help = (await runCli([...path, '--help'])).stdout;
    const examples =
      help
        .split('\nExamples:\n')[1]
        ?.split('\n')
        .map((line) => line.trim()) ?? [];
    for (const example of examples.filter((line) => line.includes('examples/') && !/[|>]/.test(line.replace(/"[^"]*"/g, '')))) {
      const argv = words(example)
        .slice(1)
        .map((word) => (word.startsWith('examples/') ? `${root}${word}` : word));
      const result = await runCli(argv);
      assert.equal(result.code, 0, `${example}: ${result.stderr}`);
      assert.ok(result.stdout.trim().split('\n').length > 1, `${example} printed too little`);
      ran++;
    }
  }
  assert.ok(ran >= 12, `${ran} examples ran`);
});

test('envoyscope version: the client version, and with a proxy its Istio and Envoy versions', async () => {
  const client = await runCli(['version']);
  assert.equal(client.code, 0);
  assert.equal(client.stdout, `envoyscope version: ${VERSION}\n`);
  const proxy = await runCli(['version', '-f', `${root}examples/reviews-v1.config_dump.json`]);
  assert.equal(proxy.code, 0, proxy.stderr);
  assert.match(proxy.stdout, /^envoyscope version: .*\nIstio Version: +1\.22\.3\nIstio Proxy Version: +\w+\nEnvoy Version: +1\.30\.4\//);
  const missing = await runCli(['version', '-f', `${root}examples/no-such-file.json`]);
  assert.equal(missing.code, 66);
});
