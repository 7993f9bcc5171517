import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

import { decodeConfigDump } from '../src/envoy/decode.ts';
import {
  bindsToPort,
  describeFilterChainDestination,
  describeFilterChainMatch,
  listenerAddresses,
  listenerFilterChains,
  listenerPort,
  listenerType,
  networkFilterConfig,
  networkFilterName,
} from '../src/envoy/listeners.ts';
import type { ConfigDump, Entry, FilterChain, FilterChainMatch, Listener, NetworkFilter, Obj, RouteConfiguration, RouteMatch } from '../src/envoy/model.ts';
import { describeManagement, describeRouteDomains, describeRouteMatch, isPassthroughRoute } from '../src/envoy/routes.ts';
import { matchListener, type ListenerFilter } from '../src/filters/listener.ts';
import { matchRoute } from '../src/filters/route.ts';
import { renderTable, tabwrite } from '../src/render/tabwriter.ts';
import * as listenerView from '../src/render/views/listener.ts';
import * as routeView from '../src/render/views/route.ts';
import { CORPUS_MISSING, corpusDir, corpusFiles, corpusPath } from './helpers/corpus.ts';

// The views return rows; these tests read them laid out, as the CLI prints them.
const { sortListeners } = listenerView;
const { sortRoutes } = routeView;
const listenerTable = (...args: Parameters<typeof listenerView.listenerTable>): string => renderTable(listenerView.listenerTable(...args));
const routeTable = (...args: Parameters<typeof routeView.routeTable>): string => renderTable(routeView.routeTable(...args));

// ---- builders ---------------------------------------------------------------------------------

const HCM_V3 = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const HCM_V2 = 'type.googleapis.com/envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager';
const TCP_V3 = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

function entryOf<R extends Obj>(resource: R, state: Entry<R>['state'] = 'active'): Entry<R> {
  return { state, resource, messageType: '', wrapper: {} };
}

function tcpProxy(cluster: string, name = 'envoy.filters.network.tcp_proxy'): NetworkFilter {
  return { name, typed_config: { '@type': TCP_V3, stat_prefix: cluster, cluster } };
}

function rdsHcm(routeConfigName: string): NetworkFilter {
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM_V3, rds: { route_config_name: routeConfigName } } };
}

function inlineHcm(routeConfig: RouteConfiguration): NetworkFilter {
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM_V3, route_config: routeConfig } };
}

function listenerOf(port: number, address: string, ...chains: FilterChain[]): Listener {
  return { name: `${address}_${port}`, address: { socket_address: { address, port_value: port } }, filter_chains: chains };
}

function named(name: string, listener: Listener): Entry<Listener> {
  return entryOf({ ...listener, name });
}

/** Lines with trailing blanks trimmed: the corpus README's comparison rule. */
function trimmedLines(text: string): string[] {
  return text.split('\n').map((line) => line.trimEnd());
}

function readDump(...parts: string[]): ConfigDump {
  const path = corpusPath(...parts);
  return decodeConfigDump(JSON.parse(readFileSync(path, 'utf8')), path);
}

/** What the command layer passes in: dynamic active resources, then static ones. */
function serving<R extends Obj>(entries: Entry<R>[]): Entry<R>[] {
  return [...entries.filter((e) => e.state === 'active'), ...entries.filter((e) => e.state === 'static')];
}

// ---- listener facts ---------------------------------------------------------------------------

test('listener addresses, port and bind_to_port', () => {
  const dualStack: Listener = {
    address: { socket_address: { address: '0.0.0.0', port_value: 15001 } },
    additional_addresses: [{ address: { socket_address: { address: '::', port_value: 15001 } } }, { address: { pipe: { path: '/p' } } }],
  };
  assert.deepEqual(listenerAddresses(dualStack), ['0.0.0.0', '::', '/p']);
  assert.equal(listenerPort(dualStack), 15001);
  assert.deepEqual(listenerAddresses({ address: { pipe: { path: '/run/sock' } } }), ['/run/sock']);
  assert.deepEqual(listenerAddresses({ name: 'main_internal', internal_listener: {} }), ['']);
  assert.equal(listenerPort({ internal_listener: {} }), 0);

  const cases: [Listener, boolean][] = [
    [{}, true],
    [{ bind_to_port: false }, false],
    [{ deprecated_v1: { bind_to_port: false } }, false],
    [{ bind_to_port: true, deprecated_v1: { bind_to_port: false } }, true],
  ];
  for (const [listener, binds] of cases) assert.equal(bindsToPort(listener), binds, JSON.stringify(listener));
});

