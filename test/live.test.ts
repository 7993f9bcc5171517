// Every pc command end to end against the protocol-faithful test cluster: a fake kube-apiserver
// (HTTPS, bearer token, port-forward and exec over WebSocket) and fake Envoy admins serving the
// bundled example. A live pod must print exactly what its saved dump prints offline.
import assert from 'node:assert/strict';

import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ADMIN_PATHS } from '../src/cli/proxyConfigRun.ts';
import { run } from '../src/cli/run.ts';
import { ExitCode } from '../src/errors.ts';
import { testStreams } from '../src/io/streams.ts';
import type { PcKind } from '../src/render/proxyConfig.ts';
import { tinySidecar } from './cluster/tinyMesh.ts';
import { runBin } from './helpers/bin.ts';
import { FROZEN_NOW, runCli, type CliResult } from './helpers/cli.ts';
import { sharedCluster } from './helpers/sharedCluster.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const exampleDump = join(root, 'examples', 'reviews-v1.config_dump.json');
const exampleClusters = join(root, 'examples', 'reviews-v1.clusters.json');

const REVIEWS_V1 = 'reviews-v1-cb8655c75-b97zc';
const REVIEWS_V2 = 'reviews-v2-7d8c9f5b6-x2k9p';
const REVIEWS_V3 = 'reviews-v3-5f6a7b8c9-pending';
const RATINGS = 'ratings-v1-6d8f9c7b5-q7w2e';
const LEGACY = 'legacy-5f6d7c8b9-pqrst';

const shared = sharedCluster(() => {
  const example = { dump: exampleDump, clusters: exampleClusters };
  return {
    pods: [
      { name: REVIEWS_V1, labels: { app: 'reviews', version: 'v1' }, envoy: example, createdAt: '2024-01-01T00:00:00Z' },
      { name: REVIEWS_V2, labels: { app: 'reviews', version: 'v2' }, envoy: example, createdAt: '2024-01-02T00:00:00Z' },
      { name: REVIEWS_V3, labels: { app: 'reviews', version: 'v3' }, envoy: example, phase: 'Pending' },
      { name: RATINGS, labels: { app: 'ratings' }, envoy: tinySidecar(RATINGS, 'default', '10.0.0.7') },
      { name: LEGACY, namespace: 'legacy', labels: { app: 'legacy' } },
    ],
    workloads: [{ kind: 'Deployment', name: 'reviews-v1', selector: { matchLabels: { app: 'reviews', version: 'v1' } } }],
  };
});

const { live } = shared;

function assertOk(result: CliResult, what: string): void {
  assert.equal(result.stderr, '', `${what}: nothing on stderr`);
  assert.equal(result.code, 0, what);
}

describe('every pc command on a live pod prints what its saved dump prints', () => {
  const offlineInput: Record<PcKind, string> = {
    listener: exampleDump,
    route: exampleDump,
    cluster: exampleDump,
    endpoint: exampleClusters,
    eds: exampleDump,
    bootstrap: exampleDump,
    secret: exampleDump,
    ecds: exampleDump,
    all: exampleDump,
  };
  for (const [kind, file] of Object.entries(offlineInput) as [PcKind, string][]) {
    for (const output of kind === 'all' ? ['short'] : ['short', 'json']) {
      test(`pc ${kind} -o ${output}`, async () => {
        const requests = shared.cluster.pod(REVIEWS_V1).envoy!.requests;
        const before = requests.length;
        const fromPod = await live(['pc', kind, REVIEWS_V1, '-o', output]);
        assertOk(fromPod, `pc ${kind} ${REVIEWS_V1}`);
        // Only what the command shows was fetched: one request, with the command's mask.
        assert.deepEqual(requests.slice(before), [`/${ADMIN_PATHS[kind]}`]);
        const fromFile = await runCli(['pc', kind, '-f', file, '-o', output]);
        if (kind === 'bootstrap' && output === 'json') {
          // mask=bootstrap trims BootstrapConfigDump.last_updated away, as Envoy's FieldMask does.
          const bootstrapOf = (text: string): unknown => (JSON.parse(text) as { bootstrap: unknown }).bootstrap;
          assert.deepEqual(bootstrapOf(fromPod.stdout), bootstrapOf(fromFile.stdout));
        } else {
          assert.equal(fromPod.stdout, fromFile.stdout);
        }
      });
    }
  }
});

