// `pc trace` end to end on saved dumps: the article's two walks (on the bundled example and on an
// Istio 1.1 dump written from the article), and modern sidecars and gateways from the corpus, with
// expectations read off those dumps by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Trace, TraceStep } from '../../src/trace/trace.ts';
import { runCli } from '../helpers/cli.ts';
import { corpusPath, skipWithoutCorpus } from '../helpers/corpus.ts';

const EXAMPLE = 'examples/reviews-v1.config_dump.json';
const ISTIO_11 = 'test/fixtures/istio-1.1-reviews-v1.config_dump.json';
const ISTIO_11_EDSZ = 'test/fixtures/istio-1.1-pilot-edsz.json';

async function trace(file: string, args: string[]): Promise<Trace> {
  const result = await runCli(['pc', 'trace', '-f', file, ...args, '-o', 'json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Trace;
}

/** A step's name, with its conditions when it has them (filter chains), as the text view shows it. */
function label(step: TraceStep | undefined): string {
  return step?.match ? `${step.name} (${step.match})` : (step?.name ?? '');
}

/** `stage name` of every step: the walk at a glance. */
function walk(t: Trace): string[] {
  return t.steps.map((step) => `${step.stage} ${label(step)}`);
}

const RATINGS = 'outbound|9080||ratings.default.svc.cluster.local';

test('article, outbound reviews → ratings on the bundled example: virtualOutbound, 0.0.0.0_9080, route 9080, EDS', async () => {
  const t = await trace(EXAMPLE, ['http://ratings.default.svc.cluster.local:9080/ratings/0']);
  assert.deepEqual(walk(t), [
    'listener virtualOutbound',
    'listener 0.0.0.0_9080',
    'filter_chain #0 (Trans: raw_buffer; App: http/1.1,h2c)',
    'network_filter envoy.filters.network.http_connection_manager',
    'route_config 9080',
    'virtual_host ratings.default.svc.cluster.local:9080',
    'route default',
    `cluster ${RATINGS}`,
    `endpoints ${RATINGS}`,
  ]);
  assert.equal(t.request['destination'], '10.254.234.130:9080');
  assert.match(t.steps[1]?.reason ?? '', /no listener at exactly that address, so the one at 0\.0\.0\.0:9080 \(bind_to_port=false\)/);
  assert.deepEqual(t.result, {
    outcome: 'forwarded',
    cluster: RATINGS,
    endpoints: ['172.33.100.2:9080'],
    detail: `forwarded to ${RATINGS}, one of 172.33.100.2:9080`,
  });
});

test('article, inbound to reviews on the bundled example: virtualInbound per-port chain, inline route, ORIGINAL_DST', async () => {
  const t = await trace(EXAMPLE, ['--inbound', 'http://reviews:9080/reviews/0']);
  assert.deepEqual(walk(t).slice(0, 2), ['listener virtualInbound', 'filter_chain 0.0.0.0_9080 (Trans: raw_buffer; Addr: *:9080)']);
  assert.equal(t.request['destination'], '172.33.3.3:9080');
  assert.match(t.steps[1]?.reason ?? '', /^destination_port 9080; transport_protocol raw_buffer/);
  // http_inspector is disabled on 9080, so no ALPN: the chain without application_protocols wins.
  assert.ok(t.steps[0]?.details?.some((d) => /http_inspector: skipped \(filter_disabled matches destination port 9080\)/.test(d)));
  assert.deepEqual(walk(t).slice(2), [
    'network_filter envoy.filters.network.http_connection_manager',
    'route_config inbound|9080||',
    'virtual_host inbound|http|9080',
    'route default',
    'cluster inbound|9080||',
    'endpoints 172.33.3.3:9080',
  ]);
  assert.equal(t.result.outcome, 'passthrough');
});

test('header routing: end-user jason goes to reviews v2, everyone else to v1', async () => {
  const jason = await trace(EXAMPLE, ['-H', 'end-user: jason', 'http://reviews:9080/reviews/0']);
  assert.equal(jason.result.cluster, 'outbound|9080|v2|reviews.default.svc.cluster.local');
  assert.deepEqual(jason.result.endpoints, ['172.33.4.7:9080']);
  const other = await trace(EXAMPLE, ['-H', 'end-user: mike', 'http://reviews:9080/reviews/0']);
  assert.equal(other.result.cluster, 'outbound|9080|v1|reviews.default.svc.cluster.local');
  const route = other.steps.find((s) => s.stage === 'route');
  assert.match(route?.candidates?.[0]?.reason ?? '', /end-user: "mike" does not match end-user exact "jason"/);
});

test('Istio 1.1 (from the article), outbound: virtual → 0.0.0.0_9080 → route 9080 → ratings, endpoints from Pilot edsz', async () => {
  const t = await trace(ISTIO_11, ['--eds', ISTIO_11_EDSZ, 'http://ratings.default.svc.cluster.local:9080/ratings/0']);
  assert.deepEqual(walk(t), [
    'listener virtual',
    'listener 0.0.0.0_9080',
    'filter_chain #0 (ALL)',
    'network_filter envoy.filters.network.http_connection_manager',
    'route_config 9080',
    'virtual_host ratings.default.svc.cluster.local:9080',
    'route #0 prefix /',
    `cluster ${RATINGS}`,
    `endpoints ${RATINGS}`,
  ]);
  // Before ignore_port_in_host_matching, the Host with its port matches the `name:port` domain.
  assert.match(t.steps[5]?.reason ?? '', /exact domain "ratings\.default\.svc\.cluster\.local:9080"/);
  assert.equal(t.steps[8]?.reason, '1 endpoint(s) from Pilot edsz, 1 usable');
  assert.deepEqual(t.result.endpoints, ['172.33.100.2:9080']);
  const withoutEds = await trace(ISTIO_11, ['http://ratings.default.svc.cluster.local:9080/ratings/0']);
  assert.match(withoutEds.result.detail, /endpoints of .* are unknown: the dump has no EDS/);
});

test('Istio 1.1 (from the article), inbound: through `virtual` on 15001, handed off to 172.33.3.3_9080, to 127.0.0.1:9080', async () => {
  const t = await trace(ISTIO_11, ['--inbound', 'http://reviews:9080/reviews/0']);
  assert.deepEqual(walk(t), [
    'listener virtual',
    'listener 172.33.3.3_9080',
    'filter_chain #0 (Trans: raw_buffer)',
    'network_filter envoy.filters.network.http_connection_manager',
    'route_config inbound|9080||reviews.default.svc.cluster.local',
    'virtual_host inbound|http|9080',
    'route #0 prefix /',
    'cluster inbound|9080||reviews.default.svc.cluster.local',
    'endpoints inbound|9080||reviews.default.svc.cluster.local',
  ]);
  assert.match(t.steps[0]?.reason ?? '', /no listener binds 15006/);
  assert.match(t.steps[1]?.reason ?? '', /a listener has exactly that address \(bind_to_port=false\)/);
  assert.ok(t.steps[1]?.details?.some((d) => d.startsWith('tls_inspector added implicitly')));
  assert.deepEqual(t.steps[2]?.candidates, [{ name: '#1 (Trans: tls)', reason: 'transport_protocol tls ≠ raw_buffer' }]);
  assert.deepEqual(t.result.endpoints, ['127.0.0.1:9080']);
  // Over mTLS the tls chain is chosen.
  const mtls = await trace(ISTIO_11, ['--inbound', '--tls', 'http://reviews:9080/reviews/0']);
  assert.equal(label(mtls.steps[2]), '#1 (Trans: tls)');
  // A port nobody listens on stays on `virtual` and meets its BlackHole.
  const stray = await trace(ISTIO_11, ['--dst', '10.1.2.3:7777', 'tcp']);
  assert.deepEqual(walk(stray), [
    'listener virtual',
    'filter_chain #0 (ALL)',
    'network_filter envoy.filters.network.tcp_proxy',
    'cluster BlackHoleCluster',
    'endpoints BlackHoleCluster',
  ]);
  assert.equal(stray.result.outcome, 'blackhole');
});

const SIDECAR_120 = (): string => corpusPath('dumps', 'istio-1.20-sidecar.json');
const skipCorpus = { skip: skipWithoutCorpus };

test('Istio 1.20 sidecar, inbound on 15006: per-port chains by transport and ALPN', skipCorpus, async () => {
  const http = await trace(SIDECAR_120(), ['--inbound', '--dst', '10.128.2.20:8080', 'http://hello:8080/']);
  assert.equal(label(http.steps[1]), '0.0.0.0_8080 (Trans: raw_buffer; App: http/1.1,h2c; Addr: *:8080)');
  assert.equal(http.result.cluster, 'inbound|8080||');
  assert.deepEqual(http.result.endpoints, ['10.128.2.20:8080']);
  const mtls = await trace(SIDECAR_120(), ['--inbound', '--dst', '10.128.2.20:8080', '--alpn', 'istio-http/1.1,istio', 'http://hello:8080/']);
  assert.equal(label(mtls.steps[1]), '0.0.0.0_8080 (Trans: tls; App: istio-http/1.0,istio-http/1.1,istio-h2; Addr: *:8080)');
  const tcp = await trace(SIDECAR_120(), ['--inbound', '--dst', '10.128.2.20:8080', 'tcp']);
  assert.equal(label(tcp.steps[1]), '0.0.0.0_8080 (Trans: raw_buffer; Addr: *:8080)');
  assert.equal(tcp.steps[2]?.name, 'envoy.filters.network.tcp_proxy');
  // No per-port chain for 9999: the catch-all, to InboundPassthroughClusterIpv4.
  const other = await trace(SIDECAR_120(), ['--inbound', '--dst', '10.128.2.20:9999', 'tcp']);
  assert.equal(other.result.cluster, 'InboundPassthroughClusterIpv4');
  assert.equal(other.result.outcome, 'passthrough');
  // Straight to the capture port: the loop guard.
  const loop = await trace(SIDECAR_120(), ['--inbound', '--dst', '10.128.2.20:15006', 'tcp']);
  assert.equal(label(loop.steps[1]), 'virtualInbound-blackhole (Addr: *:15006)');
  assert.equal(loop.result.outcome, 'blackhole');
});

test('Istio 1.20 sidecar, outbound catch-alls: unknown destinations pass through (ALLOW_ANY)', skipCorpus, async () => {
  const unknown = await trace(SIDECAR_120(), ['--dst', '93.184.216.34:5555', 'tcp']);
  assert.deepEqual(walk(unknown), [
    'listener virtualOutbound',
    'filter_chain virtualOutbound-catchall-tcp (ALL)',
    'network_filter envoy.filters.network.tcp_proxy',
    'cluster PassthroughCluster',
    'endpoints 93.184.216.34:5555',
  ]);
  assert.match(unknown.steps[1]?.candidates?.[0]?.reason ?? '', /destination_port 15001 ≠ 5555/);
  // Raw TCP to an HTTP port's listener misses its HTTP chain and takes the default chain.
  const rawOn80 = await trace(SIDECAR_120(), ['--dst', '93.184.216.34:80', 'tcp']);
  assert.equal(label(rawOn80.steps[2]), 'PassthroughFilterChain (default_filter_chain)');
  assert.equal(rawOn80.result.outcome, 'passthrough');
  // HTTP to an unknown host on port 80: route 80's allow_any virtual host, to PassthroughCluster.
  const http = await trace(SIDECAR_120(), ['--dst', '93.184.216.34:80', 'http://example.com/']);
  const vhost = http.steps.find((s) => s.stage === 'virtual_host');
  assert.equal(vhost?.name, 'allow_any');
  assert.equal(http.result.cluster, 'PassthroughCluster');
});

test('Istio 1.20 sidecar: a TCP service by IP (its <VIP>_<port> listener)', skipCorpus, async () => {
  const t = await trace(SIDECAR_120(), ['--dst', '172.30.22.177:443', 'tcp']);
  assert.deepEqual(walk(t).slice(0, 2), ['listener virtualOutbound', 'listener 172.30.22.177_443']);
  assert.equal(t.steps[3]?.name, 'envoy.filters.network.tcp_proxy');
  assert.match(t.result.cluster ?? '', /^outbound\|443\|\|/);
});

test('Istio 1.5 sidecar: the /32 loop guard beats the catch-all (longest prefix)', skipCorpus, async () => {
  const t = await trace(corpusPath('dumps', 'istio-1.5.4-bookinfo', 'productpage.json'), ['--dst', '10.44.0.11:12345', 'tcp']);
  assert.equal(label(t.steps[1]), '#0 (Addr: 10.44.0.11/32)');
  assert.match(t.steps[1]?.reason ?? '', /prefix_ranges \/32 holds destination 10\.44\.0\.11/);
  assert.equal(t.result.outcome, 'blackhole');
});

test('Istio 1.5 sidecar, productpage → reviews with endpoints from Pilot edsz', skipCorpus, async () => {
  const dir = ['dumps', 'istio-1.5.4-bookinfo'];
  const t = await trace(corpusPath(...dir, 'productpage.json'), ['--eds', corpusPath(...dir, 'pilot-edsz.json'), 'http://reviews:9080/reviews/0']);
  assert.deepEqual(walk(t).slice(0, 2), ['listener virtualOutbound', 'listener 0.0.0.0_9080']);
  assert.equal(t.result.cluster, 'outbound|9080||reviews.default.svc.cluster.local');
  assert.deepEqual(t.result.endpoints, ['10.44.0.10:9080', '10.44.0.8:9080', '10.44.0.9:9080']);
});

test('REGISTRY_ONLY: the block_all virtual host answers 502 and raw TCP meets the BlackHole default chain', async () => {
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'outbound_0.0.0.0_80',
    rds: { route_config_name: '80' },
  };
  const blackhole = {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
      stat_prefix: 'BlackHoleCluster',
      cluster: 'BlackHoleCluster',
    },
  };
  const listener = (l: object): object => ({
    '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener',
    active_state: { listener: { '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', ...l } },
  });
  const dump = {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        dynamic_listeners: [
          listener({
            name: 'virtualOutbound',
            address: { socket_address: { address: '0.0.0.0', port_value: 15001 } },
            use_original_dst: true,
            filter_chains: [{ name: 'virtualOutbound-catchall-tcp', filters: [blackhole] }],
          }),
          listener({
            name: '0.0.0.0_80',
            address: { socket_address: { address: '0.0.0.0', port_value: 80 } },
            bind_to_port: false,
            listener_filters: [
              {
                name: 'envoy.filters.listener.http_inspector',
                typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector' },
              },
            ],
            filter_chains: [
              {
                filter_chain_match: { transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] },
                filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }],
              },
            ],
            default_filter_chain: { name: 'PassthroughFilterChain', filters: [blackhole] },
          }),
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
        dynamic_route_configs: [
          {
            route_config: {
              '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
              name: '80',
              virtual_hosts: [{ name: 'block_all', domains: ['*'], routes: [{ name: 'block_all', match: { prefix: '/' }, direct_response: { status: 502 } }] }],
            },
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
        dynamic_active_clusters: [{ cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'BlackHoleCluster', type: 'STATIC' } }],
      },
    ],
  };
  const run = async (args: string[]): Promise<Trace> =>
    JSON.parse((await runCli(['pc', 'trace', '-f', '-', ...args, '-o', 'json'], { stdin: JSON.stringify(dump) })).stdout) as Trace;
  const http = await run(['--dst', '93.184.216.34:80', 'http://example.com/']);
  assert.deepEqual([http.result.outcome, http.result.status], ['direct_response', 502]);
  const tcp = await run(['--dst', '93.184.216.34:80', 'tcp']);
  assert.equal(label(tcp.steps[2]), 'PassthroughFilterChain (default_filter_chain)');
  assert.deepEqual([tcp.result.outcome, tcp.result.cluster], ['blackhole', 'BlackHoleCluster']);
  const other = await run(['--dst', '93.184.216.34:5555', 'tcp']);
  assert.equal(other.result.outcome, 'blackhole');
});