test('filter chains: default_filter_chain comes last', () => {
  const a: FilterChain = { name: 'a' };
  const fallback: FilterChain = { name: 'PassthroughFilterChain' };
  assert.deepEqual(listenerFilterChains({ filter_chains: [a], default_filter_chain: fallback }), [a, fallback]);
  assert.deepEqual(listenerFilterChains({ default_filter_chain: fallback }), [fallback]);
  assert.deepEqual(listenerFilterChains({}), []);
});

test('network filter names: legacy names and type URLs normalise', () => {
  const cases: [NetworkFilter, string][] = [
    [{ name: 'envoy.http_connection_manager' }, 'envoy.filters.network.http_connection_manager'],
    [{ name: 'envoy.tcp_proxy' }, 'envoy.filters.network.tcp_proxy'],
    [{ name: 'tcp_proxy', typed_config: { '@type': TCP_V3 } }, 'envoy.filters.network.tcp_proxy'],
    [{ name: 'hcm', typed_config: { '@type': HCM_V2 } }, 'envoy.filters.network.http_connection_manager'],
    [{ name: 'envoy.filters.network.rbac' }, 'envoy.filters.network.rbac'],
    [{}, ''],
  ];
  for (const [filter, name] of cases) assert.equal(networkFilterName(filter), name, JSON.stringify(filter));
});

test('network filter config: typed_config, then v2 config, then hidden_envoy_deprecated_config', () => {
  assert.deepEqual(networkFilterConfig({ typed_config: { '@type': TCP_V3, cluster: 'a' }, config: { cluster: 'b' } }), { '@type': TCP_V3, cluster: 'a' });
  assert.deepEqual(networkFilterConfig({ config: { cluster: 'b' } }), { cluster: 'b' });
  assert.deepEqual(networkFilterConfig({ hidden_envoy_deprecated_config: { cluster: 'c' } }), { cluster: 'c' });
  assert.equal(networkFilterConfig({ name: 'x' }), undefined);
});

test('listener TYPE', () => {
  const blackHole = tcpProxy('BlackHoleCluster');
  const cases: [string, Listener, string][] = [
    ['hcm', listenerOf(80, '0.0.0.0', { filters: [rdsHcm('80')] }), 'HTTP'],
    ['tcp', listenerOf(443, '10.0.0.1', { filters: [tcpProxy('outbound|443||a')] }), 'TCP'],
    ['both', listenerOf(80, '0.0.0.0', { filters: [rdsHcm('80')] }, { filters: [tcpProxy('PassthroughCluster')] }), 'HTTP+TCP'],
    ['BlackHole tcp_proxy ignored', listenerOf(15001, '0.0.0.0', { filters: [blackHole] }), 'UNKNOWN'],
    ['BlackHole beside HTTP', listenerOf(80, '0.0.0.0', { filters: [blackHole] }, { filters: [rdsHcm('80')] }), 'HTTP'],
    ['BlackHole as a map key', listenerOf(1, '', { filters: [{ name: 'envoy.tcp_proxy', config: { metadata: { BlackHoleCluster: 1 } } }] }), 'UNKNOWN'],
    ['default chain counts', { default_filter_chain: { filters: [tcpProxy('PassthroughCluster')] } }, 'TCP'],
    ['legacy names count', listenerOf(9080, '0.0.0.0', { filters: [{ name: 'envoy.http_connection_manager', config: {} }] }), 'HTTP'],
    ['v2 Struct tcp_proxy', listenerOf(53, '10.96.0.10', { filters: [{ name: 'envoy.tcp_proxy', config: { cluster: 'dns' } }] }), 'TCP'],
    [
      'v1 BlackHole Struct',
      listenerOf(1, '', {
        filters: [{ name: 'envoy.tcp_proxy', config: { deprecated_v1: true, value: { route_config: { routes: [{ cluster: 'BlackHoleCluster' }] } } } }],
      }),
      'UNKNOWN',
    ],
    ['other filters', listenerOf(1, '', { filters: [{ name: 'envoy.filters.network.mongo_proxy' }] }), 'UNKNOWN'],
    ['no chains', {}, 'UNKNOWN'],
  ];
  for (const [desc, listener, type] of cases) assert.equal(listenerType(listener), type, desc);
});

