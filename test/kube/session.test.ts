// src/kube end to end against the fake cluster: kubeconfig resolution, every target form, selector
// fan-out, the three admin transports, and what --verbose reports.

import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { UsageError } from '../../src/errors.ts';
import { KubeApi } from '../../src/kube/apiClient.ts';
import { connect, directAdmin, type KubeSession, PodNotRunningError, type PodRef, settleEach } from '../../src/kube/index.ts';
import { KubeconfigError } from '../../src/kube/errors.ts';
import { resolveKubeconfig } from '../../src/kube/kubeconfig.ts';
import type { PodJson } from '../../src/kube/target.ts';
import { bookinfoScenario } from '../cluster/bookinfo.ts';
import { skipWithoutCorpus } from '../helpers/corpus.ts';
import { type FakeCluster, startFakeCluster } from '../cluster/index.ts';
import { TINY, TINY_EDS_CLUSTER, tinyMeshScenario } from '../cluster/tinyMesh.ts';

let cluster: FakeCluster;
let session: KubeSession;

before(async () => {
  cluster = await startFakeCluster(tinyMeshScenario());
  session = await connect({ kubeconfig: cluster.kubeconfigPath, timeoutMs: 5000 });
});

after(() => cluster.close());

const names = (pods: PodRef[]) => pods.map((pod) => `${pod.name}.${pod.namespace}`);