test('OSM sidecar: inbound on its own capture listener, SNI and ALPN chain, header-matched route; outbound by prefix range', skipCorpus, async () => {
  const osm = corpusPath('dumps', 'osm-1.18-bookstore-with-eds.json');
  const inbound = [
    '--inbound',
    '--dst',
    '10.244.2.5:14001',
    '--sni',
    'bookstore-v1.bookstore.svc.cluster.local',
    '--alpn',
    'osm',
    'http://bookstore-v1:14001/books-bought',
  ];
  const buyer = await trace(osm, [...inbound, '-H', 'client-app: bookbuyer', '-H', 'user-agent: go-http-client/1.1']);
  assert.deepEqual(walk(buyer).slice(0, 2), [
    'listener inbound-listener',
    'filter_chain inbound-mesh-http-filter-chain:bookstore/bookstore-v1:14001 (SNI: bookstore-v1.bookstore.svc.cluster.local; Trans: tls; App: osm; Addr: *:14001)',
  ]);
  assert.match(buyer.steps[2]?.reason ?? '', /before it envoy\.filters\.network\.rbac \(not simulated/);
  assert.equal(buyer.steps.find((s) => s.stage === 'route')?.name, '#1 regex /books-bought + 3 header matcher(s)');
  assert.deepEqual([buyer.result.cluster, buyer.result.endpoints], ['bookstore/bookstore-v1-local', ['127.0.0.1:14001']]);
  const stranger = await trace(osm, [...inbound, '-H', 'client-app: someone-else', '-H', 'user-agent: go-http-client/1.1']);
  assert.equal(stranger.result.outcome, 'no_route');
  assert.match(
    stranger.steps.find((s) => s.stage === 'route')?.candidates?.[1]?.reason ?? '',
    /client-app: "someone-else" does not match client-app regex "bookbuyer"/,
  );
  const outbound = await trace(osm, ['--dst', '10.96.196.30:14001', 'http://bookwarehouse.bookwarehouse:14001/restock-books']);
  assert.equal(label(outbound.steps[1]), 'outbound-mesh-http-filter-chain:bookwarehouse/bookwarehouse (Addr: 10.96.196.30/32:14001)');
  assert.equal(outbound.result.cluster, 'bookwarehouse/bookwarehouse');
  // Its EDS assignment in this dump has lost its cluster_name.
  assert.match(outbound.result.detail, /the dump's EDS has no assignment for bookwarehouse\/bookwarehouse/);
});

test('Istio 1.5 ingress gateway: HTTPS by SNI, gateway virtual host and routes, a missing cluster', skipCorpus, async () => {
  const gateway = corpusPath('dumps', 'istio-1.5.4-bookinfo', 'ingressgateway.json');
  const t = await trace(gateway, ['--dst', '10.44.0.20:443', 'https://httpbin.example.com/status/200']);
  assert.deepEqual(walk(t).slice(0, 6), [
    'listener 0.0.0.0_443',
    'filter_chain #0 (SNI: httpbin.example.com)',
    'network_filter envoy.filters.network.http_connection_manager',
    'route_config https.443.https.httpbin-gateway.default',
    'virtual_host httpbin.example.com:443',
    'route #0 prefix /status',
  ]);
  // The gateway routes to a cluster its dump (and Pilot) does not have: Envoy answers 503 NC.
  assert.equal(t.steps[6]?.name, 'outbound|8000||httpbin.default.svc.cluster.local');
  assert.deepEqual([t.result.outcome, t.result.status], ['cluster_not_found', 503]);
  const wrongSni = await trace(gateway, ['--dst', '10.44.0.20:443', 'https://other.example.com/status/200']);
  assert.equal(wrongSni.result.outcome, 'no_filter_chain');
  const noRoute = await trace(gateway, ['--dst', '10.44.0.20:443', 'https://httpbin.example.com/headers']);
  assert.equal(noRoute.result.outcome, 'no_route');
  assert.equal(noRoute.result.status, 404);
  const plain = await trace(gateway, ['--dst', '10.44.0.20:80', 'http://httpbin.example.com/']);
  assert.equal(plain.steps.find((s) => s.stage === 'virtual_host')?.name, 'blackhole:80');
  assert.deepEqual([plain.result.outcome, plain.result.status], ['direct_response', 404]);
});

test('Istio 1.20 ingress gateway: exact path route on the "*" virtual host, 404 elsewhere', skipCorpus, async () => {
  const gateway = corpusPath('dumps', 'istio-1.20-ingressgateway.json');
  const t = await trace(gateway, ['--dst', '10.0.0.5:8080', 'http://anything.example.com/dani']);
  assert.equal(t.result.cluster, 'outbound|8080||hello-openshift.vanilla-playground.svc.cluster.local');
  const miss = await trace(gateway, ['--dst', '10.0.0.5:8080', 'http://anything.example.com/Dani']);
  assert.equal(miss.result.outcome, 'no_route');
  assert.match(miss.steps.find((s) => s.stage === 'route')?.candidates?.[0]?.reason ?? '', /path "\/Dani" is not "\/dani"/);
});

// A hand-written Istio 1.22 ingress gateway (no corpus gateway has header matches): Gateway server
// port 80 (Service 80 → pod 8080) for bookinfo.example.com; the VirtualService gives route config
// http.8080 one virtual host, bookinfo.example.com:80, with `end-user: jason` + /reviews → v2,
// /reviews → v1 80 / v3 20, / → productpage. Istio adds its blackhole:80 virtual host only when a
// server has no hosts, so here an unknown Host finds no virtual host: Envoy's 404 NR.
const GATEWAY_1_22 = 'test/fixtures/istio-1.22-ingressgateway-header-routing.config_dump.json';
const GATEWAY_POD = ['--dst', '10.244.0.12:8080'];
const REVIEWS = (subset: string): string => `outbound|9080|${subset}|reviews.default.svc.cluster.local`;

test('Istio 1.22 ingress gateway: end-user jason on /reviews goes to v2, header names in any case', async () => {
  const t = await trace(GATEWAY_1_22, [...GATEWAY_POD, '-H', 'end-user: jason', 'http://bookinfo.example.com/reviews/0']);
  assert.deepEqual(walk(t), [
    'listener 0.0.0.0_8080',
    'filter_chain #0 (ALL)',
    'network_filter envoy.filters.network.http_connection_manager',
    'route_config http.8080',
    'virtual_host bookinfo.example.com:80',
    'route #0 prefix /reviews + 1 header matcher(s)',
    `cluster ${REVIEWS('v2')}`,
    `endpoints ${REVIEWS('v2')}`,
  ]);
  assert.deepEqual([t.result.outcome, t.result.cluster, t.result.endpoints], ['forwarded', REVIEWS('v2'), ['10.244.1.9:9080']]);
  // Envoy lowercases header names on both sides (HeaderMatcher names are LowerCaseStrings) …
  for (const header of ['End-User: jason', 'END-USER:jason']) {
    const mixed = await trace(GATEWAY_1_22, [...GATEWAY_POD, '--random', '90', '-H', header, 'http://bookinfo.example.com/reviews/0']);
    assert.equal(mixed.result.cluster, REVIEWS('v2'), header);
  }
  // … but an exact value matcher without ignore_case compares values as they are.
  const jasonCapitalised = await trace(GATEWAY_1_22, [...GATEWAY_POD, '--random', '90', '-H', 'end-user: Jason', 'http://bookinfo.example.com/reviews/0']);
  assert.equal(jasonCapitalised.result.cluster, REVIEWS('v3'));
  assert.match(
    jasonCapitalised.steps.find((s) => s.stage === 'route')?.candidates?.[0]?.reason ?? '',
    /end-user: "Jason" does not match end-user exact "jason"/,
  );
});

test('Istio 1.22 ingress gateway: /reviews without the header is split v1 80 / v3 20 by the random value', async () => {
  // pickWeightedCluster: random % (80 + 20) in [0, 80) → v1, in [80, 100) → v3, in list order.
  const expected: [number, string][] = [
    [0, 'v1'],
    [79, 'v1'],
    [80, 'v3'],
    [99, 'v3'],
    [100, 'v1'],
    [179, 'v1'],
    [180, 'v3'],
  ];
  for (const [random, subset] of expected) {
    const t = await trace(GATEWAY_1_22, [...GATEWAY_POD, '--random', String(random), 'http://bookinfo.example.com/reviews/0']);
    assert.equal(t.result.cluster, REVIEWS(subset), `--random ${random}`);
    assert.equal(t.steps.find((s) => s.stage === 'route')?.name, '#1 prefix /reviews', `--random ${random}`);
  }
  const v3 = await trace(GATEWAY_1_22, [...GATEWAY_POD, '--random', '180', 'http://bookinfo.example.com/reviews/0']);
  assert.deepEqual(v3.result.endpoints, ['10.244.2.6:9080']);
  const route = v3.steps.find((s) => s.stage === 'route');
  assert.match(route?.candidates?.[0]?.reason ?? '', /header end-user is absent/);
});

test('Istio 1.22 ingress gateway: other paths go to productpage; Host case and port do not matter; path case does', async () => {
  const PRODUCTPAGE = 'outbound|9080||productpage.default.svc.cluster.local';
  for (const url of ['http://bookinfo.example.com/', 'http://BookInfo.Example.COM:80/productpage', 'http://bookinfo.example.com/Reviews/0']) {
    const t = await trace(GATEWAY_1_22, [...GATEWAY_POD, '-H', 'end-user: jason', url]);
    assert.equal(t.steps.find((s) => s.stage === 'route')?.name, '#2 prefix /', url);
    assert.deepEqual([t.result.cluster, t.result.endpoints], [PRODUCTPAGE, ['10.244.1.5:9080', '10.244.2.7:9080']], url);
  }
  const withPort = await trace(GATEWAY_1_22, [...GATEWAY_POD, 'http://bookinfo.example.com:80/productpage']);
  assert.match(withPort.steps.find((s) => s.stage === 'virtual_host')?.reason ?? '', /port ignored: ignore_port_in_host_matching/);
});

test('Istio 1.22 ingress gateway: an unknown Host finds no virtual host, a 404', async () => {
  const t = await trace(GATEWAY_1_22, [...GATEWAY_POD, 'http://unknown.example.com/reviews/0']);
  assert.deepEqual(walk(t).slice(-2), ['route_config http.8080', 'virtual_host ']);
  assert.deepEqual([t.result.outcome, t.result.status, t.result.cluster, t.result.endpoints], ['no_virtual_host', 404, null, []]);
  const strict = await runCli(['pc', 'trace', '-f', GATEWAY_1_22, ...GATEWAY_POD, '--exit-code', 'http://unknown.example.com/']);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /Result {4}NO_VIRTUAL_HOST 404/);
});

test('text view: numbered stages, reasons and the result line', async () => {
  const result = await runCli(['pc', 'trace', '-f', EXAMPLE, 'http://ratings:9080/ratings/0']);
  assert.equal(result.code, 0);
  assert.match(
    result.stdout,
    /^Request {3}GET http:\/\/ratings:9080\/ratings\/0\n {10}outbound to 10\.254\.234\.130:9080 \(destination: VIP of ratings in route 9080/,
  );
  assert.match(result.stdout, /\n 6\. virtual_host {4}ratings\.default\.svc\.cluster\.local:9080\n/);
  assert.match(result.stdout, /\nResult {4}FORWARDED → outbound\|9080\|\|ratings\.default\.svc\.cluster\.local → 172\.33\.100\.2:9080\n/);
});

test('no match is an outcome: exit 0, or 1 with --exit-code', async () => {
  const plain = await runCli(['pc', 'trace', '-f', EXAMPLE, '--dst', '10.254.234.130:15001', 'tcp']);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /Result {4}BLACKHOLE/);
  const strict = await runCli(['pc', 'trace', '-f', EXAMPLE, '--exit-code', '--dst', '10.254.234.130:15001', 'tcp']);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /Result {4}BLACKHOLE/);
  assert.equal(strict.stderr, 'error: the request is not routed (blackhole)\n');
  const routed = await runCli(['pc', 'trace', '-f', EXAMPLE, '--exit-code', 'http://ratings:9080/']);
  assert.equal(routed.code, 0);
});