test('listener MATCH', () => {
  const cases: [FilterChainMatch | undefined, string][] = [
    [undefined, 'ALL'],
    [{}, 'ALL'],
    [{ server_names: ['a.com', 'b.com'] }, 'SNI: a.com,b.com'],
    [{ transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] }, 'Trans: raw_buffer; App: http/1.1,h2c'],
    [{ application_protocols: ['http/1.0', 'http/1.1', 'h2c', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'] }, 'App: HTTP TLS'],
    [{ application_protocols: ['istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'] }, 'App: Istio HTTP Plain'],
    [{ application_protocols: ['istio-peer-exchange', 'istio'] }, 'App: TCP TLS'],
    [{ application_protocols: ['istio', 'istio-peer-exchange'] }, 'App: istio,istio-peer-exchange'],
    [{ application_protocols: ['http/1.0', 'http/1.1', 'h2c'] }, 'App: HTTP'],
    [
      { transport_protocol: 'tls', application_protocols: ['istio-peer-exchange', 'istio'], prefix_ranges: [{ address_prefix: '0.0.0.0', prefix_len: 0 }] },
      'Trans: tls; App: TCP TLS; Addr: 0.0.0.0/0',
    ],
    [{ destination_port: 9080, prefix_ranges: [{ address_prefix: '10.1.1.1', prefix_len: 32 }, { address_prefix: '::1' }] }, 'Addr: 10.1.1.1/32,::1/0:9080'],
    [{ destination_port: 15006 }, 'Addr: *:15006'],
    [{ destination_port: 0 }, 'Addr: *:0'],
    [{ source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }], source_ports: [1] }, 'ALL'],
  ];
  for (const [match, text] of cases) assert.equal(describeFilterChainMatch(match), text, JSON.stringify(match));
});

test('listener DESTINATION', () => {
  const catchAll = (cluster: string): RouteConfiguration => ({
    virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }],
  });
  const cases: [string, NetworkFilter[], string][] = [
    ['rds', [rdsHcm('9080')], 'Route: 9080'],
    ['rds without a name', [rdsHcm('')], 'HTTP'],
    ['scoped rds', [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM_V3, scoped_routes: { name: 's' } } }], 'HTTP'],
    ['inline catch-all', [inlineHcm(catchAll('inbound|9080||'))], 'Cluster: inbound|9080||'],
    ['inline catch-all to a special cluster', [inlineHcm(catchAll('InboundPassthroughClusterIpv4'))], 'InboundPassthroughClusterIpv4'],
    [
      'inline, several routes',
      [inlineHcm({ virtual_hosts: [{ domains: ['*'], routes: [{ match: { prefix: '/stats/prometheus' } }, { match: { path: '/healthz' } }] }] })],
      'Inline Route: /stats/prometheus*, /healthz',
    ],
    [
      'inline, domains and vhosts',
      [
        inlineHcm({
          virtual_hosts: [
            { domains: ['a', 'a:80'], routes: [{ match: { prefix: '/' }, route: { cluster: 'x' } }] },
            { domains: ['*'], routes: [] },
          ],
        }),
      ],
      'Inline Route: a/a:80 /*; ',
    ],
    [
      'inline, not a cluster action',
      [inlineHcm({ virtual_hosts: [{ domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 200 } }] }] })],
      'Inline Route: /*',
    ],
    ['inline, no vhosts', [inlineHcm({})], 'Inline Route: '],
    ['tcp', [tcpProxy('outbound|53||kube-dns.kube-system.svc.cluster.local')], 'Cluster: outbound|53||kube-dns.kube-system.svc.cluster.local'],
    ['tcp to PassthroughCluster', [tcpProxy('PassthroughCluster')], 'PassthroughCluster'],
    ['weighted tcp', [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': TCP_V3, weighted_clusters: { clusters: [] } } }], 'Cluster: '],
    ['BlackHole skipped', [tcpProxy('BlackHoleCluster'), rdsHcm('80')], 'Route: 80'],
    ['only BlackHole', [tcpProxy('BlackHoleCluster')], 'Non-HTTP/Non-TCP'],
    ['first terminal filter wins', [{ name: 'envoy.filters.network.rbac' }, tcpProxy('a'), rdsHcm('80')], 'Cluster: a'],
    ['no filters', [], 'Non-HTTP/Non-TCP'],
    ['legacy name, v2 Struct rds', [{ name: 'envoy.http_connection_manager', config: { rds: { route_config_name: '9080' } } }], 'Route: 9080'],
    [
      'legacy name, v2 typed_config',
      [{ name: 'envoy.http_connection_manager', typed_config: { '@type': HCM_V2, rds: { route_config_name: '80' } } }],
      'Route: 80',
    ],
    [
      'hidden_envoy_deprecated_config',
      [{ name: 'envoy.http_connection_manager', hidden_envoy_deprecated_config: { route_config: catchAll('agent') } }],
      'Cluster: agent',
    ],
    ['legacy tcp_proxy Struct', [{ name: 'envoy.tcp_proxy', config: { cluster: 'outbound|443||a' } }], 'Cluster: outbound|443||a'],
    ['recognised by type URL', [tcpProxy('c', 'tcp_proxy')], 'Cluster: c'],
  ];
  for (const [desc, filters, text] of cases) assert.equal(describeFilterChainDestination({ filters }), text, desc);
});

