// The installed binary: compiled JavaScript in dist/ (built by `npm test`), run as a user would.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runBinSync } from './helpers/bin.ts';
import { runCli } from './helpers/cli.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = join(root, 'examples', 'reviews-v1.config_dump.json');

const envoyscope = (args: string[], input?: string) =>
  runBinSync(args, { ...(input !== undefined ? { input } : {}), env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent/kubeconfig' } });

test('dist is built', () => {
  assert.ok(existsSync(join(root, 'dist', 'cli', 'envoyscope.cjs')), 'run `npm run build` first (npm test does)');
  // Built from ES modules, it runs in strict mode as they did: the directive must come first.
  assert.match(readFileSync(join(root, 'dist', 'cli', 'envoyscope.cjs'), 'utf8'), /^"use strict";/);
});

test('pc all on the bundled example prints every section, with no kubeconfig needed', () => {
  const result = envoyscope(['pc', 'all', '-f', example, '--with-headers']);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  for (const header of ['BOOTSTRAP INFO', 'CLUSTER INFO', 'LISTENER INFO', 'ROUTE INFO', 'SECRET INFO', 'ENDPOINTS INFO']) {
    assert.match(result.stdout, new RegExp(`------ ${header} ------`));
  }
  assert.match(result.stdout, /reviews\.default\.svc\.cluster\.local/);
});

test("'-f -' reads standard input; -o json is valid JSON", () => {
  const result = envoyscope(['pc', 'cluster', '-f', '-', '-o', 'json'], readFileSync(example, 'utf8'));
  assert.equal(result.code, 0, result.stderr);
  const clusters = JSON.parse(result.stdout) as { name: string }[];
  assert.ok(clusters.some((c) => c.name === 'outbound|9080|v1|reviews.default.svc.cluster.local'));
});

test('errors are one line on stderr with the documented exit code, never a stack trace', () => {
  const cases: [string[], number, RegExp][] = [
    [['pc', 'listener', '-f', 'no/such/file.json'], 66, /^error: no\/such\/file\.json: no such file$/],
    [['pc', 'listener', '-f', '-'], 65, /^error: <stdin>: is empty$/],
    [['pc', 'listener'], 64, /requires a pod name, --selector, --file, --admin-url or --waypoint/],
    [['pc', 'listener', 'x', '-f', example], 64, /not a pod name and --file/],
    [['pc', 'listener', '-f', example, '-o', 'xml'], 64, /--output "xml" is not one of: short, wide, table, json, yaml, raw/],
    [['pc', 'listener', '-f', example, '--port', 'http'], 64, /--port "http" is not a port number/],
    [['pc', 'nosuchthing'], 64, /unknown command/],
  ];
  for (const [args, status, message] of cases) {
    const result = envoyscope(args);
    assert.equal(result.code, status, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '', 'nothing on stdout');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line: ${result.stderr}`);
    assert.match(lines[0] ?? '', message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('bad input files: one line naming the file and the problem, exit 65', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envoyscope-bad-'));
  const cases: [string, string, RegExp][] = [
    ['empty.json', '', /is empty$/],
    ['truncated.json', readFileSync(example, 'utf8').slice(0, 5000), /is truncated/],
    ['not-json.txt', "{'configs': [{'@type': 'x'}]}", /is not valid JSON: it uses single-quoted strings/],
    ['pod.json', '{"apiVersion": "v1", "kind": "Pod"}', /is not an Envoy config dump: expected a "configs" field/],
  ];
  try {
    for (const [name, content, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const result = envoyscope(['pc', 'cluster', '-f', path]);
      assert.equal(result.code, 65, `${name}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
      assert.ok(result.stderr.startsWith(`error: ${path}: `), result.stderr);
      assert.match(result.stderr.trimEnd(), message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no arguments: the help on stdout, exit 0 (kubectl); a group without its subcommand: help on stderr, exit 64', () => {
  const bare = envoyscope([]);
  assert.equal(bare.code, 0);
  assert.match(bare.stdout, /^Usage: envoyscope/);
  assert.equal(bare.stderr, '');
  const group = envoyscope(['pc']);
  assert.equal(group.code, 64);
  assert.equal(group.stdout, '');
  assert.match(group.stderr, /^Usage: envoyscope/);
  assert.doesNotMatch(group.stderr, /outputHelp/);
});

test('--help and --version succeed', async () => {
  const version = envoyscope(['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  // The binary answers a lone --version before loading the CLI: the same answer as the command tree's.
  assert.equal(version.stdout, (await runCli(['--version'])).stdout);
  const help = envoyscope(['pc', 'cluster', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--fqdn/);
  assert.match(help.stdout, /Examples:/);
});

interface BundleMeta {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

/** Appends, to the file named by $BUILTINS_LOG, Node's list of the built-in modules this process loaded. */
const RECORD_BUILTINS = `data:text/javascript,${encodeURIComponent(
  "import { appendFileSync } from 'node:fs'; process.on('exit', () => appendFileSync(process.env.BUILTINS_LOG, process.moduleLoadList.join('\\n') + '\\n'));",
)}`;

test('offline commands never evaluate @kubernetes/client-node or @grpc/grpc-js, which are in the bundle', () => {
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'bundle-meta.json'), 'utf8')) as BundleMeta;
  const bundled = new Set(
    Object.values(meta.outputs)
      .flatMap((output) => Object.keys(output.inputs))
      .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1]),
  );
  assert.ok(bundled.has('@kubernetes/client-node') && bundled.has('@grpc/grpc-js') && bundled.has('commander'));
  // Both import Node's network modules when they are evaluated: client-node https and tls, grpc-js http2.
  const networkModules = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'envoyscope-loads-'));
    try {
      const log = join(dir, 'builtins');
      const result = runBinSync(argv, { nodeArgs: ['--import', RECORD_BUILTINS], env: { ...process.env, BUILTINS_LOG: log, NO_COLOR: '1', ...env } });
      return { code: result.code, stderr: result.stderr, loaded: readFileSync(log, 'utf8').match(/^NativeModule (https|tls|http2)$/gm) ?? [] };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const offline = [
    ...['listener', 'route', 'cluster', 'endpoint', 'bootstrap', 'secret', 'ecds'].map((kind) => ['pc', kind, '-f', example]),
    ['pc', 'all', '-f', example, '-o', 'yaml'],
    ['pc', 'all', '-f', example, '-o', 'table'],
    ['ps', '-f', join(root, 'examples', 'syncz.json')],
    ['--help'],
  ];
  for (const argv of offline) {
    const { code, stderr, loaded } = networkModules(argv);
    assert.ok(code === 0 || code === 3, `${argv.join(' ')}: ${stderr}`);
    assert.deepEqual(loaded, [], argv.join(' '));
  }
  // …while a live command, which reads its kubeconfig through client-node, does load them.
  const live = networkModules(['pc', 'cluster', 'some-pod'], { KUBECONFIG: join(root, 'no', 'such', 'kubeconfig') });
  assert.notEqual(live.code, 0);
  assert.ok(live.loaded.length > 0, live.stderr);
});
