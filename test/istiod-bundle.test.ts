// The built binary and istiod: the bundled xDS transport (grpc-js as bundled, not as tsx loads it)
// talks to the test cluster's istiods.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeCluster } from './cluster/index.ts';
import { meshIstiods } from './cluster/istiod.ts';
import { runBin } from './helpers/bin.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

test('the bundled CLI asks istiod over xDS through the port-forward', async () => {
  const example = join(root, 'examples', 'reviews-v1.config_dump.json');
  const appPods = [{ name: 'reviews-v1', labels: { app: 'reviews' }, envoy: { dump: example } }];
  const control = await meshIstiods(appPods, 1);
  const cluster = await startFakeCluster({ pods: [...appPods, ...control.pods], configMaps: control.configMaps });
  control.trust(cluster.issuedTokens);
  try {
    const run = (args: string[]) => runBin(args, { env: { ...process.env, NO_COLOR: '1', KUBECONFIG: cluster.kubeconfigPath } });
    const status = await run(['ps', '--transport', 'xds', '--types']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^reviews-v1\.default\s+Kubernetes\s+istiod-5d8f7c9b6-r0\s+1\.24\.2\s+4 \(CDS,LDS,EDS,RDS\)$/m);
    const diff = await run(['ps', 'reviews-v1', '--transport', 'xds', '--exit-code']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^Clusters Match\nListeners Match\nRoutes Match\n/);
    assert.deepEqual(control.istiods[0]?.requests, ['xds istio.io/debug/syncz', 'xds istio.io/debug config_dump?proxyID=reviews-v1.default']);
  } finally {
    await cluster.close();
    await Promise.all(control.istiods.map((istiod) => istiod.close()));
  }
});
