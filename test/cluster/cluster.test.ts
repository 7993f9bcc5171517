// The fake cluster itself: it must behave like a real one for @kubernetes/client-node 1.4.0 and
// for the real kubectl (skipped only when kubectl is not installed), and its Envoy admins must
// answer like Envoy.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { AppsV1Api, CoreV1Api, Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { corpusPath } from '../helpers/corpus.ts';
import { skipWithoutCorpus } from '../helpers/corpus.ts';
import { type FakeCluster, startFakeCluster } from './index.ts';
import { TINY, TINY_EDS_CLUSTER, tinyMeshScenario } from './tinyMesh.ts';

const run = promisify(execFile);

const { reviewsV1: REVIEWS_V1, reviewsV2: REVIEWS_V2, reviewsV3: REVIEWS_V3, ratings: RATINGS, legacy: LEGACY } = TINY;

// Asked before any hook or test is registered: registered after an await, the kubectl tests could
// start once the file's other tests were done and the cluster closed.
const kubectlMissing = await run('kubectl', ['version', '--client']).then(
  () => false,
  () => 'kubectl is not installed',
);

let cluster: FakeCluster;
let kubeConfig: KubeConfig;

before(async () => {
  cluster = await startFakeCluster(tinyMeshScenario());
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfigPath);
});

after(() => cluster.close());