test('targets: name.namespace, pod/name, deploy/name, -n, --via exec and --admin-url give the same answer', async () => {
  const expected = (await live(['pc', 'cluster', REVIEWS_V1])).stdout;
  const port = shared.cluster.pod(REVIEWS_V1).envoy!.port;
  const variants = [
    ['pc', 'cluster', `${REVIEWS_V1}.default`],
    ['pc', 'cluster', `pod/${REVIEWS_V1}`],
    ['pc', 'cluster', 'deploy/reviews-v1'],
    ['pc', 'cluster', 'deployment/reviews-v1.default'],
    ['pc', 'cluster', '-n', 'default', REVIEWS_V1],
    ['pc', 'cluster', REVIEWS_V1, '--via', 'exec'],
    ['pc', 'cluster', '--admin-url', `http://127.0.0.1:${port}`],
  ];
  for (const argv of variants) {
    const result = await live(argv);
    assertOk(result, argv.join(' '));
    assert.equal(result.stdout, expected, argv.join(' '));
  }
});

test('-l fans out: one table with a POD column, a failing pod reported without hiding the others', async () => {
  const result = await live(['pc', 'cluster', '-l', 'app=reviews', '--fqdn', 'ratings']);
  assert.equal(result.code, ExitCode.PARTIAL);
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^POD\s+SERVICE FQDN\s+PORT/);
  const pods = new Set(lines.slice(1).map((line) => line.split(/\s+/)[0]));
  assert.deepEqual([...pods].sort(), [`${REVIEWS_V1}.default`, `${REVIEWS_V2}.default`]);
  assert.equal(
    result.stderr,
    `error: pod ${REVIEWS_V3}.default is Pending, not Running: its Envoy cannot be reached until it runs\nerror: 1 of 3 pods failed (see above)\n`,
  );
});

test('-l with -o json: one document keyed by pod', async () => {
  const result = await live(['pc', 'route', '-l', 'app=reviews,version in (v1,v2)', '--name', '9080', '-o', 'json']);
  assertOk(result, 'pc route -l -o json');
  const byPod = JSON.parse(result.stdout) as Record<string, { name: string }[]>;
  assert.deepEqual(Object.keys(byPod), [`${REVIEWS_V1}.default`, `${REVIEWS_V2}.default`]);
  for (const routes of Object.values(byPod))
    assert.deepEqual(
      routes.map((r) => r.name),
      ['9080'],
    );
});

test('-l works out credentials and TLS once: every connection after the first resumes its TLS session', async () => {
  const before = shared.cluster.requests.length;
  const result = await live(['pc', 'cluster', '-l', 'app=reviews,version in (v1,v2)']);
  assertOk(result, 'pc cluster -l');
  const requests = shared.cluster.requests.slice(before);
  // The pod list, then one port-forward upgrade per pod.
  assert.deepEqual(
    requests.map((request) => request.upgrade ?? request.method),
    ['GET', 'websocket', 'websocket'],
  );
  assert.deepEqual(
    requests.map((request) => request.tlsResumed),
    [false, true, true],
  );
});