test('bad input: one line, non-zero exit', async () => {
  const cases: [string[], RegExp, number][] = [
    [['-f', EXAMPLE, 'ratings:9080/x'], /is not a URL/, 64],
    [['-f', EXAMPLE, '--dst', '10.0.0.1', 'tcp'], /--dst "10\.0\.0\.1" is not IP:PORT/, 64],
    [['-f', EXAMPLE, '-H', 'no-colon', 'http://ratings:9080/'], /-H "no-colon" is not "name: value"/, 64],
    [['-f', EXAMPLE, 'tcp'], /tcp needs --dst IP:PORT/, 64],
    [['-f', EXAMPLE, 'http://nowhere.example:81/'], /cannot resolve "nowhere\.example"/, 64],
    [['-f', EXAMPLE, '-o', 'table', 'http://ratings:9080/'], /--output "table" is not one of: short, json, yaml/, 64],
    [['-f', EXAMPLE, '--random', 'x', 'http://ratings:9080/'], /--random "x"/, 64],
    [['http://ratings:9080/'], /requires a pod name, --file, --admin-url or --waypoint/, 64],
    [
      ['-f', EXAMPLE, '--waypoint', 'waypoint', 'http://ratings:9080/'],
      /takes one of a pod name, --file, --admin-url or --waypoint, not --file and --waypoint/,
      64,
    ],
    [['-f', 'examples/reviews-v1.clusters.json', 'http://ratings:9080/'], /not a config dump/, 65],
  ];
  for (const [args, message, code] of cases) {
    const result = await runCli(['pc', 'trace', ...args]);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stdout, '');
  }
});

