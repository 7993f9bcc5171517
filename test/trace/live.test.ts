// `pc trace` on a live pod, through the protocol-faithful fake cluster: it asks Envoy only for what
// the walk reads (one masked config_dump, then /clusters for host health), names an ejected
// endpoint, and gives the same answer through port-forward, exec and --admin-url.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Trace } from '../../src/trace/trace.ts';
import { sharedCluster } from '../helpers/sharedCluster.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exampleDump = join(root, 'examples', 'reviews-v1.config_dump.json');
const POD = 'reviews-v1-cb8655c75-b97zc';
const EJECTED = '172.33.4.7';

interface HostJson {
  address?: { socket_address?: { address?: string } };
  health_status?: Record<string, unknown>;
}

/** The example's /clusters, with reviews v2's only host ejected by outlier detection. */
function clustersWithEjectedV2(): Record<string, unknown> {
  const clusters = JSON.parse(readFileSync(join(root, 'examples', 'reviews-v1.clusters.json'), 'utf8')) as {
    cluster_statuses: { name: string; host_statuses?: HostJson[] }[];
  };
  for (const status of clusters.cluster_statuses) {
    for (const host of status.host_statuses ?? []) {
      if (host.address?.socket_address?.address === EJECTED) host.health_status = { ...host.health_status, failed_outlier_check: true };
    }
  }
  return clusters;
}

const shared = sharedCluster(() => ({
  pods: [{ name: POD, labels: { app: 'reviews', version: 'v1' }, envoy: { dump: exampleDump, clusters: clustersWithEjectedV2() } }],
}));

const { live } = shared;

test('live: only the masked config_dump and /clusters are fetched, and an ejected endpoint is named', async () => {
  const requests = shared.cluster.pod(POD).envoy!.requests;
  const before = requests.length;
  const result = await live(['pc', 'trace', POD, '-H', 'end-user: jason', 'http://reviews:9080/reviews/0', '-o', 'json']);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  const fetched = requests.slice(before);
  assert.equal(fetched.length, 2);
  assert.match(fetched[0] ?? '', /^\/config_dump\?mask=/);
  assert.doesNotMatch(fetched[0] ?? '', /include_eds|secrets|ecds/);
  assert.equal(fetched[1], '/clusters?format=json');
  const trace = JSON.parse(result.stdout) as Trace;
  assert.equal(trace.result.outcome, 'no_healthy_endpoints');
  assert.equal(trace.result.cluster, 'outbound|9080|v2|reviews.default.svc.cluster.local');
  const endpoints = trace.steps.find((s) => s.stage === 'endpoints');
  assert.equal(endpoints?.reason, '1 endpoint(s) from live /clusters, 0 usable');
  assert.deepEqual(endpoints?.details, [`${EJECTED}:9080 HEALTHY, ejected by outlier detection`]);
});

test('live: a walk that ends before the endpoints does not fetch /clusters', async () => {
  const requests = shared.cluster.pod(POD).envoy!.requests;
  const before = requests.length;
  const result = await live(['pc', 'trace', POD, '--dst', '93.184.216.34:443', 'tcp', '-o', 'json']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as Trace).result.outcome, 'passthrough');
  assert.equal(requests.length - before, 1);
});

test('live: port-forward, --via exec and --admin-url give the same trace', async () => {
  const argv = ['http://ratings:9080/ratings/0'];
  const expected = await live(['pc', 'trace', POD, ...argv]);
  assert.equal(expected.code, 0, expected.stderr);
  assert.match(expected.stdout, /Result {4}FORWARDED → outbound\|9080\|\|ratings\.default\.svc\.cluster\.local → 172\.33\.100\.2:9080/);
  const port = shared.cluster.pod(POD).envoy!.port;
  for (const variant of [
    ['pc', 'trace', POD, '--via', 'exec', ...argv],
    ['pc', 'trace', '--admin-url', `http://127.0.0.1:${port}`, ...argv],
  ]) {
    const result = await live(variant);
    assert.equal(result.stderr, '', variant.join(' '));
    assert.equal(result.stdout, expected.stdout, variant.join(' '));
  }
});
