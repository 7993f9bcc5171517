// Every failure a live command reports, provoked through the fake cluster: the error class, its
// exit code and its one-line message.

import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ExitCode } from '../../src/errors.ts';
import {
  AdminBadBodyError,
  AdminBadStatusError,
  AdminRefusedError,
  ApiUnreachableError,
  connect,
  directAdmin,
  ForbiddenError,
  KubeconfigError,
  KubeTimeoutError,
  NamespaceNotFoundError,
  NoPodsMatchError,
  NotInMeshError,
  PodNotFoundError,
  PodNotRunningError,
  TlsFailureError,
  UnauthorizedError,
} from '../../src/kube/index.ts';
import type { AdminTransport, TargetRequest } from '../../src/kube/index.ts';
import type { EnvoyBehavior, FakeCluster } from '../cluster/index.ts';
import { startFakeCluster } from '../cluster/index.ts';
import { TINY, tinyMeshScenario } from '../cluster/tinyMesh.ts';

let cluster: FakeCluster;

before(async () => {
  cluster = await startFakeCluster(tinyMeshScenario());
});

after(() => cluster.close());

interface Attempt {
  kubeconfig?: string;
  namespace?: string;
  request?: TargetRequest;
  via?: AdminTransport;
  adminPort?: number;
  timeoutMs?: number;
}

/** What a `pc` command does for one pod: resolve, pre-flight checks, one admin GET. */
async function fetchConfigDump(attempt: Attempt = {}): Promise<unknown> {
  const session = await connect({
    kubeconfig: attempt.kubeconfig ?? cluster.kubeconfigPath,
    timeoutMs: attempt.timeoutMs ?? 5000,
    ...(attempt.namespace ? { namespace: attempt.namespace } : {}),
  });
  const [pod] = await session.resolveTargets(attempt.request ?? { target: TINY.reviewsV1 });
  const admin = await session.admin(pod!, { via: attempt.via ?? 'port-forward', adminPort: attempt.adminPort ?? 15000 });
  return admin.get('config_dump?mask=dynamic_listeners');
}