// ---- route facts ------------------------------------------------------------------------------

test('route MATCH', () => {
  const cases: [RouteMatch | undefined, string][] = [
    [undefined, ''],
    [{ prefix: '/' }, '/*'],
    [{ prefix: '' }, ''],
    [{ prefix: '/get', case_sensitive: true }, '/get*'],
    [{ path_separated_prefix: '/get' }, 'PathPrefix:/get'],
    [{ path: '/healthz' }, '/healthz'],
    [{ safe_regex: { regex: '/api/.*' } }, 'regex /api/.*'],
    [{ regex: '/v2/.*' }, 'regex /v2/.*'],
    [{ prefix: '/', headers: [{ name: 'x' }] }, '/*'],
    [{ connect_matcher: {} }, ''],
  ];
  for (const [match, text] of cases) assert.equal(describeRouteMatch(match), text, JSON.stringify(match));
});

test('route DOMAINS (istioctl TestDescribeRouteDomains and Istio shapes)', () => {
  const cases: [string[] | undefined, string][] = [
    [undefined, ''],
    [[], ''],
    [['example.com'], 'example.com'],
    [['example.com:8080'], 'example.com:8080'],
    [['example.com', 'example.com:8080'], 'example.com'],
    [['example.com', 'example.com:8080', '1.2.3.4', '1.2.3.4:8080'], 'example.com, 1.2.3.4'],
    [['example.com', 'example.com:8080', '[fd00:10:96::7fc7]', '[fd00:10:96::7fc7]:8080'], 'example.com, [fd00:10:96::7fc7]'],
    [
      ['example.com', 'example.com:8080', 'www.example.com', 'www.example.com:8080', '[fd00:10:96::7fc7]', '[fd00:10:96::7fc7]:8080'],
      'example.com, www.example.com + 1 more...',
    ],
    [
      [
        'reviews.default.svc.cluster.local',
        'reviews.default.svc.cluster.local:9080',
        'reviews',
        'reviews:9080',
        'reviews.default.svc',
        'reviews.default.svc:9080',
        'reviews.default',
        'reviews.default:9080',
        '10.96.1.2',
        '10.96.1.2:9080',
      ],
      'reviews, reviews.default + 1 more...',
    ],
    [['a.ns.svc.cluster.local', 'a.ns.svc', 'a.ns'], 'a.ns'],
    // Only the short name itself removes a long form.
    [['a.ns.svc.cluster.local', 'a.ns.svc'], 'a.ns.svc.cluster.local, a.ns.svc'],
    [['httpbin.example.com', 'httpbin.example.com:*'], 'httpbin.example.com'],
    [['a:1', 'b:2'], ''],
  ];
  for (const [domains, text] of cases) assert.equal(describeRouteDomains(domains), text, JSON.stringify(domains));
});

