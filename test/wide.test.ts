// `-o wide`: extra columns that answer "where does this request go" and "how many endpoints", while
// the default tables stay istioctl's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Route, RouteMatch } from '../src/envoy/model.ts';
import { describeRouteAction, describeRouteConditions, endpointWorkload } from '../src/render/views/wide.ts';
import { startFakeCluster, type FakeCluster } from './cluster/index.ts';
import { runCli } from './helpers/cli.ts';

const example = join(fileURLToPath(new URL('..', import.meta.url)), 'examples', 'reviews-v1.config_dump.json');
const exampleClusters = join(fileURLToPath(new URL('..', import.meta.url)), 'examples', 'reviews-v1.clusters.json');
const POD = 'reviews-v1-cb8655c75-b97zc';

let cluster: FakeCluster;
before(async () => {
  cluster = await startFakeCluster({ pods: [{ name: POD, labels: { app: 'reviews' }, envoy: { dump: example, clusters: exampleClusters } }] });
});
after(() => cluster.close());

/** The table's rows split into cells (cells are separated by two or more spaces in these tables). */
function cells(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.trimEnd().split(/ {2,}/));
}

test('pc route -o wide tells the jason route (→ v2) from the default route (→ v1); the default table cannot', async () => {
  const short = await runCli(['pc', 'route', '-f', example, '--name', '9080']);
  const reviewsShort = short.stdout.split('\n').filter((line) => line.includes('reviews.default.svc.cluster.local:9080'));
  assert.equal(reviewsShort.length, 2);
  assert.equal(reviewsShort[0], reviewsShort[1], "istioctl's table shows the two routes alike");

  const wide = await runCli(['pc', 'route', '-f', example, '--name', '9080', '-o', 'wide']);
  assert.equal(wide.code, 0, wide.stderr);
  const [header, ...rows] = cells(wide.stdout);
  assert.deepEqual(header, ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'CONDITIONS', 'ACTION', 'VIRTUAL SERVICE']);
  const reviews = rows.filter((row) => row[1] === 'reviews.default.svc.cluster.local:9080');
  assert.deepEqual(
    reviews.map((row) => [row[4], row[5]]),
    [
      ['end-user: jason', '→ outbound|9080|v2|reviews.default.svc.cluster.local, no timeout, 2 retries'],
      ['-', '→ outbound|9080|v1|reviews.default.svc.cluster.local, no timeout, 2 retries'],
    ],
  );
});

test('route conditions: headers, methods, query parameters, inversion, case, every matcher spelling', () => {
  const match: RouteMatch = {
    prefix: '/api',
    case_sensitive: false,
    headers: [
      { name: ':method', string_match: { safe_regex: { regex: 'GET|POST' } } },
      { name: 'x-canary', string_match: { exact: 'TRUE', ignore_case: true }, invert_match: true },
      { name: 'x-prefix', prefix_match: 'ab' },
      { name: 'x-v2', exact_match: 'old' },
      { name: 'x-range', range_match: { start: '1', end: '5' } },
      { name: 'x-present', present_match: true },
    ],
    query_parameters: [
      { name: 'debug', present_match: true },
      { name: 'user', string_match: { suffix: 'son' } },
    ],
  };
  assert.equal(
    describeRouteConditions(match),
    ':method: GET|POST (regex), !x-canary: TRUE (any case), x-prefix: ab*, x-v2: old, x-range: [1,5), x-present, ?debug, ?user=*son, path in any case',
  );
  assert.equal(describeRouteConditions({ prefix: '/' }), '-');
});

test('route actions: weighted clusters with their share, redirects, direct responses, timeouts', () => {
  const weighted: Route = {
    route: {
      weighted_clusters: {
        clusters: [
          { name: 'a', weight: 75 },
          { name: 'b', weight: 25 },
        ],
      },
      timeout: '3s',
    },
  };
  assert.equal(describeRouteAction(weighted), '→ a 75% + b 25%, timeout 3s');
  assert.equal(describeRouteAction({ redirect: { https_redirect: true } }), 'redirect https://*/* (MOVED_PERMANENTLY)');
  assert.equal(
    describeRouteAction({ redirect: { host_redirect: 'new.example', path_redirect: '/x', response_code: 'FOUND' } }),
    'redirect *://new.example/x (FOUND)',
  );
  assert.equal(describeRouteAction({ direct_response: { status: 404, body: { inline_string: 'not\nhere' } } }), 'direct response 404 "not here"');
  assert.equal(describeRouteAction({ route: { cluster_header: 'x-cluster' } }), '→ cluster named by header x-cluster');
  assert.equal(describeRouteAction({}), '-');
});

test('endpoint workload and version from Istio metadata', () => {
  const lb = { metadata: { filter_metadata: { istio: { workload: 'reviews-v2;default;reviews;v2;Kubernetes' } } } };
  assert.deepEqual(endpointWorkload(lb), { workload: 'reviews-v2.default', version: 'v2' });
  assert.deepEqual(endpointWorkload({}), { workload: '-', version: '-' });
});

