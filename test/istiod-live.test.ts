// proxy-status, ps <pod>, pc endpoint --source istiod and istiod debug against the test cluster's
// istiod replicas, over each transport for real (gRPC through the port-forward, HTTP, exec).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ExitCode } from '../src/errors.ts';
import { type FakeCluster, startFakeCluster } from './cluster/index.ts';
import { FakeIstiod, type FakeIstiodSpec } from './cluster/istiod.ts';
import { testPki } from './cluster/pki.ts';
import { runCli } from './helpers/cli.ts';

type Json = Record<string, unknown>;
const example = JSON.parse(readFileSync(new URL('../examples/reviews-v1.config_dump.json', import.meta.url), 'utf8')) as { configs: Json[] };
const dynamicClusters = (dump: { configs: Json[] }) =>
  dump.configs.find((config) => String(config['@type']).endsWith('ClustersConfigDump'))?.['dynamic_active_clusters'] as { cluster: Json }[];

/** The example dump with its first dynamic cluster's connect timeout changed: istiod meant something else. */
function alteredDump(): Json {
  const copy = structuredClone(example);
  const [first] = dynamicClusters(copy);
  first!.cluster['connect_timeout'] = '42s';
  return copy;
}

let cluster: FakeCluster;
const istiods: FakeIstiod[] = [];
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { env });
const istiod = (name: string) => istiods.find((each) => each.spec.name === name)!;

before(async () => {
  const pki = await testPki();
  const acceptsToken = (token: string) => cluster.issuedTokens.get(token)?.audiences.includes('istio-ca') === true;
  const base = { acceptsToken, tls: { key: pki.keyPem, cert: pki.certPem } } satisfies Partial<FakeIstiodSpec>;
  istiods.push(
    await FakeIstiod.start({
      ...base,
      name: 'istiod-a',
      proxies: [
        {
          id: 'reviews-v1.default',
          version: '1.24.0',
          states: { CDS: 'SYNCED', LDS: 'SYNCED', RDS: 'SYNCED', EDS: 'SYNCED' },
          configDump: example,
          edsz: [
            {
              clusterName: 'outbound|9080||ratings.default.svc.cluster.local',
              endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.1.2.3', portValue: 9080 } } } }] }],
            },
          ],
        },
        { id: 'ratings-v1.default', version: '1.24.0', states: { CDS: 'STALE', LDS: 'SYNCED', RDS: 'NOT_SENT', EDS: 'SYNCED' } },
      ],
    }),
    await FakeIstiod.start({
      ...base,
      name: 'istiod-b',
      synczShape: 'old',
      proxies: [
        { id: 'productpage-v1.default', version: '1.24.0', states: { CDS: 'SYNCED', LDS: 'ERROR', RDS: 'SYNCED', EDS: 'SYNCED' }, configDump: alteredDump() },
      ],
    }),
    await FakeIstiod.start({ ...base, name: 'istiod-c', proxies: [] }),
  );
  cluster = await startFakeCluster({
    pods: [
      ...istiods.map((each) => each.podSpec()),
      { name: 'reviews-v1', labels: { app: 'reviews' }, envoy: { dump: example } },
      { name: 'productpage-v1', labels: { app: 'productpage' }, envoy: { dump: example } },
      { name: 'reviews-v2', labels: { app: 'reviews' }, envoy: { dump: alteredDump() } },
      { name: 'details-v1', labels: { app: 'details' }, envoy: { dump: example } },
      { name: 'ztunnel-x1', namespace: 'istio-system', labels: { app: 'ztunnel' }, envoy: { dump: example } },
      { name: 'istiod-stuck', namespace: 'istio-canary', labels: { app: 'istiod' }, containers: ['discovery'], phase: 'Pending' },
    ],
    configMaps: [{ name: 'istio-ca-root-cert', namespace: 'istio-system', data: { 'root-cert.pem': pki.caPem } }],
    workloads: [{ kind: 'Deployment', name: 'reviews', selector: { matchLabels: { app: 'reviews' } } }],
  });
  env = { KUBECONFIG: cluster.kubeconfigPath };
});

