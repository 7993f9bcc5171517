// The bundled example must be exactly what the builder makes today, and the builder must scale the
// way the benchmark assumes: one cluster, one EDS assignment and one vhost-or-TCP-listener per service port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exampleFiles } from '../bench/make-example.ts';
import { buildClustersStatus, buildSidecarDump, WELL_KNOWN_SERVICE_PORTS } from '../bench/sidecarDump.ts';

type Json = Record<string, unknown>;

const OUTBOUND_SERVICE_CLUSTER = /^outbound\|\d+\|\|/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every object inside a value, depth first. */
function* objectsIn(value: unknown): Generator<Json> {
  if (Array.isArray(value)) {
    for (const item of value) yield* objectsIn(item);
  } else if (isObject(value)) {
    yield value;
    for (const field of Object.values(value)) yield* objectsIn(field);
  }
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function object(value: unknown): Json {
  return isObject(value) ? value : {};
}

function section(dump: Json, name: string): Json | undefined {
  return list(dump['configs']).find((config) => config['@type'] === `type.googleapis.com/envoy.admin.v3.${name}`);
}

function requireSection(dump: Json, name: string): Json {
  const found = section(dump, name);
  assert.ok(found, `the dump has no ${name}`);
  return found;
}

function clusterNames(dump: Json): string[] {
  const clusters = requireSection(dump, 'ClustersConfigDump');
  return [...list(clusters['static_clusters']), ...list(clusters['dynamic_active_clusters'])].map((entry) => String(object(entry['cluster'])['name']));
}

function endpointAssignments(dump: Json): Json[] {
  const endpoints = requireSection(dump, 'EndpointsConfigDump');
  return [...list(endpoints['static_endpoint_configs']), ...list(endpoints['dynamic_endpoint_configs'])].map((entry) => object(entry['endpoint_config']));
}

function dynamicRouteConfigs(dump: Json): Json[] {
  return list(requireSection(dump, 'RoutesConfigDump')['dynamic_route_configs']).map((entry) => object(entry['route_config']));
}

function activeListeners(dump: Json): Json[] {
  return list(requireSection(dump, 'ListenersConfigDump')['dynamic_listeners']).map((entry) => object(object(entry['active_state'])['listener']));
}

function hasHttpConnectionManager(listener: Json): boolean {
  return [...objectsIn(listener)].some((node) => node['name'] === 'envoy.filters.network.http_connection_manager');
}

function socketAddressText(address: unknown): string {
  const socket = object(object(address)['socket_address']);
  return socket['address'] === undefined ? JSON.stringify(address) : `${String(socket['address'])}:${String(socket['port_value'])}`;
}

test('the bundled examples are what bench/make-example.ts produces now', () => {
  for (const file of exampleFiles()) {
    const committed = readFileSync(file.path, 'utf8');
    assert.ok(committed === file.text, `${file.path} is stale: run \`npx tsx bench/make-example.ts\``);
  }
});

test('the example is the reviews-v1 pod of the seed article, with every section', () => {
  const dump = buildSidecarDump({ services: WELL_KNOWN_SERVICE_PORTS, includeEds: true });
  const bootstrap = object(requireSection(dump, 'BootstrapConfigDump')['bootstrap']);
  assert.equal(object(bootstrap['node'])['id'], 'sidecar~172.33.3.3~reviews-v1-cb8655c75-b97zc.default~default.svc.cluster.local');
  for (const name of ['EcdsConfigDump', 'EndpointsConfigDump', 'ScopedRoutesConfigDump', 'SecretsConfigDump']) {
    requireSection(dump, name);
  }
  const names = clusterNames(dump);
  for (const expected of [
    'outbound|9080|v1|reviews.default.svc.cluster.local',
    'outbound|9080|v3|reviews.default.svc.cluster.local',
    'outbound|9080||ratings.default.svc.cluster.local',
    'inbound|9080||',
    'BlackHoleCluster',
    'PassthroughCluster',
    'InboundPassthroughClusterIpv4',
    'prometheus_stats',
    'xds-grpc',
  ]) {
    assert.ok(names.includes(expected), `missing cluster ${expected}`);
  }
  const listenerNames = activeListeners(dump).map((listener) => listener['name']);
  for (const expected of ['virtualOutbound', 'virtualInbound', '0.0.0.0_9080', '10.254.0.2_53']) {
    assert.ok(listenerNames.includes(expected), `missing listener ${expected}`);
  }
});

for (const services of [25, 300]) {
  test(`a mesh of ${services} service ports scales one-to-one`, () => {
    const dump = buildSidecarDump({ services, includeEds: true, seed: 7 });

    assert.equal(clusterNames(dump).filter((name) => OUTBOUND_SERVICE_CLUSTER.test(name)).length, services);
    assert.equal(endpointAssignments(dump).filter((assignment) => OUTBOUND_SERVICE_CLUSTER.test(String(assignment['cluster_name']))).length, services);

    // HTTP and sniffed ports are reached through a route vhost, plain TCP ports through their own listener.
    const serviceVhosts = dynamicRouteConfigs(dump)
      .flatMap((routeConfig) => list(routeConfig['virtual_hosts']))
      .filter((vhost) => vhost['name'] !== 'allow_any');
    const tcpListeners = activeListeners(dump).filter((listener) => !String(listener['name']).startsWith('virtual') && !hasHttpConnectionManager(listener));
    assert.equal(serviceVhosts.length + tcpListeners.length, services);
    assert.ok(serviceVhosts.length > tcpListeners.length, 'most services speak HTTP');
  });
}

test('every name the dump refers to exists in it', () => {
  const dump = buildSidecarDump({ services: 300, includeEds: true, seed: 3 });
  const clusters = new Set(clusterNames(dump));
  const routeConfigNames = new Set(dynamicRouteConfigs(dump).map((routeConfig) => routeConfig['name']));
  const referenced = new Set<string>();
  for (const node of objectsIn(dump)) {
    const type = String(node['@type'] ?? '');
    if (type.endsWith('.TcpProxy')) referenced.add(String(node['cluster']));
    if (isObject(node['rds'])) {
      const name = node['rds']['route_config_name'];
      assert.ok(routeConfigNames.has(name), `listener asks for missing route config ${String(name)}`);
    }
    const action = node['route'];
    if (isObject(action)) {
      if (typeof action['cluster'] === 'string') referenced.add(action['cluster']);
      for (const weighted of list(object(action['weighted_clusters'])['clusters'])) referenced.add(String(weighted['name']));
    }
  }
  for (const name of referenced) assert.ok(clusters.has(name), `route or listener names missing cluster ${name}`);

  const assigned = endpointAssignments(dump).map((assignment) => String(assignment['cluster_name']));
  assert.deepEqual(assigned.toSorted(), [...clusters].toSorted(), 'one EDS assignment per cluster');
  assert.ok(
    assigned.some((name) => /^outbound\|\d+\|v\d\|/.test(name)),
    'some services have subsets',
  );
});

test('without include_eds there is no EndpointsConfigDump', () => {
  assert.equal(section(buildSidecarDump({ services: 25, includeEds: false }), 'EndpointsConfigDump'), undefined);
});

test('the builder is deterministic, and the seed changes the mesh', () => {
  const options = { services: 60, includeEds: true, seed: 11 };
  assert.deepEqual(buildSidecarDump(options), buildSidecarDump(options));
  assert.notDeepEqual(buildSidecarDump(options), buildSidecarDump({ ...options, seed: 12 }));
});

test('/clusters lists the same clusters and hosts as the config dump, with one outlier ejection', () => {
  const options = { services: 80, seed: 5, podName: 'productpage-v1-7d4cb8d5c9-x2kqp', podIp: '10.244.1.17' };
  const dump = buildSidecarDump({ ...options, includeEds: true });
  const statuses = list(buildClustersStatus(options)['cluster_statuses']);
  assert.deepEqual(
    statuses.map((status) => status['name']),
    clusterNames(dump),
  );
  const hostsOf = new Map(
    endpointAssignments(dump).map((assignment) => [
      String(assignment['cluster_name']),
      list(assignment['endpoints'])
        .flatMap((group) => list(group['lb_endpoints']))
        .map((lbEndpoint) => socketAddressText(object(lbEndpoint['endpoint'])['address'])),
    ]),
  );
  for (const status of statuses) {
    const hosts = list(status['host_statuses']).map((host) => socketAddressText(host['address']));
    assert.deepEqual(hosts, hostsOf.get(String(status['name'])), `hosts of ${String(status['name'])}`);
  }
  const ejected = statuses.flatMap((status) => list(status['host_statuses']).filter((host) => object(host['health_status'])['failed_outlier_check'] === true));
  assert.equal(ejected.length, 1);
  const bootstrap = object(requireSection(dump, 'BootstrapConfigDump')['bootstrap']);
  assert.equal(object(bootstrap['node'])['id'], 'sidecar~10.244.1.17~productpage-v1-7d4cb8d5c9-x2kqp.default~default.svc.cluster.local');
});