function expectFailure(type: { [Symbol.hasInstance](value: unknown): boolean; readonly name: string }, exitCode: number, message: string | RegExp) {
  return (error: Error & { exitCode?: number }) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error.name}: ${error.message}`);
    assert.equal(error.exitCode, exitCode);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.ok(!error.message.includes(cluster.token), 'no token');
    return true;
  };
}

/** Sets Envoy knobs on reviews-v1 for the duration of `body`. */
const withEnvoy = (behavior: Partial<EnvoyBehavior>, body: () => Promise<void>): Promise<void> =>
  cluster.pod(TINY.reviewsV1).envoy!.withBehavior(behavior, body);

describe('the target', () => {
  test('pod not found', async () => {
    await assert.rejects(
      fetchConfigDump({ request: { target: 'reviews-v9-000000000-zzzzz' } }),
      expectFailure(
        PodNotFoundError,
        ExitCode.POD_NOT_FOUND,
        'pod "reviews-v9-000000000-zzzzz" not found in namespace "default" (check the name, or -n/--namespace)',
      ),
    );
    await assert.rejects(
      fetchConfigDump({ request: { target: 'deploy/nope' } }),
      expectFailure(PodNotFoundError, ExitCode.POD_NOT_FOUND, 'deployment "nope" not found in namespace "default" (check the name, or -n/--namespace)'),
    );
  });

  test('no pods match the selector or the workload', async () => {
    await assert.rejects(
      fetchConfigDump({ request: { selector: 'app=nothing' } }),
      expectFailure(NoPodsMatchError, ExitCode.NO_PODS_MATCH, 'no pods match selector "app=nothing" in namespace "default"'),
    );
    await assert.rejects(
      fetchConfigDump({ request: { target: 'deploy/orphan' } }),
      expectFailure(NoPodsMatchError, ExitCode.NO_PODS_MATCH, 'no pods match deployment/orphan (selector app=nothing) in namespace "default"'),
    );
    await assert.rejects(
      fetchConfigDump({ request: { target: 'svc/external' } }),
      expectFailure(NoPodsMatchError, ExitCode.NO_PODS_MATCH, 'no pods match service/external (it has no selector) in namespace "default"'),
    );
    await assert.rejects(
      fetchConfigDump({ request: { selector: 'app=reviews' }, namespace: 'quiet' }),
      expectFailure(NoPodsMatchError, ExitCode.NO_PODS_MATCH, 'no pods match selector "app=reviews" in namespace "quiet"'),
    );
  });

  test('namespace not found', async () => {
    const message = 'namespace "nowhere" not found (check -n/--namespace or the namespace of the kubeconfig context)';
    await assert.rejects(
      fetchConfigDump({ request: { target: `${TINY.reviewsV1}.nowhere` } }),
      expectFailure(NamespaceNotFoundError, ExitCode.NAMESPACE_NOT_FOUND, message),
    );
    await assert.rejects(
      fetchConfigDump({ request: { target: 'deploy/reviews.nowhere' } }),
      expectFailure(NamespaceNotFoundError, ExitCode.NAMESPACE_NOT_FOUND, message),
    );
    await assert.rejects(
      fetchConfigDump({ request: { selector: 'app=reviews' }, namespace: 'nowhere' }),
      expectFailure(NamespaceNotFoundError, ExitCode.NAMESPACE_NOT_FOUND, message),
    );
  });

  test('without permission to read namespaces, the pod is reported missing', async () => {
    cluster.deny = [{ verb: 'get', resource: 'namespaces' }];
    try {
      await assert.rejects(
        fetchConfigDump({ request: { target: 'x.nowhere' } }),
        expectFailure(PodNotFoundError, ExitCode.POD_NOT_FOUND, /^pod "x" not found in namespace "nowhere"/),
      );
    } finally {
      cluster.deny = [];
    }
  });

  test('the pod has no istio-proxy container', async () => {
    await assert.rejects(
      fetchConfigDump({ request: { target: `${TINY.legacy}.legacy` } }),
      expectFailure(
        NotInMeshError,
        ExitCode.NOT_IN_MESH,
        `pod ${TINY.legacy}.legacy has no istio-proxy container: it is not in the mesh (is sidecar injection enabled for namespace "legacy"?)`,
      ),
    );
  });

  test('the pod is not Running', async () => {
    await assert.rejects(
      fetchConfigDump({ request: { target: TINY.reviewsV3 } }),
      expectFailure(
        PodNotRunningError,
        ExitCode.POD_NOT_RUNNING,
        `pod ${TINY.reviewsV3}.default is Pending, not Running: its Envoy cannot be reached until it runs`,
      ),
    );
  });

  test('the pod stopped running between the lookup and the fetch: the API server refuses the upgrade', async () => {
    const session = await connect({ kubeconfig: cluster.kubeconfigPath, timeoutMs: 5000 });
    const [pod] = await session.resolveTargets({ target: TINY.reviewsV1 });
    cluster.pod(TINY.reviewsV1).phase = 'Failed';
    try {
      for (const via of ['port-forward', 'exec'] as const) {
        const admin = await session.admin(pod!, { via, adminPort: 15000 });
        await assert.rejects(
          admin.get('config_dump'),
          expectFailure(
            PodNotRunningError,
            ExitCode.POD_NOT_RUNNING,
            `pod ${TINY.reviewsV1}.default is not Running: its Envoy cannot be reached until it runs`,
          ),
        );
      }
    } finally {
      cluster.pod(TINY.reviewsV1).phase = 'Running';
    }
  });
});

describe('the API server', () => {
  let silent: Server;
  const accepted = new Set<Socket>();
  before(async () => {
    // Accepts TCP connections and never says a word: no TLS handshake ever completes.
    silent = createServer((socket) => accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    for (const socket of accepted) socket.destroy();
    silent.close();
  });

  test('unreachable: connection refused, or no TLS handshake within --timeout', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      fetchConfigDump({ kubeconfig: await cluster.writeKubeconfig({ server: `https://127.0.0.1:${port}` }) }),
      expectFailure(
        ApiUnreachableError,
        ExitCode.API_UNREACHABLE,
        `cannot reach the Kubernetes API server at https://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}): check that the cluster is up and the kubeconfig context is right`,
      ),
    );
    const { port: silentPort } = silent.address() as { port: number };
    const startedAt = performance.now();
    await assert.rejects(
      fetchConfigDump({ kubeconfig: await cluster.writeKubeconfig({ server: `https://127.0.0.1:${silentPort}` }), timeoutMs: 300 }),
      expectFailure(ApiUnreachableError, ExitCode.API_UNREACHABLE, /\(no connection within 300 ms\)/),
    );
    assert.ok(performance.now() - startedAt < 2000, 'within the timeout');
  });

  test('TLS verification failure', async () => {
    await assert.rejects(
      fetchConfigDump({ kubeconfig: await cluster.writeKubeconfig({ trustCa: false }) }),
      expectFailure(
        TlsFailureError,
        ExitCode.TLS_FAILURE,
        `TLS verification of the Kubernetes API server at ${cluster.server} failed (unable to verify the first certificate): check certificate-authority(-data) in the kubeconfig`,
      ),
    );
  });

  test('401 Unauthorized', async () => {
    await assert.rejects(
      fetchConfigDump({ kubeconfig: await cluster.writeKubeconfig({ token: 'expired-token' }) }),
      expectFailure(
        UnauthorizedError,
        ExitCode.UNAUTHORIZED,
        `the Kubernetes API server at ${cluster.server} did not accept the credentials (401 Unauthorized): log in again or fix the kubeconfig user`,
      ),
    );
  });

  test('403 Forbidden names the verb and resource missing', async () => {
    const cases = [
      { deny: { verb: 'create', resource: 'pods/portforward' }, via: 'port-forward', missing: 'create pods/portforward' },
      { deny: { verb: 'create', resource: 'pods/exec' }, via: 'exec', missing: 'create pods/exec' },
      { deny: { verb: 'get', resource: 'pods' }, via: 'port-forward', missing: 'get pods' },
      { deny: { verb: 'list', resource: 'pods', namespace: 'default' }, via: 'port-forward', missing: 'list pods', selector: 'app=reviews' },
    ] as const;
    for (const { deny, via, missing, ...rest } of cases) {
      cluster.deny = [deny];
      try {
        const request = 'selector' in rest ? { selector: rest.selector } : { target: TINY.reviewsV1 };
        const [verb, resource] = missing.split(' ');
        await assert.rejects(
          fetchConfigDump({ request, via }),
          expectFailure(
            ForbiddenError,
            ExitCode.FORBIDDEN,
            new RegExp(
              `^forbidden: cannot ${missing} in namespace "default" \\(.*User "${cluster.user}" cannot ${verb} resource "${resource}" in API group "" in the namespace "default"\\)$`,
            ),
          ),
        );
      } finally {
        cluster.deny = [];
      }
    }
  });

  test('a missing kubeconfig file', async () => {
    await assert.rejects(
      fetchConfigDump({ kubeconfig: '/nonexistent/kubeconfig' }),
      expectFailure(KubeconfigError, ExitCode.KUBECONFIG, '/nonexistent/kubeconfig: no such kubeconfig file (--kubeconfig)'),
    );
  });
});