test('route VIRTUAL SERVICE (describeManagement)', () => {
  const istio = (config: unknown) => ({ filter_metadata: { istio: { config } } });
  const cases: [Parameters<typeof describeManagement>[0], string][] = [
    [undefined, ''],
    [{}, ''],
    [{ filter_metadata: { envoy: {} } }, ''],
    [{ filter_metadata: { istio: { other: 'x' } } }, ''],
    [istio('/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/httpbin'), 'httpbin.default'],
    [istio('/apis/networking.istio.io/v1/namespaces/bookinfo/virtual-service/reviews'), 'reviews.bookinfo'],
    [istio('/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service'), ''],
    [istio('/apis/networking/v1alpha3/namespaces/default/virtual-service/httpbin'), 'httpbin.default'],
    [istio('/apis/security.istio.io/v1/namespaces/default/peer-authentication/x'), '<unknown>'],
    [istio(42), '<unknown>'],
    [istio(''), '<unknown>'],
  ];
  for (const [metadata, text] of cases) assert.equal(describeManagement(metadata), text, JSON.stringify(metadata));
});

test('passthrough routes', () => {
  assert.equal(isPassthroughRoute({ route: { cluster: 'PassthroughCluster' } }), true);
  assert.equal(isPassthroughRoute({ route: { cluster: 'InboundPassthroughCluster' } }), false);
  assert.equal(isPassthroughRoute({ route: { weighted_clusters: { clusters: [{ name: 'PassthroughCluster' }] } } }), false);
  assert.equal(isPassthroughRoute({ direct_response: { status: 502 } }), false);
});

// ---- filters ----------------------------------------------------------------------------------

test('matchListener', () => {
  const http = entryOf(listenerOf(9080, '10.1.2.3', { filters: [rdsHcm('9080')] }));
  const dual = entryOf<Listener>({
    ...listenerOf(80, '0.0.0.0', { filters: [tcpProxy('x')] }),
    additional_addresses: [{ address: { socket_address: { address: 'FD00::1', port_value: 80 } } }],
  });
  const internal = entryOf<Listener>({ name: 'main_internal', internal_listener: {} });
  const cases: [ListenerFilter, Entry<Listener>, boolean][] = [
    [{}, http, true],
    [{ address: '', port: 0, type: '' }, internal, true],
    [{ address: '10.1.2.3' }, http, true],
    [{ address: '10.1.2.4' }, http, false],
    [{ address: 'fd00::1' }, dual, true],
    [{ address: '0.0.0.0' }, dual, true],
    [{ port: 9080 }, http, true],
    [{ port: 80 }, http, false],
    [{ type: 'http' }, http, true],
    [{ type: 'TCP' }, http, false],
    [{ type: 'tcp', port: 80, address: '0.0.0.0' }, dual, true],
    [{ port: 80 }, internal, false],
    [{ type: 'unknown' }, internal, true],
  ];
  for (const [filter, entry, matches] of cases) {
    assert.equal(matchListener(filter, entry), matches, `${JSON.stringify(filter)} on ${entry.resource.name}`);
  }
});

test('matchRoute: exact, case-sensitive name', () => {
  const route = entryOf<RouteConfiguration>({ name: 'http.8080' });
  assert.equal(matchRoute({}, route), true);
  assert.equal(matchRoute({ name: '' }, route), true);
  assert.equal(matchRoute({ name: 'http.8080' }, route), true);
  assert.equal(matchRoute({ name: 'HTTP.8080' }, route), false);
  assert.equal(matchRoute({ name: 'http' }, route), false);
  assert.equal(matchRoute({ name: 'x' }, entryOf<RouteConfiguration>({})), false);
});

// ---- tabwriter --------------------------------------------------------------------------------

test('tabwrite pads every cell but the last, per column block, in runes', () => {
  const cases: [string[][], number, string][] = [
    [
      [
        ['a', 'bb', 'c'],
        ['ccc', 'd', 'e'],
      ],
      1,
      'a   bb c\nccc d  e\n',
    ],
    [
      [
        ['NAME', 'X'],
        ['a', ''],
      ],
      5,
      'NAME     X\na        \n',
    ],
    [
      [
        ['a', 'b', ''],
        ['a', ''],
      ],
      2,
      'a  b  \na  \n',
    ],
    // A row with fewer cells ends the block of the columns it lacks.
    [[['aaaa', 'x'], ['b'], ['c', 'y']], 1, 'aaaa x\nb\nc y\n'],
    [
      [
        ['aaaa', 'b', 'x'],
        ['c', 'd'],
        ['e', 'ffff', 'y'],
      ],
      1,
      'aaaa b x\nc    d\ne    ffff y\n',
    ],
    [
      [
        ['é😀', 'x'],
        ['abc', 'y'],
      ],
      1,
      'é😀  x\nabc y\n',
    ],
    [[['', '', 'z']], 3, '      z\n'],
    [[], 1, ''],
  ];
  for (const [rows, padding, text] of cases) assert.equal(tabwrite(rows, padding), text, JSON.stringify(rows));
});