test('a dump without listeners is refused', async () => {
  const noListeners = JSON.stringify({ configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump' }] });
  const result = await runCli(['pc', 'trace', '-f', '-', 'http://ratings:9080/'], { stdin: noListeners });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /has no listeners section/);
});

test("the README's worked example is what pc trace prints", async () => {
  const readme = readFileSync('README.md', 'utf8');
  const command = 'envoyscope pc trace -f examples/reviews-v1.config_dump.json http://ratings.default.svc.cluster.local:9080/ratings/0\n```\n```\n';
  const start = readme.indexOf(command);
  assert.ok(start >= 0, 'the README shows the worked example');
  const shown = readme.slice(start + command.length, readme.indexOf('```', start + command.length));
  const result = await runCli(['pc', 'trace', '-f', EXAMPLE, 'http://ratings.default.svc.cluster.local:9080/ratings/0']);
  assert.equal(shown, result.stdout);
});

test("--inbound without a pod IP in the dump: a wildcard listener's address ([::] or 0.0.0.0) is not taken for it", async () => {
  for (const address of ['::', '0.0.0.0']) {
    const listener = { name: 'virtualInbound', address: { socket_address: { address, port_value: 15006 } }, traffic_direction: 'INBOUND' };
    const dump = { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', static_listeners: [{ listener }] }] };
    const result = await runCli(['pc', 'trace', '-f', '-', '--inbound', 'http://reviews:9080/'], { stdin: JSON.stringify(dump) });
    assert.equal(result.code, 64, `${address}: ${result.stdout}`);
    assert.match(result.stderr, /cannot tell the pod's IP from the dump: give --dst <pod IP>:9080/);
  }
});

test('an IPv6 destination is written [ip]:port wherever the walk names it', async () => {
  const t = await trace(EXAMPLE, ['--dst', '[fd00::1]:443', 'tcp']);
  assert.equal(t.result.outcome, 'passthrough');
  assert.deepEqual(t.result.endpoints, ['[fd00::1]:443']);
  const text = JSON.stringify(t.steps);
  assert.match(text, /destination restored to \[fd00::1\]:443/);
  assert.match(text, /connection: destination \[fd00::1\]:443/);
  assert.doesNotMatch(text, /fd00::1:443/);
});