after(async () => {
  await cluster?.close();
  await Promise.all(istiods.map((each) => each.close()));
});

const reset = () => {
  for (const each of istiods) {
    each.behavior.xdsOpen = true;
    each.behavior.httpOpen = true;
    delete each.behavior.status;
    delete each.behavior.xdsDebugUnsupported;
    each.requests.length = 0;
  }
  cluster.deny = [];
};

describe('proxy-status over the mesh', () => {
  test('asks every replica over xDS (token checked) and merges: one row per proxy, with its istiod', async () => {
    reset();
    const result = await cli('ps');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'NAME                       CLUSTER        CDS             ECDS        EDS             LDS             RDS             ISTIOD       VERSION',
        'productpage-v1.default     Kubernetes     SYNCED (0s)     IGNORED     SYNCED (0s)     ERROR (0s)      SYNCED (0s)     istiod-b     1.24.0',
        'ratings-v1.default         Kubernetes     STALE (0s)      IGNORED     SYNCED (0s)     SYNCED (0s)     NOT SENT        istiod-a     1.24.0',
        'reviews-v1.default         Kubernetes     SYNCED (0s)     IGNORED     SYNCED (0s)     SYNCED (0s)     SYNCED (0s)     istiod-a     1.24.0',
        '',
      ].join('\n'),
    );
    for (const name of ['istiod-a', 'istiod-b', 'istiod-c']) assert.deepEqual(istiod(name).requests, ['xds istio.io/debug/syncz']);
    assert.ok(cluster.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/istio-system/serviceaccounts/default/token'));
  });

  test('an xDS port that is closed falls back to HTTP, and --verbose says so in one line', async () => {
    reset();
    istiod('istiod-b').behavior.xdsOpen = false;
    const result = await cli('ps', '--types', '--verbose');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(istiod('istiod-b').requests, ['http /debug/syncz']);
    assert.match(result.stderr, /^istiod istiod-b: xds: port-forward to istiod-b:15012 failed: .*$/m);
    assert.match(result.stdout, /^productpage-v1\.default\s+istiod-b\s+1\.24\.0\s+4 \(CDS,LDS,EDS,RDS\)$/m);
  });

  test('--transport http reads both syncz shapes; --transport exec runs pilot-discovery in container discovery', async () => {
    for (const transport of ['http', 'exec']) {
      reset();
      const result = await cli('ps', '--transport', transport, '-n', 'default');
      assert.equal(result.code, 0, `${transport}: ${result.stderr}`);
      const rows = result.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s{2,}/));
      assert.deepEqual(
        rows.map((row) => [row[0], row.at(-2)]),
        [
          ['productpage-v1.default', 'istiod-b'],
          ['ratings-v1.default', 'istiod-a'],
          ['reviews-v1.default', 'istiod-a'],
        ],
      );
      // istiod-b serves the old shape: nonces only, so no ages and no ECDS, and its LDS error reads as STALE, as Istio 1.1 reported it.
      assert.deepEqual(rows[0], ['productpage-v1.default', 'SYNCED', 'IGNORED', 'SYNCED', 'STALE', 'SYNCED', 'istiod-b', '1.24.0']);
      assert.deepEqual(rows[1]?.slice(1, 6), ['STALE (0s)', 'IGNORED', 'SYNCED (0s)', 'SYNCED (0s)', 'NOT SENT']);
      assert.deepEqual(istiod('istiod-b').requests, ['http /debug/syncz']);
    }
    const exec = cluster.requests.filter((r) => r.path.endsWith('/exec') && r.query.includes('pilot-discovery') && r.query.includes('container=discovery'));
    assert.equal(exec.length, 3);
  });

  test('an istiod that refuses: the others are shown, its error is named, exit PARTIAL', async () => {
    reset();
    istiod('istiod-c').behavior.xdsOpen = false;
    istiod('istiod-c').behavior.status = 503;
    const result = await cli('ps', '--types');
    assert.equal(result.code, 23);
    assert.equal(result.stdout.trim().split('\n').length, 4);
    assert.match(result.stderr, /^error: istiod istiod-c: could not ask istiod istiod-c: xds: .*; http: .*503.*; exec: .*$/m);
    assert.match(result.stderr, /1 of 3 istiod replicas failed/);
  });

  test('TokenRequest forbidden: its own exit code with --transport xds, a fallback otherwise', async () => {
    reset();
    cluster.deny = [{ verb: 'create', resource: 'serviceaccounts/token' }];
    const forced = await cli('ps', '--transport', 'xds');
    assert.equal(forced.code, 29);
    assert.match(forced.stderr, /^error: forbidden: cannot create serviceaccounts\/token for service account "default" in namespace "istio-system"/);
    const auto = await cli('ps');
    assert.equal(auto.code, 0, auto.stderr);
  });
});