// ---- tables -----------------------------------------------------------------------------------

test('listener sort: port, address, type; ties keep dump order', () => {
  const names = (entries: Entry<Listener>[]) => entries.map((e) => e.resource.name);
  const entries = [
    named('tcp80', listenerOf(80, '0.0.0.0', { filters: [tcpProxy('a')] })),
    named('internal-b', { internal_listener: {} }),
    named('http80', listenerOf(80, '0.0.0.0', { filters: [rdsHcm('80')] })),
    named('dns', listenerOf(53, '10.96.0.10')),
    named('internal-a', { internal_listener: {} }),
    named('vip80', listenerOf(80, '10.0.0.1')),
  ];
  assert.deepEqual(names(sortListeners(entries)), ['internal-b', 'internal-a', 'dns', 'http80', 'tcp80', 'vip80']);
});

test('listener table: verbose rows per chain by DESTINATION descending, non-verbose TYPE, all-mode NAME', () => {
  const listener = entryOf<Listener>({
    name: 'virtualInbound',
    address: { socket_address: { address: '0.0.0.0', port_value: 15006 } },
    additional_addresses: [{ address: { socket_address: { address: '::', port_value: 15006 } } }],
    filter_chains: [
      { filter_chain_match: { destination_port: 15006 }, filters: [tcpProxy('BlackHoleCluster')] },
      { filter_chain_match: { destination_port: 9080, transport_protocol: 'raw_buffer' }, filters: [tcpProxy('inbound|9080||')] },
      { filter_chain_match: { transport_protocol: 'tls' }, filters: [tcpProxy('InboundPassthroughCluster')] },
      { filter_chain_match: { transport_protocol: 'raw_buffer' }, filters: [tcpProxy('InboundPassthroughCluster')] },
    ],
  });
  assert.deepEqual(listenerTable([listener], { verbose: true, namePrefix: false }).split('\n'), [
    'ADDRESSES  PORT  MATCH                           DESTINATION',
    '0.0.0.0,:: 15006 Addr: *:15006                   Non-HTTP/Non-TCP',
    '0.0.0.0,:: 15006 Trans: tls                      InboundPassthroughCluster',
    '0.0.0.0,:: 15006 Trans: raw_buffer               InboundPassthroughCluster',
    '0.0.0.0,:: 15006 Trans: raw_buffer; Addr: *:9080 Cluster: inbound|9080||',
    '',
  ]);
  assert.equal(
    listenerTable([listener], { verbose: false, namePrefix: true }),
    'NAME                    ADDRESSES  PORT  TYPE\nlistener/virtualInbound 0.0.0.0,:: 15006 TCP\n',
  );
});

test('route table: verbose skips PassthroughCluster routes and shows empty vhosts as 404', () => {
  const config = entryOf<RouteConfiguration>({
    name: '80',
    virtual_hosts: [
      { name: 'allow_any', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'PassthroughCluster' } }] },
      { name: 'blackhole:80', domains: ['*'], routes: [] },
      {
        name: 'a:80',
        domains: ['a'],
        routes: [
          {
            match: { prefix: '/' },
            route: { cluster: 'outbound|80||a' },
            metadata: { filter_metadata: { istio: { config: '/apis/networking.istio.io/v1/namespaces/ns/virtual-service/a' } } },
          },
        ],
      },
    ],
  });
  assert.deepEqual(trimmedLines(routeTable([config], { verbose: true, namePrefix: false })), [
    'NAME     VHOST NAME       DOMAINS     MATCH     VIRTUAL SERVICE',
    '80       blackhole:80     *           /*        404',
    '80       a:80             a           /*        a.ns',
    '',
  ]);
  assert.equal(routeTable([config], { verbose: false, namePrefix: true }), 'NAME         VIRTUAL HOSTS\nroute/80     3\n');
});

test('route sort: numeric names in numeric order, others keep their place', () => {
  const names = (list: string[]) => sortRoutes(list.map((name) => entryOf<RouteConfiguration>({ name }))).map((e) => e.resource.name);
  assert.deepEqual(names(['9080', '80', 'http.8080', '15010', 'inbound|9080||', '443']), ['80', '443', 'http.8080', '9080', 'inbound|9080||', '15010']);
  assert.deepEqual(names(['b', 'a', '']), ['b', 'a', '']);
  assert.deepEqual(names(['+80', '080', '9223372036854775808', '-1']), ['-1', '+80', '9223372036854775808', '080']);
});

