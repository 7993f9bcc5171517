// What happens between the filter chain and the cluster, on small hand-written v3 dumps: the
// connection manager's Host fixes, scoped routes, redirects, clusters named by a header, raw TCP
// reaching an HTTP connection manager, and tcp_proxy's weighted clusters and sni_cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../src/envoy/model.ts';
import type { Trace } from '../../src/trace/trace.ts';
import { runCli } from '../helpers/cli.ts';

const V3 = 'type.googleapis.com/envoy.';

function hcm(config: Obj): Obj {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: { '@type': `${V3}extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`, stat_prefix: 'in', ...config },
  };
}

function tcpProxy(config: Obj): Obj {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: { '@type': `${V3}extensions.filters.network.tcp_proxy.v3.TcpProxy`, stat_prefix: 'tcp', ...config },
  };
}

/** A gateway-like dump: listeners bound on their ports, the given route configs, scoped routes and STATIC clusters. */
function dump(listeners: Obj[], routes: Obj[] = [], scoped: Obj[] = [], clusters: string[] = []): string {
  return JSON.stringify({
    configs: [
      {
        '@type': `${V3}admin.v3.ListenersConfigDump`,
        dynamic_listeners: listeners.map((listener) => ({
          name: listener['name'],
          active_state: { listener: { '@type': `${V3}config.listener.v3.Listener`, ...listener } },
        })),
      },
      {
        '@type': `${V3}admin.v3.RoutesConfigDump`,
        dynamic_route_configs: routes.map((route) => ({ route_config: { '@type': `${V3}config.route.v3.RouteConfiguration`, ...route } })),
      },
      { '@type': `${V3}admin.v3.ScopedRoutesConfigDump`, inline_scoped_route_configs: scoped },
      {
        '@type': `${V3}admin.v3.ClustersConfigDump`,
        dynamic_active_clusters: clusters.map((name, i) => ({
          cluster: {
            '@type': `${V3}config.cluster.v3.Cluster`,
            name,
            type: 'STATIC',
            load_assignment: {
              cluster_name: name,
              endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: `10.9.0.${i + 1}`, port_value: 8080 } } } }] }],
            },
          },
        })),
      },
    ],
  });
}

function listener(name: string, port: number, chains: Obj[], extra: Obj = {}): Obj {
  return { name, address: { socket_address: { address: '0.0.0.0', port_value: port } }, filter_chains: chains, ...extra };
}

async function trace(input: string, args: string[]): Promise<Trace> {
  const result = await runCli(['pc', 'trace', '-f', '-', ...args, '-o', 'json'], { stdin: input });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Trace;
}

const vhost = (name: string, domains: string[], routes: Obj[]): Obj => ({ name, domains, routes });

test('strip_any_host_port and strip_matching_host_port change the Host before the virtual host is chosen', async () => {
  const routes = [
    {
      name: 'web',
      virtual_hosts: [
        vhost('shop', ['shop.example.com'], [{ match: { prefix: '/' }, route: { cluster: 'shop' } }]),
        vhost('other', ['*'], [{ match: { prefix: '/' }, direct_response: { status: 418 } }]),
      ],
    },
  ];
  const withStrip = (strip: Obj): string =>
    dump([listener('web', 8080, [{ filters: [hcm({ rds: { route_config_name: 'web' }, ...strip })] }])], routes, [], ['shop']);
  const url = 'http://shop.example.com:8080/';
  assert.equal((await trace(withStrip({}), ['--dst', '10.0.0.1:8080', url])).result.outcome, 'direct_response');
  assert.equal((await trace(withStrip({ strip_any_host_port: true }), ['--dst', '10.0.0.1:8080', url])).result.cluster, 'shop');
  assert.equal((await trace(withStrip({ strip_matching_host_port: true }), ['--dst', '10.0.0.1:8080', url])).result.cluster, 'shop');
  // Only the listener's own port is stripped.
  assert.equal(
    (await trace(withStrip({ strip_matching_host_port: true }), ['--dst', '10.0.0.1:8080', 'http://shop.example.com:9999/'])).result.outcome,
    'direct_response',
  );
});