test('--xds-token-file: its token is presented and no TokenRequest is made', async () => {
  reset();
  cluster.deny = [{ verb: 'create', resource: 'serviceaccounts/token' }];
  cluster.issuedTokens.set('token-from-a-file', { namespace: 'istio-system', serviceAccount: 'default', audiences: ['istio-ca'] });
  const file = join(cluster.dir, 'xds-token');
  writeFileSync(file, 'token-from-a-file\n');
  const before = cluster.requests.length;
  const result = await cli('ps', '--transport', 'xds', '--xds-token-file', file, '--types');
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!cluster.requests.slice(before).some((r) => r.method === 'POST'));
  const missing = await cli('ps', '--transport', 'xds', '--xds-token-file', join(cluster.dir, 'nope'));
  assert.equal(missing.code, 66);
});

describe('proxy-status <pod>: istiod against Envoy', () => {
  test("--file: Envoy's side from a saved dump, the pod's admin is not asked", async () => {
    reset();
    const admin = cluster.pod('reviews-v1').envoy!;
    const asked = admin.requests.length;
    const result = await cli('ps', 'reviews-v1', '-f', fileURLToPath(new URL('../examples/reviews-v1.config_dump.json', import.meta.url)));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Clusters Match\n/);
    assert.equal(admin.requests.length, asked);
  });

  test('the same config: Match for every kind', async () => {
    reset();
    const result = await cli('ps', 'reviews-v1', '--exit-code');
    assert.equal(result.code, 0, result.stderr);
    // Both sides have secrets, so they are compared too.
    assert.equal(result.stdout, 'Clusters Match\nListeners Match\nRoutes Match\nSecrets Match\n');
    assert.ok(istiod('istiod-a').requests.includes('xds istio.io/debug config_dump?proxyID=reviews-v1.default'));
  });

  test('the Envoy is reached as pc reaches it: --via exec, --proxy-admin-port', async () => {
    reset();
    const viaExec = await cli('ps', 'reviews-v1', '--via', 'exec', '--exit-code');
    assert.equal(viaExec.code, 0, viaExec.stderr);
    assert.match(viaExec.stdout, /^Clusters Match\n/);
    assert.ok(cluster.requests.some((request) => request.path === '/api/v1/namespaces/default/pods/reviews-v1/exec'));
    const otherPort = await cli('ps', 'reviews-v1', '--proxy-admin-port', '15004');
    assert.equal(otherPort.code, ExitCode.ADMIN_REFUSED, otherPort.stderr);
    assert.match(otherPort.stderr, /admin port 15004 refused the connection/);
    const badVia = await cli('ps', 'reviews-v1', '--via', 'ssh');
    assert.equal(badVia.code, ExitCode.USAGE);
    assert.match(badVia.stderr, /--via "ssh" is not one of: port-forward, exec/);
    // JSON that is no config dump is a bad answer from that Envoy, as for pc.
    const notADump = await cluster.pod('reviews-v1').envoy!.withBehavior({ body: '{"kind": "Status"}' }, () => cli('ps', 'reviews-v1'));
    assert.equal(notADump.code, ExitCode.ADMIN_BAD_BODY, notADump.stderr);
    assert.match(notADump.stderr, /^error: the Envoy admin of pod reviews-v1\.default sent a bad answer to GET \/config_dump: /);
  });

  test('istiod meant something else: the changed path, and exit 1 with --exit-code', async () => {
    reset();
    const result = await cli('ps', 'productpage-v1', '--exit-code');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^Clusters Don't Match\n {2}changed: .*\n {4}paths: \.connect_timeout\n {4}--- istiod cluster /);
    // Only the replica holding the proxy answered with a config; istiod-a said "not connected".
    assert.ok(istiod('istiod-a').requests.includes('xds istio.io/debug config_dump?proxyID=productpage-v1.default'));
  });

  test('an istiod whose ADS lacks the debug passthrough: the config_dump comes over HTTP', async () => {
    reset();
    istiod('istiod-a').behavior.xdsDebugUnsupported = true;
    const result = await cli('ps', 'reviews-v1', '--verbose');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Clusters Match\n/);
    assert.deepEqual(istiod('istiod-a').requests, [
      'xds istio.io/debug config_dump?proxyID=reviews-v1.default',
      'http /debug/config_dump?proxyID=reviews-v1.default',
    ]);
    assert.match(result.stderr, /^istiod istiod-a: xds: gRPC UNIMPLEMENTED: unknown type istio\.io\/debug$/m);
  });

  test('failures: not connected anywhere, a ztunnel', async () => {
    reset();
    const lost = await cli('ps', 'details-v1');
    assert.equal(lost.code, 31);
    assert.match(lost.stderr, /proxy details-v1\.default is not connected to any istiod replica \(asked istiod-a, istiod-b, istiod-c\)/);
    const ztunnel = await cli('ps', 'ztunnel-x1.istio-system');
    assert.equal(ztunnel.code, 32);
    assert.match(ztunnel.stderr, /use ztunnel-config/);
  });
});