// ---- conformance (istioctl goldens) -----------------------------------------------------------

/** Compares trimmed lines (the README's rule), then the exact bytes, trailing spaces included. */
function assertGolden(actual: string, expected: string, what: string): void {
  assert.deepEqual(trimmedLines(actual), trimmedLines(expected), what);
  assert.equal(actual, expected, `${what} (trailing spaces)`);
}

for (const name of ['route-empty-gateway', 'route-istio-gateway-http-route-prefix', 'route-k8s-gateway-http-route-path-prefix']) {
  test(`istioctl golden: pc route (${name})`, (t) => {
    if (!corpusDir) return t.skip(CORPUS_MISSING);
    const dump = readDump('istioctl', name, 'config_dump.json');
    const expected = readFileSync(corpusPath('istioctl', name, 'expected.txt'), 'utf8');
    assertGolden(routeTable(sortRoutes(serving(dump.routes)), { verbose: true, namePrefix: false }), expected, name);
  });
}

test('istioctl golden: pc all listener and route sections', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const dump = readDump('istioctl', 'all-summary', 'config_dump.json');
  const sections = readFileSync(corpusPath('istioctl', 'all-summary', 'expected.txt'), 'utf8').split('\n\n');
  const section = (header: RegExp): string => {
    const found = sections.find((text) => header.test(text));
    assert.ok(found, `golden has a section matching ${header}`);
    return found.endsWith('\n') ? found : `${found}\n`;
  };
  const options = { verbose: true, namePrefix: true };
  assertGolden(listenerTable(sortListeners(serving(dump.listeners)), options), section(/^NAME +ADDRESSES/), 'listeners');
  assertGolden(routeTable(sortRoutes(serving(dump.routes)), options), section(/^NAME +VHOST NAME/), 'routes');
});

for (const version of ['istioctl-1.6', 'istioctl-1.0']) {
  test(`istioctl golden: ${version} pc route -o json order and --name filter`, (t) => {
    if (!corpusDir) return t.skip(CORPUS_MISSING);
    const dump = readDump(version, 'config_dump.json');
    const namesOf = (file: string): unknown[] =>
      (JSON.parse(readFileSync(corpusPath(version, file), 'utf8')) as { name?: string }[]).map((route) => route.name);
    const sorted = sortRoutes(serving(dump.routes));
    assert.deepEqual(
      sorted.map((e) => e.resource.name),
      namesOf('route.json'),
    );
    assert.deepEqual(
      sorted.filter((e) => matchRoute({ name: '15004' }, e)).map((e) => e.resource.name),
      namesOf('route-filtered.json'),
    );
  });
}

// ---- robustness -------------------------------------------------------------------------------

test('every corpus dump renders listener and route tables, one row per chain / shown route', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const path of corpusFiles('dumps')) {
    const name = relative(corpusDir, path);
    const dump = decodeConfigDump(JSON.parse(readFileSync(path, 'utf8')), path);
    const listeners = sortListeners(serving(dump.listeners));
    const routes = sortRoutes(serving(dump.routes));
    const chains = listeners.reduce((n, e) => n + listenerFilterChains(e.resource).length, 0);
    const routeRows = routes.reduce(
      (n, e) =>
        n +
        (e.resource.virtual_hosts ?? []).reduce((m, vhost) => {
          const routes = vhost.routes ?? [];
          return m + (routes.length === 0 ? 1 : routes.filter((route) => !isPassthroughRoute(route)).length);
        }, 0),
      0,
    );
    const lineCount = (table: string) => table.split('\n').length - 2; // minus header and final newline
    assert.equal(lineCount(listenerTable(listeners, { verbose: true, namePrefix: false })), chains, `${name}: listener rows`);
    assert.equal(lineCount(listenerTable(listeners, { verbose: false, namePrefix: true })), listeners.length, `${name}: listener TYPE rows`);
    assert.equal(lineCount(routeTable(routes, { verbose: true, namePrefix: false })), routeRows, `${name}: route rows`);
    assert.equal(lineCount(routeTable(routes, { verbose: false, namePrefix: false })), routes.length, `${name}: route config rows`);
  }
});