describe('kubeconfig', () => {
  /** A kubeconfig file in the cluster's temp dir, with the cluster's CA. */
  const kubeconfigFile = async (fileName: string, config: { context: string; namespace?: string; user: Record<string, unknown>; clusterName?: string }) => {
    const path = join(cluster.dir, fileName);
    const clusterName = config.clusterName ?? 'fake';
    await writeFile(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: clusterName, cluster: { server: cluster.server, 'certificate-authority': cluster.caPath } }],
        users: [{ name: `user-${config.context}`, user: config.user }],
        contexts: [
          {
            name: config.context,
            context: { cluster: clusterName, user: `user-${config.context}`, ...(config.namespace ? { namespace: config.namespace } : {}) },
          },
        ],
        'current-context': config.context,
      }),
    );
    return path;
  };

  test('several KUBECONFIG files: the first current-context wins and duplicate names keep their first definition', async () => {
    const first = await kubeconfigFile('first.yaml', { context: 'first', namespace: 'istio-system', user: { token: cluster.token } });
    const second = await kubeconfigFile('second.yaml', { context: 'second', user: { token: 'not-this-one' } });
    const merged = await connect({ timeoutMs: 5000, env: { KUBECONFIG: `${join(cluster.dir, 'missing.yaml')}:${first}:${second}` } });
    assert.equal(merged.context, 'first');
    assert.equal(merged.namespace, 'istio-system');
    assert.deepEqual(names(await merged.resolveTargets({ selector: 'istio=ingressgateway' })), [`${TINY.gateway}.istio-system`]);
  });

  test('--context picks another context and its namespace; -n overrides it', async () => {
    const viaContext = await connect({ kubeconfig: cluster.kubeconfigPath, context: 'fake-istio', timeoutMs: 5000 });
    assert.equal(viaContext.namespace, 'istio-system');
    const withNamespace = await connect({ kubeconfig: cluster.kubeconfigPath, context: 'fake-istio', namespace: 'legacy', timeoutMs: 5000 });
    assert.equal(withNamespace.namespace, 'legacy');
    await assert.rejects(connect({ kubeconfig: cluster.kubeconfigPath, context: 'nope', timeoutMs: 5000 }), (error: Error) => {
      assert.ok(error instanceof KubeconfigError);
      assert.equal(error.message, 'context "nope" not found in the kubeconfig (contexts: fake, fake-istio)');
      return true;
    });
  });

  test('a token file relative to the kubeconfig, trimmed, and preferred to token, like kubectl', async () => {
    await writeFile(join(cluster.dir, 'token.txt'), `${cluster.token}\n`);
    for (const key of ['tokenFile', 'token-file']) {
      const path = await kubeconfigFile(`${key}.yaml`, { context: key, user: { [key]: 'token.txt', token: 'stale' } });
      const withTokenFile = await connect({ kubeconfig: path, timeoutMs: 5000 });
      assert.equal((await withTokenFile.resolveTargets({ target: TINY.ratings }))[0]?.name, TINY.ratings, key);
    }
  });

  test('in a pod: the service account token, CA and namespace', async () => {
    const root = join(cluster.dir, 'pod-root');
    const accountDir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(accountDir, { recursive: true });
    await Promise.all([
      writeFile(join(accountDir, 'token'), cluster.token),
      copyFile(cluster.caPath, join(accountDir, 'ca.crt')),
      writeFile(join(accountDir, 'namespace'), 'istio-system'),
    ]);
    const { port } = new URL(cluster.server);
    // client-node reads the service host and port from process.env, as in a real pod.
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    Object.assign(process.env, { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port });
    try {
      const resolved = resolveKubeconfig({ env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', HOME: join(cluster.dir, 'empty-home') }, inClusterRoot: root });
      assert.equal(resolved.context, 'inClusterContext');
      assert.equal(resolved.namespace, 'istio-system');
      const api = new KubeApi(resolved.kubeConfig, resolved.server, 5000, undefined);
      const pod = await api.read<PodJson>(`/api/v1/namespaces/istio-system/pods/${TINY.gateway}`, {}, { verb: 'get', resource: 'pods' });
      assert.equal(pod?.metadata?.name, TINY.gateway);
    } finally {
      for (const [name, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  test('an exec credential plugin supplies the token', async () => {
    const plugin = join(cluster.dir, 'credential-plugin.mjs');
    const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: cluster.token } };
    await writeFile(plugin, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
    const path = await kubeconfigFile('exec-plugin.yaml', {
      context: 'with-plugin',
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } },
    });
    const withPlugin = await connect({ kubeconfig: path, timeoutMs: 5000 });
    assert.equal((await withPlugin.resolveTargets({ target: TINY.ratings }))[0]?.name, TINY.ratings);
  });
});

describe('targets', () => {
  const resolve = async (target: string) => names(await session.resolveTargets({ target }));

  test('pods by name, name.namespace and pod/name', async () => {
    assert.deepEqual(await resolve(TINY.reviewsV1), [`${TINY.reviewsV1}.default`]);
    assert.deepEqual(await resolve(`${TINY.gateway}.istio-system`), [`${TINY.gateway}.istio-system`]);
    assert.deepEqual(await resolve(`pod/${TINY.legacy}.legacy`), [`${TINY.legacy}.legacy`]);
    const withNamespace = await connect({ kubeconfig: cluster.kubeconfigPath, namespace: 'istio-system', timeoutMs: 5000 });
    assert.deepEqual(names(await withNamespace.resolveTargets({ target: TINY.gateway })), [`${TINY.gateway}.istio-system`]);
    // An explicit .namespace beats -n.
    assert.deepEqual(names(await withNamespace.resolveTargets({ target: `${TINY.ratings}.default` })), [`${TINY.ratings}.default`]);
  });

  test('every workload kind resolves to one pod, as kubectl picks it', async () => {
    assert.deepEqual(await resolve('deploy/reviews'), [`${TINY.reviewsV1}.default`], 'ready for longest');
    assert.deepEqual(await resolve('deployment/reviews-v2-or-v3'), [`${TINY.reviewsV2}.default`], 'Running before Pending');
    assert.deepEqual(await resolve('rs/reviews-v1-5b4f9c8d7'), [`${TINY.reviewsV1}.default`]);
    assert.deepEqual(await resolve('sts/ratings-db'), [`${TINY.ratings}.default`]);
    assert.deepEqual(await resolve('daemonset/node-agent.istio-system'), [`${TINY.gateway}.istio-system`]);
    assert.deepEqual(await resolve('svc/ratings'), [`${TINY.ratings}.default`]);
    cluster.pod(TINY.reviewsV1).ready = false;
    try {
      assert.deepEqual(await resolve('deploy/reviews'), [`${TINY.reviewsV2}.default`], 'ready before not ready');
    } finally {
      cluster.pod(TINY.reviewsV1).ready = true;
    }
  });

  test('a selector fans out to every matching pod, failing ones included', async () => {
    const pods = await session.resolveTargets({ selector: 'app=reviews' });
    assert.deepEqual(
      names(pods),
      [TINY.reviewsV1, TINY.reviewsV2, TINY.reviewsV3].map((name) => `${name}.default`),
    );
    assert.deepEqual(
      pods.map((pod) => [pod.phase, pod.inMesh]),
      [
        ['Running', true],
        ['Running', true],
        ['Pending', true],
      ],
    );
    assert.deepEqual(names(await session.resolveTargets({ selector: 'app in (reviews),version notin (v1,v3)' })), [`${TINY.reviewsV2}.default`]);
  });

  test('fanned out, a failing pod is reported beside the others', async () => {
    const pods = await session.resolveTargets({ selector: 'app=reviews' });
    const results = await settleEach(pods, 2, async (pod) => {
      const admin = await session.admin(pod, { via: 'port-forward', adminPort: 15000 });
      return (await admin.get('server_info')).bytes > 0;
    });
    assert.deepEqual(
      results.map((result) => [result.item.name, result.ok]),
      [
        [TINY.reviewsV1, true],
        [TINY.reviewsV2, true],
        [TINY.reviewsV3, false],
      ],
    );
    assert.ok(!results[2]!.ok && results[2]!.error instanceof PodNotRunningError);
  });

  test('a target and a selector together, or neither, is a usage error', async () => {
    await assert.rejects(session.resolveTargets({ target: TINY.ratings, selector: 'app=ratings' }), UsageError);
    await assert.rejects(session.resolveTargets({}), UsageError);
    await assert.rejects(
      session.resolveTargets({ selector: 'app in (' }),
      (error: Error) => error instanceof UsageError && /is not a valid label selector/.test(error.message),
    );
  });
});

describe('admin transports', () => {
  const pod = async (target: string) => (await session.resolveTargets({ target }))[0]!;

  for (const via of ['port-forward', 'exec'] as const) {
    test(`${via}: config_dump with a mask, and /clusters?format=json`, async () => {
      const admin = await session.admin(await pod(TINY.reviewsV2), { via, adminPort: 15000 });
      assert.equal(admin.source, `pod ${TINY.reviewsV2}.default`);
      const dump = await admin.get('/config_dump?mask=dynamic_active_clusters');
      assert.equal(dump.path, 'config_dump?mask=dynamic_active_clusters');
      assert.equal(dump.bytes, Buffer.byteLength(dump.body));
      const configs = (dump.json as { configs: Record<string, unknown>[] }).configs;
      assert.deepEqual(
        configs.map((config) => Object.keys(config)),
        [['@type'], ['@type', 'dynamic_active_clusters'], ['@type'], ['@type']],
      );
      assert.ok(dump.body.endsWith('}'), 'the newline pilot-agent adds is dropped');
      const clusters = await admin.get('clusters?format=json');
      assert.deepEqual(
        (clusters.json as { cluster_statuses: { name: string }[] }).cluster_statuses.map((status) => status.name),
        ['prometheus_stats', TINY_EDS_CLUSTER],
      );
      assert.deepEqual(cluster.pod(TINY.reviewsV2).envoy!.requests.slice(-2), ['/config_dump?mask=dynamic_active_clusters', '/clusters?format=json']);
      await admin.close();
    });
  }

  test('--admin-url talks to an Envoy admin directly', async () => {
    const port = cluster.pod(TINY.ratings).envoy!.port!;
    const admin = directAdmin(`http://user:secret@127.0.0.1:${port}/`, { timeoutMs: 5000 });
    assert.equal(admin.source, `http://127.0.0.1:${port}`, 'credentials in the URL are never shown');
    const info = await admin.get('server_info');
    assert.equal((info.json as { state: string }).state, 'LIVE');
    assert.throws(() => directAdmin('localhost:15000', { timeoutMs: 5000 }), UsageError);
  });

  test('--verbose reports path, pod, bytes and time, and never the token', async () => {
    const lines: string[] = [];
    const verbose = await connect({ kubeconfig: cluster.kubeconfigPath, timeoutMs: 5000, log: (line) => lines.push(line) });
    const [ratings] = await verbose.resolveTargets({ selector: 'app=ratings' });
    const admin = await verbose.admin(ratings!, { via: 'port-forward', adminPort: 15000 });
    const response = await admin.get('config_dump?mask=bootstrap');
    assert.match(lines[0] ?? '', new RegExp(`^GET ${cluster.server}/api/v1/namespaces/default/pods\\?labelSelector=app=ratings: 200 in \\d+ ms$`));
    assert.equal(
      lines[1]?.replace(/in \d+ ms/, 'in N ms'),
      `GET /config_dump?mask=bootstrap from ${TINY.ratings}.default via port-forward (admin port 15000): ${response.bytes} bytes in N ms`,
    );
    assert.ok(!lines.join('\n').includes(cluster.token));
  });
});

describe('bookinfo from the corpus', { skip: skipWithoutCorpus }, () => {
  test('every reviews pod, through both transports', async () => {
    const bookinfo = await startFakeCluster(bookinfoScenario());
    try {
      const live = await connect({ kubeconfig: bookinfo.kubeconfigPath, timeoutMs: 10000 });
      const pods = await live.resolveTargets({ selector: 'app=reviews' });
      assert.equal(pods.length, 3);
      for (const via of ['port-forward', 'exec'] as const) {
        for (const reviews of pods) {
          const admin = await live.admin(reviews, { via, adminPort: 15000 });
          const dump = await admin.get('config_dump?include_eds&mask=dynamic_endpoint_configs');
          const endpoints = (dump.json as { configs: Record<string, unknown[]>[] }).configs.find((config) => 'dynamic_endpoint_configs' in config);
          assert.ok((endpoints?.dynamic_endpoint_configs?.length ?? 0) > 10, `${via} ${reviews.name}`);
        }
      }
    } finally {
      await bookinfo.close();
    }
  });
});