describe('pc diff between pods', () => {
  test('deploy/x compares two of its pods; a pod against a saved dump', async () => {
    const pods = await cli('pc', 'diff', 'deploy/reviews', '--kind', 'cluster,route', '-o', 'json');
    assert.equal(pods.code, 0, pods.stderr);
    const data = JSON.parse(pods.stdout);
    assert.deepEqual([data.a, data.b].sort(), ['reviews-v1.default', 'reviews-v2.default']);
    assert.deepEqual(
      data.kinds.map((kind: { kind: string; match: boolean }) => [kind.kind, kind.match]),
      [
        ['cluster', false],
        ['route', true],
      ],
    );
    assert.deepEqual(data.kinds[0].differences[0].paths, ['.connect_timeout']);
    const saved = await cli('pc', 'diff', 'reviews-v1', fileURLToPath(new URL('../examples/reviews-v1.config_dump.json', import.meta.url)), '--exit-code');
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /^Clusters Match\nListeners Match\nRoutes Match\n/);
    // Two named pods are fetched together; a and b stay in the order given, either way round.
    for (const [a, b] of [
      ['reviews-v2', 'reviews-v1'],
      ['reviews-v1', 'reviews-v2'],
    ] as const) {
      const named = await cli('pc', 'diff', a, b, '--kind', 'cluster', '-o', 'json');
      assert.equal(named.code, 0, named.stderr);
      assert.deepEqual([JSON.parse(named.stdout).a, JSON.parse(named.stdout).b], [`${a}.default`, `${b}.default`]);
    }
  });
});