test('-l on a terminal, when the pods take over a second: a progress line on stderr, erased at the end', async () => {
  const argv = ['pc', 'cluster', '-l', 'app=reviews,version in (v1,v2)', '--concurrency', '1'];
  const io = testStreams();
  Object.assign(io.err, { isTTY: true });
  const code = await shared.cluster.pod(REVIEWS_V2).envoy!.withBehavior({ delayMs: 1200 }, () => run(argv, { io, now: () => FROZEN_NOW, env: shared.env }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(code, 0);
  assert.equal(io.stderr(), '\r\x1b[Kfetching from pods: 1/2\r\x1b[Kfetching from pods: 2/2\r\x1b[K');
  assert.equal(io.stdout(), (await live(argv)).stdout);
});

test('--verbose reports each fetch on stderr, and never the token', async () => {
  const result = await live(['pc', 'listener', REVIEWS_V1, '--port', '9080', '-v']);
  assert.equal(result.code, 0);
  assert.match(result.stderr, /GET \/config_dump\?mask=dynamic_listeners,static_listeners from .*: \d+ bytes in \d+ ms/);
  assert.match(result.stderr, /\/api\/v1\/namespaces\/default\/pods\//);
  assert.ok(!result.stderr.includes(shared.cluster.token), 'no token on stderr');
});

describe('failures: one line on stderr, a distinct exit code, nothing on stdout', () => {
  interface FailureCase {
    name: string;
    argv: string[] | (() => Promise<string[]>);
    code: number;
    message: RegExp;
    arrange?: () => void;
    restore?: () => void;
  }
  const envoy = () => shared.cluster.pod(REVIEWS_V1).envoy!.behavior;
  const cases: FailureCase[] = [
    {
      name: 'pod not found',
      argv: ['pc', 'listener', 'reviews-v9-0-x'],
      code: ExitCode.POD_NOT_FOUND,
      message: /pod "reviews-v9-0-x" not found in namespace "default"/,
    },
    { name: 'no pods match', argv: ['pc', 'listener', '-l', 'app=nothing'], code: ExitCode.NO_PODS_MATCH, message: /no pods match selector "app=nothing"/ },
    {
      name: 'namespace not found',
      argv: ['pc', 'listener', `${REVIEWS_V1}.nowhere`],
      code: ExitCode.NAMESPACE_NOT_FOUND,
      message: /namespace "nowhere" not found/,
    },
    {
      name: 'not in the mesh',
      argv: ['pc', 'listener', `${LEGACY}.legacy`],
      code: ExitCode.NOT_IN_MESH,
      message: /has no istio-proxy container: it is not in the mesh/,
    },
    { name: 'not running', argv: ['pc', 'listener', REVIEWS_V3], code: ExitCode.POD_NOT_RUNNING, message: /is Pending, not Running/ },
    {
      name: 'sidecar not ready',
      argv: ['pc', 'listener', REVIEWS_V1],
      code: ExitCode.ADMIN_REFUSED,
      message: /the istio-proxy sidecar of reviews-v1-cb8655c75-b97zc\.default is not ready yet \(Envoy admin port 15000 refused the connection/,
      arrange: () => (envoy().listening = false),
      restore: () => (envoy().listening = true),
    },
    {
      name: 'API server unreachable',
      argv: async () => ['pc', 'listener', REVIEWS_V1, '--kubeconfig', await shared.cluster.writeKubeconfig({ server: 'https://127.0.0.1:9' })],
      code: ExitCode.API_UNREACHABLE,
      message: /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:9/,
    },
    {
      name: 'TLS verification failure',
      argv: async () => ['pc', 'listener', REVIEWS_V1, '--kubeconfig', await shared.cluster.writeKubeconfig({ trustCa: false })],
      code: ExitCode.TLS_FAILURE,
      message: /TLS verification of the Kubernetes API server .* failed/,
    },
    {
      name: '401',
      argv: async () => ['pc', 'listener', REVIEWS_V1, '--kubeconfig', await shared.cluster.writeKubeconfig({ token: 'wrong-token' })],
      code: ExitCode.UNAUTHORIZED,
      message: /did not accept the credentials \(401 Unauthorized\)/,
    },
    {
      name: '403',
      argv: ['pc', 'listener', REVIEWS_V1],
      code: ExitCode.FORBIDDEN,
      message: /forbidden: cannot create pods\/portforward in namespace "default"/,
      arrange: () => (shared.cluster.deny = [{ verb: 'create', resource: 'pods/portforward' }]),
      restore: () => (shared.cluster.deny = []),
    },
    {
      name: 'Envoy answers non-200',
      argv: ['pc', 'listener', REVIEWS_V1],
      code: ExitCode.ADMIN_BAD_STATUS,
      message: /the Envoy admin of .* answered 503 to GET \/config_dump\?mask=dynamic_listeners,static_listeners/,
      arrange: () => (envoy().status = 503),
      restore: () => delete envoy().status,
    },
    {
      name: 'Envoy sends a truncated body',
      argv: ['pc', 'cluster', REVIEWS_V1],
      code: ExitCode.ADMIN_BAD_BODY,
      message: /sent a bad answer to GET \/config_dump\?mask=.*: truncated/,
      arrange: () => (envoy().truncate = true),
      restore: () => (envoy().truncate = false),
    },
    {
      name: 'timeout',
      argv: ['pc', 'listener', REVIEWS_V1, '--timeout', '300ms'],
      code: ExitCode.TIMEOUT,
      message: /timed out after 0\.3 s/,
      arrange: () => (envoy().delayMs = 2000),
      restore: () => (envoy().delayMs = 0),
    },
    {
      name: 'no kubeconfig',
      argv: ['pc', 'listener', REVIEWS_V1, '--kubeconfig', '/nonexistent/kubeconfig'],
      code: ExitCode.KUBECONFIG,
      message: /no such kubeconfig file/,
    },
  ];
  for (const failure of cases) {
    test(failure.name, async () => {
      failure.arrange?.();
      try {
        const argv = typeof failure.argv === 'function' ? await failure.argv() : failure.argv;
        const result = await live(argv);
        assert.equal(result.code, failure.code, result.stderr);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, /^error: [^\n]+\n$/, 'exactly one line');
        assert.match(result.stderr, failure.message);
        assert.ok(!result.stderr.includes(shared.cluster.token), 'no token');
      } finally {
        failure.restore?.();
      }
    });
  }
});

test('the built binary exits as soon as it is done: no socket or WebSocket is left open', async () => {
  const started = performance.now();
  const { code, stdout, stderr } = await runBin(['pc', 'listener', '-l', 'app=reviews,version in (v1,v2)'], { env: { ...process.env, ...shared.env } });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^POD\s+ADDRESSES/);
  // A leaked handle keeps Node alive until a timeout (seconds to minutes); a clean run is far faster.
  assert.ok(performance.now() - started < 5000, `exited after ${Math.round(performance.now() - started)} ms`);
});