test('pc cluster -o wide counts endpoints and the healthy ones; - where the input cannot say', async () => {
  const dump = JSON.parse(readFileSync(example, 'utf8')) as { configs: Record<string, unknown>[] };
  const eds = dump.configs.find((section) => String(section['@type']).endsWith('EndpointsConfigDump')) as {
    dynamic_endpoint_configs: { endpoint_config: { cluster_name: string; endpoints: { lb_endpoints: { health_status?: string }[] }[] } }[];
  };
  const reviews = eds.dynamic_endpoint_configs.find((e) => e.endpoint_config.cluster_name === 'outbound|9080||reviews.default.svc.cluster.local');
  const first = reviews?.endpoint_config.endpoints[0]?.lb_endpoints[0];
  assert.ok(first);
  first.health_status = 'UNHEALTHY';
  const result = await runCli(['pc', 'cluster', '-f', '-', '--fqdn', 'reviews', '-o', 'wide'], { stdin: JSON.stringify(dump) });
  assert.equal(result.code, 0, result.stderr);
  const [header, ...rows] = cells(result.stdout);
  assert.deepEqual(header?.slice(-2), ['ENDPOINTS', 'HEALTHY']);
  assert.deepEqual(
    rows.map((row) => [row[2], ...row.slice(-2)]),
    [
      ['-', '3', '2'],
      ['v1', '1', '1'],
      ['v2', '1', '1'],
      ['v3', '1', '1'],
    ],
  );

  const withoutEds = { configs: dump.configs.filter((section) => section !== eds) };
  const counts = await runCli(['pc', 'cluster', '-f', '-', '--fqdn', 'reviews', '-o', 'wide'], { stdin: JSON.stringify(withoutEds) });
  assert.equal(counts.code, 0, counts.stderr);
  assert.equal(cells(counts.stdout).length, 5, counts.stdout);
  assert.ok(
    cells(counts.stdout)
      .slice(1)
      .every((row) => row.slice(-2).join() === '-,-'),
    counts.stdout,
  );
});

test('pc endpoint -o wide shows workload, version and weight; pc listener -o wide the network filters per chain', async () => {
  const endpoints = await runCli(['pc', 'endpoint', '-f', example, '--cluster', 'outbound|9080|v1|reviews.default.svc.cluster.local', '-o', 'wide']);
  assert.deepEqual(cells(endpoints.stdout), [
    ['NAME', 'STATUS', 'LOCALITY', 'CLUSTER', 'OUTLIER CHECK', 'WEIGHT', 'WORKLOAD', 'VERSION'],
    ['172.33.3.3:9080', 'HEALTHY', 'us-west1/us-west1-b', 'outbound|9080|v1|reviews.default.svc.cluster.local', '-', '1', 'reviews-v1.default', 'v1'],
  ]);
  const listeners = await runCli(['pc', 'listener', '-f', example, '--port', '9080', '-o', 'wide']);
  const lines = listeners.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /MATCH +DESTINATION +NETWORK FILTERS$/);
  assert.ok(
    lines.some((line) => line.endsWith('Route: 9080        envoy.filters.network.http_connection_manager')),
    listeners.stdout,
  );
});

test('every pc kind takes -o wide, and the default tables keep their columns', async () => {
  for (const kind of ['listener', 'route', 'cluster', 'endpoint', 'eds', 'bootstrap', 'secret', 'ecds', 'all']) {
    const wide = await runCli(['pc', kind, '-f', example, '-o', 'wide']);
    assert.equal(wide.code, 0, `${kind}: ${wide.stderr}`);
    assert.notEqual(wide.stdout, '');
    const short = await runCli(['pc', kind, '-f', example, '-o', 'short']);
    assert.equal(short.code, 0, `${kind}: ${short.stderr}`);
    const headers = short.stdout.split('\n').filter((line) => /^[A-Z][A-Z ]+$/.test(line.trimEnd()));
    assert.notEqual(short.stdout, '', kind);
    for (const column of ['CONDITIONS', 'NETWORK FILTERS', 'ENDPOINTS', 'WORKLOAD']) {
      assert.ok(!headers.some((line) => line.includes(column)), `${kind}: ${column}`);
    }
  }
});

test("live: pc endpoint -o wide takes WORKLOAD and VERSION from the proxy's EDS; pc cluster -o wide counts as offline", async () => {
  const env = { KUBECONFIG: cluster.kubeconfigPath };
  const endpoints = await runCli(['pc', 'endpoint', POD, '-o', 'wide', '--cluster', 'outbound|9080|v1|reviews.default.svc.cluster.local'], { env });
  assert.equal(endpoints.code, 0, endpoints.stderr);
  assert.deepEqual(cells(endpoints.stdout), [
    ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER', 'LOCALITY', 'WEIGHT', 'WORKLOAD', 'VERSION'],
    ['172.33.3.3:9080', 'HEALTHY', 'OK', 'outbound|9080|v1|reviews.default.svc.cluster.local', 'us-west1/us-west1-b', '1', 'reviews-v1.default', 'v1'],
  ]);
  const offline = await runCli(['pc', 'endpoint', '-f', exampleClusters, '-o', 'wide', '--cluster', 'outbound|9080|v1|reviews.default.svc.cluster.local']);
  assert.deepEqual(cells(offline.stdout)[1]?.slice(-2), ['-', '-'], '/clusters alone has no workload metadata');
  const live = await runCli(['pc', 'cluster', POD, '-o', 'wide', '--fqdn', 'reviews'], { env });
  assert.equal(live.code, 0, live.stderr);
  assert.notEqual(live.stdout, '');
  assert.equal(live.stdout, (await runCli(['pc', 'cluster', '-f', example, '-o', 'wide', '--fqdn', 'reviews'])).stdout);
});