describe('client-node 1.4.0 against the fake API server', () => {
  test('lists and gets pods with label and field selectors', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const names = async (labelSelector: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: 'default', labelSelector, ...(fieldSelector ? { fieldSelector } : {}) })).items.map(
        (pod) => pod.metadata?.name,
      );
    assert.deepEqual(await names('app=reviews'), [REVIEWS_V1, REVIEWS_V2, REVIEWS_V3]);
    assert.deepEqual(await names('app in (reviews,ratings),version notin (v2,v3)'), [REVIEWS_V1, RATINGS]);
    assert.deepEqual(await names('app=reviews,version!=v1,!missing'), [REVIEWS_V2, REVIEWS_V3]);
    assert.deepEqual(await names('app', `status.phase=Running,metadata.name!=${RATINGS}`), [REVIEWS_V1, REVIEWS_V2]);
    const pod = await core.readNamespacedPod({ name: REVIEWS_V2, namespace: 'default' });
    assert.equal(pod.spec?.initContainers?.[0]?.name, 'istio-proxy');
    assert.equal(pod.spec?.initContainers?.[0]?.restartPolicy, 'Always');
    const all = await core.listPodForAllNamespaces({ labelSelector: 'app=legacy' });
    assert.deepEqual(
      all.items.map((each) => each.metadata?.namespace),
      ['legacy'],
    );
  });

  test('answers 404 with a Status, and an empty list for a namespace that does not exist', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await assert.rejects(core.readNamespacedPod({ name: 'nope', namespace: 'default' }), (error: { code: number; body: string }) => {
      assert.equal(error.code, 404);
      assert.deepEqual(JSON.parse(error.body), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', kind: 'pods' },
        code: 404,
      });
      return true;
    });
    await assert.rejects(core.readNamespace({ name: 'nowhere' }), { code: 404 });
    assert.deepEqual((await core.listNamespacedPod({ namespace: 'nowhere' })).items, []);
  });

  test('reads workloads and their selectors', async () => {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: 'reviews-v2-or-v3', namespace: 'default' });
    const expressions = deployment.spec?.selector.matchExpressions?.map(({ key, operator, values }) => ({ key, operator, values }));
    assert.deepEqual(expressions, [{ key: 'version', operator: 'In', values: ['v2', 'v3'] }]);
    const service = await kubeConfig.makeApiClient(CoreV1Api).readNamespacedService({ name: 'ratings', namespace: 'default' });
    assert.deepEqual(service.spec?.selector, { app: 'ratings' });
  });

  test('rejects a wrong token with 401 and a denied permission with 403', async () => {
    const wrong = new KubeConfig();
    wrong.loadFromFile(await cluster.writeKubeconfig({ token: 'wrong' }));
    await assert.rejects(wrong.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default' }), { code: 401 });
    cluster.deny = [{ verb: 'list', resource: 'pods', namespace: 'default' }];
    try {
      await assert.rejects(kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default' }), (error: { code: number; body: string }) => {
        assert.equal(error.code, 403);
        assert.equal(
          JSON.parse(error.body).message,
          `pods is forbidden: User "${cluster.user}" cannot list resource "pods" in API group "" in the namespace "default"`,
        );
        return true;
      });
    } finally {
      cluster.deny = [];
    }
  });

  test('port-forwards over WebSocket v4.channel.k8s.io to the Envoy admin', async () => {
    const forward = new PortForward(kubeConfig);
    // KUBE.md §1.4 A: a local listener, one WebSocket per connection.
    const server = createServer(async (socket) => {
      const errors = new PassThrough();
      errors.on('data', (text) => socket.destroy(new Error(String(text))));
      const ws = (await forward.portForward('default', REVIEWS_V1, [15000], socket, errors, socket)) as WebSocket;
      ws.on('close', () => socket.end());
      socket.on('close', () => ws.close());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/config_dump?resource=dynamic_active_clusters&mask=cluster.name`, {
        headers: { connection: 'close' },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        configs: [
          {
            '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster',
            cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: TINY_EDS_CLUSTER },
          },
        ],
      });
    } finally {
      server.close();
    }
    const record = cluster.requests.findLast((each) => each.path.endsWith('/portforward'));
    assert.equal(record?.protocol, 'v4.channel.k8s.io');
  });

  test('reports a refused pod port on the error channel, as the kubelet does', async () => {
    cluster.pod(REVIEWS_V1).envoy!.behavior.listening = false;
    try {
      const errors = new PassThrough();
      const text = new Promise<string>((resolve) => errors.once('data', (chunk) => resolve(String(chunk))));
      await new PortForward(kubeConfig).portForward('default', REVIEWS_V1, [15000], new PassThrough(), errors, new PassThrough());
      assert.match(await text, /^error forwarding port 15000 to pod \w+, uid : .*connect: connection refused/);
    } finally {
      cluster.pod(REVIEWS_V1).envoy!.behavior.listening = true;
    }
  });

  test('execs pilot-agent request over WebSocket v5.channel.k8s.io', async () => {
    const execInPod = async (container: string, command: string[]) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const chunks: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      const status = await new Promise<V1Status>((resolve) => {
        void new Exec(kubeConfig).exec('default', REVIEWS_V2, container, command, stdout, stderr, null, false, resolve);
      });
      return { status, stdout: Buffer.concat(chunks).toString() };
    };
    const ok = await execInPod('istio-proxy', ['pilot-agent', 'request', 'GET', 'server_info']);
    assert.equal(ok.status.status, 'Success');
    assert.equal(JSON.parse(ok.stdout).state, 'LIVE');
    assert.match(ok.stdout, /\}\n$/, 'pilot-agent prints the body with fmt.Println');
    assert.equal(cluster.requests.findLast((each) => each.path.endsWith('/exec'))?.protocol, 'v5.channel.k8s.io');

    cluster.pod(REVIEWS_V2).envoy!.behavior.status = 503;
    try {
      const failed = await execInPod('istio-proxy', ['pilot-agent', 'request', 'GET', 'config_dump']);
      assert.equal(failed.status.reason, 'NonZeroExitCode');
      assert.equal(failed.status.details?.causes?.[0]?.message, '1');
    } finally {
      delete cluster.pod(REVIEWS_V2).envoy!.behavior.status;
    }
    const missing = await execInPod('reviews', ['pilot-agent', 'request', 'GET', 'server_info']);
    assert.equal(missing.status.reason, 'InternalError');
  });
});

describe('exec channel protocols, frame by frame', () => {
  /** Runs a command over a raw WebSocket and returns its frames as "channel:text". */
  const execFrames = async (protocol: string, query: [string, string][], stdin: Buffer[] = []) => {
    const url = `${cluster.server.replace('https', 'wss')}/api/v1/namespaces/default/pods/${REVIEWS_V1}/exec?${new URLSearchParams(query)}`;
    const ws = new WebSocket(url, [protocol], { ca: await readFile(cluster.caPath), headers: { authorization: `Bearer ${cluster.token}` } });
    const frames: string[] = [];
    ws.on('message', (data: Buffer) => frames.push(`${data[0]}:${data.subarray(1).toString()}`));
    await once(ws, 'open');
    assert.equal(ws.protocol, protocol);
    for (const frame of stdin) ws.send(frame);
    await once(ws, 'close');
    return frames;
  };

  test('v4: an empty first frame, stdout on channel 1, the Status on channel 3', async () => {
    const frames = await execFrames('v4.channel.k8s.io', [
      ...['pilot-agent', 'request', 'GET', 'ready'].map((arg): [string, string] => ['command', arg]),
      ['container', 'istio-proxy'],
      ['stdout', 'true'],
      ['stderr', 'true'],
    ]);
    assert.equal(frames[0], '1:');
    assert.match(frames[1] ?? '', /^1:invalid path/, 'pilot-agent prints a 404 body and succeeds');
    assert.equal(frames.at(-1), '3:{"metadata":{},"status":"Success"}');
  });

  test('v5: CLOSE [255, 0] ends stdin', async () => {
    const frames = await execFrames(
      'v5.channel.k8s.io',
      [
        ['command', 'cat'],
        ['container', 'reviews'],
        ['stdin', 'true'],
        ['stdout', 'true'],
      ],
      [Buffer.from('\x00hello'), Buffer.from([255, 0])],
    );
    assert.deepEqual(frames, ['1:', '1:hello', '3:{"metadata":{},"status":"Success"}']);
  });
});

describe("the fake Envoy admin answers like Envoy's", () => {
  const admin = async (path: string) => {
    const port = cluster.pod(RATINGS).envoy!.port!;
    const response = await fetch(`http://127.0.0.1:${port}/${path}`);
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const types = (text: string) => (JSON.parse(text) as { configs: { '@type': string }[] }).configs.map((config) => config['@type'].split('.').pop());

  test('config_dump: EDS only with include_eds, right after the clusters', async () => {
    assert.deepEqual(types((await admin('config_dump')).text), ['BootstrapConfigDump', 'ClustersConfigDump', 'ListenersConfigDump', 'RoutesConfigDump']);
    const withEds = JSON.parse((await admin('config_dump?include_eds')).text) as { configs: Record<string, unknown>[] };
    assert.deepEqual(
      withEds.configs.map((config) => String(config['@type']).split('.').pop()),
      ['BootstrapConfigDump', 'ClustersConfigDump', 'EndpointsConfigDump', 'ListenersConfigDump', 'RoutesConfigDump'],
    );
    const endpoints = withEds.configs[2] as { static_endpoint_configs: unknown[]; dynamic_endpoint_configs: { endpoint_config: { cluster_name: string } }[] };
    assert.equal(endpoints.static_endpoint_configs.length, 1);
    assert.equal(endpoints.dynamic_endpoint_configs[0]?.endpoint_config.cluster_name, TINY_EDS_CLUSTER);
  });

  test('config_dump?mask keeps the masked fields of every section and @type everywhere', async () => {
    const masked = JSON.parse((await admin('config_dump?mask=dynamic_listeners,bootstrap.node.id')).text) as { configs: unknown[] };
    assert.deepEqual(masked.configs[0], {
      '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
      bootstrap: { node: { id: `sidecar~10.0.0.7~${RATINGS}.default~default.svc.cluster.local` } },
    });
    assert.deepEqual(masked.configs[1], { '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump' });
    assert.equal((masked.configs[2] as { dynamic_listeners: unknown[] }).dynamic_listeners.length, 1);
  });

  test('config_dump?resource packs each element as its own Any, and refuses what is not a repeated field', async () => {
    assert.deepEqual(types((await admin('config_dump?resource=static_clusters&include_eds')).text), ['StaticCluster']);
    assert.deepEqual(types((await admin('config_dump?resource=dynamic_endpoint_configs&include_eds')).text), ['DynamicEndpointConfig']);
    assert.equal((await admin('config_dump?resource=dynamic_endpoint_configs')).status, 404, 'no endpoints without include_eds');
    assert.equal((await admin('config_dump?resource=version_info')).status, 400);
  });

  test('clusters?format=json lists every cluster with its hosts', async () => {
    const { type, text } = await admin('clusters?format=json');
    assert.equal(type, 'application/json');
    const statuses = (
      JSON.parse(text) as { cluster_statuses: { name: string; added_via_api?: boolean; host_statuses?: { address: unknown; health_status: unknown }[] }[] }
    ).cluster_statuses;
    assert.deepEqual(
      statuses.map((status) => [status.name, status.added_via_api ?? false, status.host_statuses?.length]),
      [
        ['prometheus_stats', false, 1],
        [TINY_EDS_CLUSTER, true, 1],
      ],
    );
    assert.deepEqual(statuses[1]?.host_statuses?.[0]?.address, { socket_address: { address: '10.0.0.7', port_value: 9080 } });
    assert.deepEqual(statuses[1]?.host_statuses?.[0]?.health_status, { eds_health_status: 'HEALTHY' });
  });

  test('corpus dumps: their own EndpointsConfigDump only with include_eds; camelCase dumps masked alike', { skip: skipWithoutCorpus }, async () => {
    const corpusCluster = await startFakeCluster({
      pods: [
        { name: 'osm', envoy: { dump: corpusPath('dumps', 'osm-1.18-bookstore-with-eds.json') } },
        { name: 'istio16', envoy: { dump: corpusPath('istioctl-1.6', 'config_dump.json'), clusters: corpusPath('istioctl-1.6', 'clusters.json') } },
      ],
    });
    try {
      const get = async (pod: string, path: string) => (await fetch(`http://127.0.0.1:${corpusCluster.pod(pod).envoy!.port}/${path}`)).text();
      assert.ok(!types(await get('osm', 'config_dump')).includes('EndpointsConfigDump'));
      assert.ok(types(await get('osm', 'config_dump?include_eds')).includes('EndpointsConfigDump'));
      const masked = JSON.parse(await get('istio16', 'config_dump?mask=dynamic_active_clusters')) as { configs: Record<string, unknown>[] };
      const clusters = masked.configs.find((config) => String(config['@type']).endsWith('ClustersConfigDump'));
      assert.deepEqual(Object.keys(clusters ?? {}), ['@type', 'dynamicActiveClusters']);
      const capture = JSON.parse(await readFile(corpusPath('istioctl-1.6', 'clusters.json'), 'utf8')) as unknown;
      assert.deepEqual(JSON.parse(await get('istio16', 'clusters?format=json')), capture, 'a /clusters capture is served as given');
    } finally {
      await corpusCluster.close();
    }
  });
});

describe('the real kubectl against the fake cluster', { skip: kubectlMissing }, () => {
  let home: string;
  before(async () => {
    // The kubectl dispatcher caches /version under $HOME/.kube/cache: a fresh HOME keeps tests apart.
    home = await mkdtemp(join(tmpdir(), 'envoyscope-kubectl-home-'));
  });
  after(() => rm(home, { recursive: true, force: true }));
  const kubectl = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run('kubectl', ['--kubeconfig', cluster.kubeconfigPath, ...args], { env: { PATH: process.env.PATH, HOME: home, ...env } });

  test('get pods, with a set-based selector and across namespaces', async () => {
    const { stdout } = await kubectl(['get', 'pods', '-A', '-l', 'app in (reviews,legacy)', '-o', 'name']);
    assert.deepEqual(stdout.trim().split('\n').sort(), [`pod/${LEGACY}`, `pod/${REVIEWS_V1}`, `pod/${REVIEWS_V2}`, `pod/${REVIEWS_V3}`]);
    await assert.rejects(kubectl(['get', 'pods', '--token', 'wrong']), { stderr: /Unauthorized/ });
  });

  for (const [protocol, env] of [
    ['v5.channel.k8s.io', {}],
    ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }],
  ] as const) {
    test(`exec pilot-agent request GET server_info (${protocol})`, async () => {
      const { stdout } = await kubectl(['exec', 'deploy/reviews-v1', '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'server_info'], env);
      assert.equal(JSON.parse(stdout).state, 'LIVE');
      const record = cluster.requests.findLast((each) => each.path.endsWith('/exec'));
      assert.equal(record?.protocol, 'v5.channel.k8s.io');
      assert.equal(record?.upgrade, protocol === 'SPDY' ? 'SPDY/3.1' : 'websocket');
    });
  }

  test('exec reports pilot-agent failures with its exit code', async () => {
    cluster.pod(REVIEWS_V1).envoy!.behavior.status = 503;
    try {
      await assert.rejects(kubectl(['exec', REVIEWS_V1, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'config_dump']), {
        code: 1,
        stderr: /Error: received unsuccessful status code 503/,
      });
    } finally {
      delete cluster.pod(REVIEWS_V1).envoy!.behavior.status;
    }
  });

  /** Starts `kubectl port-forward … :15000` and returns the local port it printed. */
  const portForward = async (target: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> => {
    const child = spawn('kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'port-forward', target, ':15000'], {
      env: { PATH: process.env.PATH, HOME: home, ...env },
    });
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
        const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`kubectl port-forward exited with ${code}`)));
    });
    return { child, port };
  };

  for (const [mode, env, upgrade] of [
    ['SPDY tunnelled in a WebSocket', {}, 'websocket'],
    ['plain SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, 'SPDY/3.1'],
  ] as const) {
    test(`port-forward then HTTP through it (${mode})`, async () => {
      const { child, port } = await portForward('deploy/reviews-v1', env);
      try {
        const bodies = await Promise.all(
          ['config_dump?mask=version_info', 'clusters?format=json', 'server_info'].map(async (path) => {
            const response = await fetch(`http://127.0.0.1:${port}/${path}`);
            assert.equal(response.status, 200);
            return (await response.json()) as Record<string, unknown>;
          }),
        );
        assert.equal((bodies[1]?.cluster_statuses as unknown[] | undefined)?.length, 2);
        const record = cluster.requests.findLast((each) => each.path.endsWith('/portforward'));
        assert.equal(record?.upgrade, upgrade);
        assert.equal(record?.protocol, upgrade === 'websocket' ? 'SPDY/3.1+portforward.k8s.io' : 'portforward.k8s.io');
      } finally {
        child.kill();
      }
    });
  }

  test('port-forward to a refused admin port: the error stream text reaches kubectl', async () => {
    const { child, port } = await portForward(`pod/${RATINGS}`, {});
    cluster.pod(RATINGS).envoy!.behavior.listening = false;
    try {
      const stderr = new Promise<string>((resolve) => {
        let text = '';
        child.stderr?.on('data', (chunk) => (text += String(chunk)));
        child.on('exit', () => resolve(text));
      });
      await assert.rejects(fetch(`http://127.0.0.1:${port}/server_info`));
      assert.match(await stderr, /connect: connection refused/);
    } finally {
      cluster.pod(RATINGS).envoy!.behavior.listening = true;
      child.kill();
    }
  });
});
