// Every socket and WebSocket is closed when a command is done: a process that fetched through
// port-forward, exec and --admin-url (successes, failures and a timeout) exits at once.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { type FakeCluster, startFakeCluster } from '../cluster/index.ts';
import { TINY, tinyMeshScenario } from '../cluster/tinyMesh.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KUBE_MODULE = pathToFileURL(fileURLToPath(new URL('../../src/kube/index.ts', import.meta.url))).href;

let cluster: FakeCluster;

before(async () => {
  cluster = await startFakeCluster(tinyMeshScenario());
  cluster.pod(TINY.ratings).envoy!.behavior.listening = false;
  cluster.pod(TINY.gateway, 'istio-system').envoy!.behavior.delayMs = 5000;
});

after(() => cluster.close());

// Runs in the child: what a `pc` command does, then "done"; nothing may keep the event loop alive.
const script = `
import { connect, directAdmin } from ${JSON.stringify(KUBE_MODULE)};
const session = await connect({ kubeconfig: process.env.KUBECONFIG_UNDER_TEST, timeoutMs: 300 });
const outcomes = [];
const attempt = async (label, fetch) => {
  try { await fetch(); outcomes.push(label + ' ok'); } catch (error) { outcomes.push(label + ' ' + error.name); }
};
for (const via of ['port-forward', 'exec']) {
  for (const target of [${JSON.stringify(TINY.reviewsV1)}, ${JSON.stringify(TINY.ratings)}, ${JSON.stringify(`${TINY.gateway}.istio-system`)}]) {
    await attempt(via + ' ' + target.slice(0, 7), async () => {
      const [pod] = await session.resolveTargets({ target });
      const admin = await session.admin(pod, { via, adminPort: 15000 });
      await admin.get('config_dump');
      await admin.close();
    });
  }
}
await attempt('direct', () => directAdmin(process.env.ADMIN_URL_UNDER_TEST, { timeoutMs: 300 }).get('server_info'));
await session.close();
const doneAt = performance.now();
// Pipes are synchronous on Linux, so this line is written even from the exit handler.
process.on('exit', () => process.stdout.write(JSON.stringify({ outcomes, lingeredMs: performance.now() - doneAt }) + '\\n'));
`;

test('the process exits as soon as its work is done', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      KUBECONFIG_UNDER_TEST: cluster.kubeconfigPath,
      ADMIN_URL_UNDER_TEST: `http://127.0.0.1:${cluster.pod(TINY.reviewsV1).envoy!.port}`,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exitCode = await new Promise<number | null>((resolve) => {
    const killer = setTimeout(() => child.kill(), 20_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve(code);
    });
  });
  assert.equal(exitCode, 0, stderr);
  const { outcomes, lingeredMs } = JSON.parse(stdout) as { outcomes: string[]; lingeredMs: number };
  assert.deepEqual(outcomes, [
    'port-forward reviews ok',
    'port-forward ratings AdminRefusedError',
    'port-forward istio-i KubeTimeoutError',
    'exec reviews ok',
    'exec ratings AdminRefusedError',
    'exec istio-i KubeTimeoutError',
    'direct ok',
  ]);
  // Anything left open (a WebSocket awaiting its close frame, a kept-alive socket, a timer) would hold the loop for seconds.
  assert.ok(lingeredMs < 250, `the event loop stayed alive ${Math.round(lingeredMs)} ms after the work was done`);
});