for (const via of ['port-forward', 'exec'] as const) {
  describe(`Envoy's admin, via ${via}`, () => {
    const source = `pod ${TINY.reviewsV1}.default`;

    test('the admin port refuses the connection: the sidecar is not ready yet', async () => {
      const message = `the istio-proxy sidecar of ${TINY.reviewsV1}.default is not ready yet (Envoy admin port 15000 refused the connection)`;
      await withEnvoy({ listening: false }, () => assert.rejects(fetchConfigDump({ via }), expectFailure(AdminRefusedError, ExitCode.ADMIN_REFUSED, message)));
      // Nothing listens on another --proxy-admin-port either.
      await assert.rejects(
        fetchConfigDump({ via, adminPort: 15004 }),
        expectFailure(AdminRefusedError, ExitCode.ADMIN_REFUSED, /admin port 15004 refused the connection/),
      );
    });

    test('Envoy answers non-200', async () => {
      await withEnvoy({ status: 503 }, () =>
        assert.rejects(
          fetchConfigDump({ via }),
          expectFailure(
            AdminBadStatusError,
            ExitCode.ADMIN_BAD_STATUS,
            `the Envoy admin of ${source} answered 503 to GET /config_dump?mask=dynamic_listeners: fake Envoy admin: answering 503 as told`,
          ),
        ),
      );
    });

    test('Envoy sends a truncated body', async () => {
      await withEnvoy({ truncate: true }, () =>
        assert.rejects(
          fetchConfigDump({ via }),
          expectFailure(
            AdminBadBodyError,
            ExitCode.ADMIN_BAD_BODY,
            new RegExp(`^the Envoy admin of ${source} sent a bad answer to GET /config_dump\\?mask=dynamic_listeners: truncated: `),
          ),
        ),
      );
    });

    test('Envoy does not answer within --timeout', async () => {
      const startedAt = performance.now();
      await withEnvoy({ delayMs: 3000 }, () =>
        assert.rejects(
          fetchConfigDump({ via, timeoutMs: 400 }),
          expectFailure(
            KubeTimeoutError,
            ExitCode.TIMEOUT,
            `timed out after 0.4 s fetching /config_dump?mask=dynamic_listeners from ${TINY.reviewsV1}.default via ${via} (admin port 15000) (raise --timeout if the cluster is slow)`,
          ),
        ),
      );
      assert.ok(performance.now() - startedAt < 2500, 'gave up at the timeout');
    });
  });
}

