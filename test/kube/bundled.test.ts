// The Kubernetes client as shipped: dist/ bundles a trimmed @kubernetes/client-node (scripts/bundle.ts),
// so the built binary must authenticate as the sources do. Each kubeconfig below reaches the fake
// cluster only if its one way of authenticating works: an exec credential plugin, a token file
// relative to the kubeconfig, a CA file, another context, a proxy.

import assert from 'node:assert/strict';

import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { type FakeCluster, startFakeCluster } from '../cluster/index.ts';
import { TINY, tinyMeshScenario } from '../cluster/tinyMesh.ts';
import { runBin } from '../helpers/bin.ts';

let cluster: FakeCluster;

before(async () => {
  cluster = await startFakeCluster(tinyMeshScenario());
});

after(() => cluster.close());

const built = (argv: string[], kubeconfig: string) => runBin(argv, { env: { KUBECONFIG: kubeconfig } });

/** A kubeconfig whose only credentials are `user`, trusting the cluster's CA through a file. */
async function kubeconfigWith(
  fileName: string,
  user: Record<string, unknown>,
  namespace = 'default',
  clusterExtra: Record<string, string> = {},
): Promise<string> {
  const path = join(cluster.dir, fileName);
  await writeFile(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: cluster.server, 'certificate-authority': cluster.caPath, ...clusterExtra } }],
      users: [{ name: 'someone', user }],
      contexts: [
        { name: 'elsewhere', context: { cluster: 'fake', user: 'nobody' } },
        { name: 'bundled', context: { cluster: 'fake', user: 'someone', namespace } },
      ],
      'current-context': 'elsewhere',
    }),
  );
  return path;
}

const clusters = async (kubeconfig: string, target: string) => {
  const result = await built(['pc', 'cluster', target, '--context', 'bundled'], kubeconfig);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^SERVICE FQDN\s+PORT/);
  assert.match(result.stdout, /ratings\.default\.svc\.cluster\.local\s+9080\s+-\s+outbound\s+EDS/);
};

test('the built binary runs an exec credential plugin for its token', async () => {
  const plugin = join(cluster.dir, 'bundled-credential-plugin.mjs');
  const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: cluster.token } };
  await writeFile(plugin, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
  const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' };
  await clusters(await kubeconfigWith('bundled-exec.yaml', { exec }), TINY.ratings);
});

test("the built binary reads a token file relative to the kubeconfig, and the context's namespace", async () => {
  await writeFile(join(cluster.dir, 'bundled-token.txt'), `${cluster.token}\n`);
  await clusters(await kubeconfigWith('bundled-token-file.yaml', { tokenFile: 'bundled-token.txt' }, 'istio-system'), TINY.gateway);
});

test('the built binary goes through the proxy-url of the kubeconfig (loaded on demand)', async () => {
  // An HTTP CONNECT proxy, as corporate networks put in front of API servers.
  const tunnels: string[] = [];
  const open = new Set<{ destroy(): void }>();
  const proxy = createServer();
  proxy.on('connect', (request, client, head) => {
    tunnels.push(request.url ?? '');
    open.add(client);
    const [host = '', port = ''] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    open.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    await clusters(await kubeconfigWith('bundled-proxy.yaml', { token: cluster.token }, 'default', { 'proxy-url': proxyUrl }), TINY.ratings);
    // The pod GET and the port-forward upgrade both went through the proxy.
    assert.deepEqual(tunnels, [new URL(cluster.server).host, new URL(cluster.server).host]);
  } finally {
    // Tunnels leave the server's hands once established: close them here.
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  }
});

test('a failing credential plugin is one line from the built binary too', async () => {
  const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', 'process.exit(3)'], interactiveMode: 'Never' };
  const result = await built(['pc', 'cluster', TINY.ratings, '--context', 'bundled'], await kubeconfigWith('bundled-failing-exec.yaml', { exec }));
  assert.equal(result.stdout, '');
  assert.match(
    result.stderr,
    /^error: the Kubernetes API server at .* did not accept the credentials \(getting a token from the kubeconfig user's credential plugin failed: [^\n]*\n$/,
  );
});