test('scoped routes: the scope key comes from a request header and names the route configuration', async () => {
  const scopes = [
    {
      name: 'tenants',
      scoped_route_configs: [
        {
          '@type': `${V3}config.route.v3.ScopedRouteConfiguration`,
          name: 'acme',
          route_configuration_name: 'acme-routes',
          key: { fragments: [{ string_key: 'acme' }] },
        },
        {
          '@type': `${V3}config.route.v3.ScopedRouteConfiguration`,
          name: 'globex',
          route_configuration_name: 'globex-routes',
          key: { fragments: [{ string_key: 'globex' }] },
        },
      ],
    },
  ];
  const routes = ['acme', 'globex'].map((tenant) => ({
    name: `${tenant}-routes`,
    virtual_hosts: [vhost(tenant, ['*'], [{ match: { prefix: '/' }, route: { cluster: tenant } }])],
  }));
  const scopedHcm = hcm({ scoped_routes: { name: 'tenants', scope_key_builder: { fragments: [{ header_value_extractor: { name: 'x-tenant', index: 0 } }] } } });
  const input = dump([listener('web', 8080, [{ filters: [scopedHcm] }])], routes, scopes, ['acme', 'globex']);
  const globex = await trace(input, ['--dst', '10.0.0.1:8080', '-H', 'x-tenant: globex', 'http://any/']);
  assert.equal(globex.steps.find((s) => s.stage === 'route_config')?.name, 'globex-routes');
  assert.deepEqual(globex.result.endpoints, ['10.9.0.2:8080']);
  const nobody = await trace(input, ['--dst', '10.0.0.1:8080', 'http://any/']);
  assert.equal(nobody.result.outcome, 'no_route_config');
  assert.match(nobody.steps.at(-1)?.reason ?? '', /no scope has the key \[\(absent\)\]/);
});

test('redirects, query parameters, missing cluster_header, and raw TCP on an HTTP chain', async () => {
  const routes = [
    {
      name: 'web',
      virtual_hosts: [
        vhost(
          'all',
          ['*'],
          [
            { match: { prefix: '/old' }, redirect: { https_redirect: true, prefix_rewrite: '/new', response_code: 'PERMANENT_REDIRECT' } },
            { match: { prefix: '/q', query_parameters: [{ name: 'debug', string_match: { exact: 'on' } }] }, route: { cluster: 'debug' } },
            { match: { prefix: '/by-header' }, route: { cluster_header: 'x-cluster' } },
          ],
        ),
      ],
    },
  ];
  const input = dump([listener('web', 8080, [{ filters: [hcm({ rds: { route_config_name: 'web' } })] }])], routes, [], ['debug']);
  const moved = await trace(input, ['--dst', '10.0.0.1:8080', 'http://shop:8080/old/page?x=1']);
  // A non-default port stays when only the scheme changes (Envoy strips only :80 from http, :443 from https).
  assert.deepEqual([moved.result.outcome, moved.result.status, moved.result.location], ['redirect', 308, 'https://shop:8080/new/page?x=1']);
  const fromDefaultPort = await trace(input, ['--dst', '10.0.0.1:8080', '-H', 'x-forwarded-proto: http', 'http://shop:80/old']);
  assert.equal(fromDefaultPort.result.location, 'https://shop/new');
  assert.equal((await trace(input, ['--dst', '10.0.0.1:8080', 'http://shop:8080/q?debug=on&debug=off'])).result.cluster, 'debug');
  const firstValueOnly = await trace(input, ['--dst', '10.0.0.1:8080', 'http://shop:8080/q?debug=off&debug=on']);
  assert.equal(firstValueOnly.result.outcome, 'no_route');
  const noHeader = await trace(input, ['--dst', '10.0.0.1:8080', 'http://shop:8080/by-header']);
  assert.deepEqual([noHeader.result.outcome, noHeader.result.status], ['no_cluster', 503]);
  const raw = await trace(input, ['--dst', '10.0.0.1:8080', 'tcp']);
  assert.equal(raw.result.outcome, 'protocol_error');
});

test('tcp_proxy: weighted clusters by --random, and sni_cluster naming the cluster after the SNI', async () => {
  const weighted = tcpProxy({
    weighted_clusters: {
      clusters: [
        { name: 'blue', weight: 80 },
        { name: 'green', weight: 20 },
      ],
    },
  });
  const input = dump(
    [
      listener('tcp', 9000, [{ filters: [weighted] }]),
      listener('sni', 443, [{ filters: [{ name: 'envoy.filters.network.sni_cluster' }, tcpProxy({ cluster: 'unused' })] }], {
        listener_filters: [{ name: 'envoy.filters.listener.tls_inspector' }],
      }),
    ],
    [],
    [],
    ['blue', 'green', 'db.example.com'],
  );
  assert.equal((await trace(input, ['--dst', '10.0.0.1:9000', '--random', '79', 'tcp'])).result.cluster, 'blue');
  assert.equal((await trace(input, ['--dst', '10.0.0.1:9000', '--random', '180', 'tcp'])).result.cluster, 'green');
  const sni = await trace(input, ['--dst', '10.0.0.1:443', '--sni', 'db.example.com', 'tcp']);
  assert.equal(sni.result.cluster, 'db.example.com');
  assert.match(sni.steps[2]?.reason ?? '', /before it envoy\.filters\.network\.sni_cluster/);
});