describe('--admin-url', () => {
  test('refused, non-200 and truncated', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      directAdmin(`http://127.0.0.1:${port}`, { timeoutMs: 2000 }).get('config_dump'),
      expectFailure(
        AdminRefusedError,
        ExitCode.ADMIN_REFUSED,
        `cannot connect to the Envoy admin at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}): is Envoy running there?`,
      ),
    );
    const admin = directAdmin(`http://127.0.0.1:${cluster.pod(TINY.reviewsV1).envoy!.port}`, { timeoutMs: 2000 });
    await withEnvoy({ status: 500 }, () =>
      assert.rejects(admin.get('config_dump'), expectFailure(AdminBadStatusError, ExitCode.ADMIN_BAD_STATUS, /answered 500 to GET \/config_dump/)),
    );
    // A POST (zc log's level change) is named as one.
    await withEnvoy({ status: 500 }, () =>
      assert.rejects(
        admin.post('logging?level=debug'),
        expectFailure(AdminBadStatusError, ExitCode.ADMIN_BAD_STATUS, /answered 500 to POST \/logging\?level=debug/),
      ),
    );
    await withEnvoy({ truncate: true }, () => assert.rejects(admin.get('config_dump'), expectFailure(AdminBadBodyError, ExitCode.ADMIN_BAD_BODY, /truncated/)));
    await withEnvoy({ delayMs: 3000 }, () =>
      assert.rejects(
        directAdmin(`http://127.0.0.1:${cluster.pod(TINY.reviewsV1).envoy!.port}`, { timeoutMs: 300 }).get('config_dump'),
        expectFailure(KubeTimeoutError, ExitCode.TIMEOUT, /^timed out after 0.3 s/),
      ),
    );
  });
});