describe('finding istiod', () => {
  test('no istiod in the namespace: the labels tried and a hint', async () => {
    const result = await cli('ps', '-i', 'default');
    assert.equal(result.code, 27);
    assert.equal(
      result.stderr,
      'error: no istiod pods in namespace "default" with labels "app=istiod" or "istio=pilot" (is Istio installed there? use -i/--istio-namespace, or --revision)\n',
    );
  });

  test('an istiod that is not ready', async () => {
    const result = await cli('ps', '-i', 'istio-canary');
    assert.equal(result.code, 28);
    assert.match(result.stderr, /istiod-stuck: Pending/);
  });

  test('-l picks the istiod pods by another label', async () => {
    const result = await cli('ps', '-l', 'app=pilot-legacy');
    assert.equal(result.code, 27);
    assert.match(result.stderr, /with labels "app=pilot-legacy" \(/);
  });

  test('--revision narrows the labels', async () => {
    const result = await cli('ps', '--revision', 'canary');
    assert.equal(result.code, 27);
    assert.match(result.stderr, /"app=istiod,istio\.io\/rev=canary"/);
  });

  test('unknown --transport values are refused', async () => {
    const result = await cli('ps', '--transport', 'carrier-pigeon');
    assert.equal(result.code, 64);
    assert.match(result.stderr, /--transport "carrier-pigeon" is not one of: auto, xds, http, exec/);
  });
});

describe('endpoints and raw debug data from istiod', () => {
  test('pc endpoint <pod> --source istiod shows what istiod holds for the proxy', async () => {
    reset();
    const result = await cli('pc', 'endpoint', 'reviews-v1', '--source', 'istiod');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^NAME\s+STATUS\s+LOCALITY\s+CLUSTER\n10\.1\.2\.3:9080\s+\S+\s+outbound\|9080\|\|ratings\.default\.svc\.cluster\.local\n$/);
  });

  test('istiod debug on a path istiod does not serve: its answer, one line', async () => {
    reset();
    const result = await cli('istiod', 'debug', 'nonexistentz', '--transport', 'http');
    assert.equal(result.code, 33);
    assert.equal(result.stderr, 'error: istiod istiod-a answered 404 to /debug/nonexistentz: 404 page not found\n');
  });

  test('istiod debug: keyed by replica; with --proxy the replica that holds it', async () => {
    reset();
    const all = await cli('istiod', 'debug', 'connections', '--transport', 'http');
    assert.equal(all.code, 0, all.stderr);
    const data = JSON.parse(all.stdout) as Record<string, { totalClients: number }>;
    assert.deepEqual(Object.fromEntries(Object.entries(data).map(([pod, value]) => [pod, value.totalClients])), {
      'istiod-a': 2,
      'istiod-b': 1,
      'istiod-c': 0,
    });
    const one = await cli('istiod', 'debug', '/debug/config_dump', '--proxy', 'productpage-v1');
    assert.equal(one.code, 0, one.stderr);
    assert.equal(dynamicClusters(JSON.parse(one.stdout))[0]?.cluster['connect_timeout'], '42s');
  });
});

describe('TLS to istiod', () => {
  test('a certificate the mesh CA did not sign: its own exit code with --transport xds; --insecure skips the check', async () => {
    reset();
    const pki = await testPki();
    const other = await startFakeCluster({
      pods: [istiods[0]!.podSpec()],
      // The server certificate itself is no CA: nothing chains to it.
      configMaps: [{ name: 'istio-ca-root-cert', namespace: 'istio-system', data: { 'root-cert.pem': pki.certPem } }],
    });
    try {
      const otherEnv = { KUBECONFIG: other.kubeconfigPath };
      const failed = await runCli(['ps', '--transport', 'xds'], { env: otherEnv });
      assert.equal(failed.code, 30, failed.stderr);
      assert.match(failed.stderr, /^error: TLS to istiod istiod-a failed/);
      // Without the check the connection is made; this istiod then refuses the other cluster's token.
      const insecure = await runCli(['ps', '--transport', 'xds', '--insecure'], { env: otherEnv });
      assert.match(insecure.stderr, /UNAUTHENTICATED/);
    } finally {
      await other.close();
    }
  });
});
