import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { decodeConfigDump } from '../src/envoy/decode.ts';
import { decodeInput } from '../src/envoy/input.ts';
import type { ConfigDump } from '../src/envoy/model.ts';
import { DataError, ExitCode } from '../src/errors.ts';
import { CORPUS_MISSING, corpusDir, corpusFiles, corpusPath } from './helpers/corpus.ts';

const V3 = 'type.googleapis.com/envoy.admin.v3.';

function names(entries: { resource: { name?: string } }[]): (string | undefined)[] {
  return entries.map((e) => e.resource.name);
}

function states(dump: ConfigDump, collection: 'listeners' | 'clusters' | 'secrets'): string[] {
  return dump[collection].map((e) => `${e.state}:${e.resource.name ?? ''}`);
}

test('v3 snake_case dump: sections, states, wrapper fields and Envoy order', () => {
  const dump = decodeConfigDump(
    {
      configs: [
        { '@type': `${V3}BootstrapConfigDump`, bootstrap: { node: { id: 'sidecar~1.2.3.4~a.ns~ns.svc.cluster.local' } }, last_updated: 't0' },
        {
          '@type': `${V3}ClustersConfigDump`,
          version_info: 'v9',
          static_clusters: [{ cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'agent' } }],
          dynamic_active_clusters: [
            {
              version_info: 'v1',
              cluster: {
                '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
                name: 'outbound|9080||reviews.default.svc.cluster.local',
                type: 'EDS',
              },
              last_updated: 't1',
            },
          ],
          dynamic_warming_clusters: [{ cluster: { name: 'warm' } }],
        },
        {
          '@type': `${V3}ListenersConfigDump`,
          static_listeners: [{ listener: { name: 'static' } }],
          dynamic_listeners: [
            { name: 'both', active_state: { version_info: 'a', listener: { name: 'both' } }, draining_state: { listener: { name: 'both' } } },
            { name: 'warm', warming_state: { listener: { name: 'warm' } } },
            { name: 'broken', error_state: { details: 'bad port' } },
          ],
        },
        { '@type': `${V3}SomeFutureConfigDump`, anything: 1 },
      ],
    },
    'dump.json',
  );
  assert.deepEqual([...dump.sections].sort(), ['bootstrap', 'clusters', 'listeners']);
  assert.equal(dump.bootstrap?.resource.node?.id, 'sidecar~1.2.3.4~a.ns~ns.svc.cluster.local');
  assert.equal(dump.bootstrap?.lastUpdated, 't0');
  assert.deepEqual(states(dump, 'clusters'), ['static:agent', 'active:outbound|9080||reviews.default.svc.cluster.local', 'warming:warm']);
  assert.equal(dump.clusters[1]?.versionInfo, 'v1');
  assert.equal(dump.clusters[1]?.typeUrl, 'type.googleapis.com/envoy.config.cluster.v3.Cluster');
  assert.equal(dump.clusters[1]?.messageType, 'envoy.config.cluster.v3.Cluster');
  assert.deepEqual(states(dump, 'listeners'), ['static:static', 'active:both', 'draining:both', 'warming:warm', 'error:']);
  assert.equal(dump.listeners[4]?.wrapper['name'], 'broken');
  assert.deepEqual(dump.listeners[4]?.wrapper['error_state'], { details: 'bad port' });
  assert.equal(dump.listeners[1]?.versionInfo, 'a');
  assert.equal(dump.unknown.length, 1, 'unknown sections are kept, not fatal');
});

test('v2alpha dump (Envoy ≤ 1.12): dynamic_active/warming/draining listeners, resources without @type', () => {
  const dump = decodeConfigDump(
    {
      configs: [
        {
          '@type': 'type.googleapis.com/envoy.admin.v2alpha.ListenersConfigDump',
          dynamic_active_listeners: [{ version_info: '1', listener: { name: '0.0.0.0_9080', deprecated_v1: { bind_to_port: false } } }],
          dynamic_warming_listeners: [{ listener: { name: 'w' } }],
          dynamic_draining_listeners: [{ listener: { name: 'd' } }],
        },
        { '@type': 'type.googleapis.com/envoy.admin.v2alpha.RoutesConfigDump', dynamic_route_configs: [{ route_config: { name: '9080' } }] },
      ],
    },
    'old.json',
  );
  assert.deepEqual(states(dump, 'listeners'), ['active:0.0.0.0_9080', 'warming:w', 'draining:d']);
  assert.equal(dump.listeners[0]?.messageType, 'envoy.config.listener.v3.Listener');
  assert.equal(dump.listeners[0]?.typeUrl, undefined);
  assert.deepEqual(dump.listeners[0]?.resource.deprecated_v1, { bind_to_port: false });
  assert.deepEqual(names(dump.routes), ['9080']);
});

test('camelCase dumps are canonicalised to proto field names, map keys untouched', () => {
  const dump = decodeConfigDump(
    {
      configs: [
        {
          '@type': `${V3}ClustersConfigDump`,
          dynamicActiveClusters: [
            {
              versionInfo: 'v1',
              cluster: {
                '@type': 'type.googleapis.com/envoy.api.v2.Cluster',
                name: 'outbound|15004||istio-policy.istio-system.svc.cluster.local',
                connectTimeout: '1s',
                edsClusterConfig: { serviceName: 'x' },
                metadata: { filterMetadata: { istio: { config: '/apis/networking.istio.io/v1alpha3/namespaces/a/destination-rule/b', someKey: 1 } } },
              },
            },
          ],
        },
      ],
    },
    'camel.json',
  );
  const cluster = dump.clusters[0];
  assert.equal(cluster?.versionInfo, 'v1');
  assert.equal(cluster?.messageType, 'envoy.config.cluster.v3.Cluster');
  assert.deepEqual(cluster?.resource.eds_cluster_config, { service_name: 'x' });
  assert.equal(cluster?.resource['connect_timeout'], '1s');
  assert.deepEqual(cluster?.resource.metadata?.filter_metadata?.['istio'], {
    config: '/apis/networking.istio.io/v1alpha3/namespaces/a/destination-rule/b',
    someKey: 1,
  });
});

test('?resource= element wrappers and bare resources are recognised by @type', () => {
  const dump = decodeConfigDump(
    {
      configs: [
        {
          '@type': `${V3}ClustersConfigDump.DynamicCluster`,
          version_info: 'baz',
          cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'bar' },
        },
        { '@type': `${V3}ListenersConfigDump.DynamicListener`, name: 'l', active_state: { listener: { name: 'l' } } },
        { '@type': `${V3}RoutesConfigDump.StaticRouteConfig`, route_config: { name: 'static-route' } },
        { '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment', cluster_name: 'c' },
        { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: 'bare-route' },
      ],
    },
    'resource.json',
  );
  assert.deepEqual(states(dump, 'clusters'), ['active:bar']);
  assert.equal(dump.clusters[0]?.versionInfo, 'baz');
  assert.deepEqual(states(dump, 'listeners'), ['active:l']);
  assert.deepEqual(
    dump.routes.map((e) => `${e.state}:${e.resource.name}`),
    ['static:static-route', 'active:bare-route'],
  );
  assert.equal(dump.endpoints[0]?.resource.cluster_name, 'c');
  assert.deepEqual([...dump.sections].sort(), ['clusters', 'endpoints', 'listeners', 'routes']);
});

test("egctl's wrapped output and Pilot's edsz array decode", () => {
  const inner = { configs: [{ '@type': `${V3}RoutesConfigDump`, dynamic_route_configs: [{ route_config: { name: 'r' } }] }] };
  assert.deepEqual(names(decodeConfigDump({ default: { eg: inner } }, 'eg.json').routes), ['r']);
  assert.deepEqual(names(decodeConfigDump({ xds: { 'default/eg': inner } }, 'eg.json').routes), ['r']);
  const edsz = decodeConfigDump([{ clusterName: 'outbound|9080||a', endpoints: [{ lbEndpoints: [{ healthStatus: 'HEALTHY' }] }] }], 'edsz.json');
  assert.equal(edsz.endpoints[0]?.resource.cluster_name, 'outbound|9080||a');
  assert.equal(edsz.endpoints[0]?.resource.endpoints?.[0]?.lb_endpoints?.[0]?.health_status, 'HEALTHY');
});

test('bad input: one-line DataError naming the source', () => {
  const cases: [string, RegExp][] = [
    ['', /^x\.json: is empty$/],
    ['   \n', /^x\.json: is empty$/],
    ['{"configs": [', /^x\.json: is truncated/],
    ["{'configs': []}", /single-quoted strings/],
    ['not json', /^x\.json: is not valid JSON/],
    ['{"kind": "Pod"}', /^x\.json: is not an Envoy config dump: expected a "configs" field, found "kind"$/],
    ['[1, 2]', /not an Envoy config dump/],
    ['42', /is JSON number, not an Envoy config dump/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => decodeInput(text, 'x.json'),
      (error: unknown) => {
        assert.ok(error instanceof DataError, `${JSON.stringify(text)} → DataError`);
        assert.equal(error.exitCode, ExitCode.DATA);
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  }
});

test('input detection: /clusters?format=json is not mistaken for a config dump', () => {
  const decoded = decodeInput(
    JSON.stringify({ cluster_statuses: [{ name: 'a', host_statuses: [{ healthStatus: { edsHealthStatus: 'HEALTHY' } }] }] }),
    'c.json',
  );
  assert.equal(decoded.kind, 'clusters');
  assert.equal(decoded.kind === 'clusters' && decoded.clusters.cluster_statuses[0]?.host_statuses?.[0]?.health_status?.eds_health_status, 'HEALTHY');
});

/** An independent count of the resources a dump holds, straight from the JSON. */
function countResources(json: unknown): Record<string, number> {
  const counts: Record<string, number> = { listeners: 0, clusters: 0, routes: 0, endpoints: 0, secrets: 0 };
  const configs = (json as { configs?: unknown }).configs;
  const list = Array.isArray(configs) ? configs : Object.values(configs ?? {});
  for (const section of list as Record<string, unknown[] | undefined>[]) {
    const len = (...keys: string[]): number => keys.reduce((n, k) => n + (section[k]?.length ?? 0), 0);
    counts['listeners']! +=
      len('static_listeners', 'staticListeners', 'dynamic_active_listeners', 'dynamicActiveListeners') +
      ((section['dynamic_listeners'] ?? section['dynamicListeners'] ?? []) as Record<string, unknown>[]).filter((l) => l['active_state'] ?? l['activeState'])
        .length;
    counts['clusters']! += len('static_clusters', 'staticClusters', 'dynamic_active_clusters', 'dynamicActiveClusters');
    counts['routes']! += len('static_route_configs', 'staticRouteConfigs', 'dynamic_route_configs', 'dynamicRouteConfigs');
    counts['endpoints']! += len('static_endpoint_configs', 'staticEndpointConfigs', 'dynamic_endpoint_configs', 'dynamicEndpointConfigs');
    counts['secrets']! += len('static_secrets', 'dynamic_active_secrets', 'dynamic_warming_secrets', 'dynamicActiveSecrets');
  }
  return counts;
}

test('every corpus dump decodes, and every resource in it is found', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const files = [
    ...corpusFiles('dumps'),
    ...corpusFiles('istioctl').filter((f) => basename(f) === 'config_dump.json'),
    corpusPath('istioctl-1.0', 'config_dump.json'),
    corpusPath('istioctl-1.6', 'config_dump.json'),
  ];
  for (const file of files) {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const dump = decodeConfigDump(json, file);
    if (Array.isArray(json)) {
      assert.equal(dump.endpoints.length, json.length, file);
      continue;
    }
    const expected = countResources(json);
    const serving = (entries: { state: string }[]): number =>
      entries.filter((e) => e.state !== 'warming' && e.state !== 'draining' && e.state !== 'error').length;
    assert.equal(serving(dump.listeners), expected['listeners'], `${file}: listeners`);
    assert.equal(serving(dump.clusters), expected['clusters'], `${file}: clusters`);
    assert.equal(dump.routes.length, expected['routes'], `${file}: routes`);
    assert.equal(dump.endpoints.length, expected['endpoints'], `${file}: endpoints`);
    assert.equal(dump.secrets.length, expected['secrets'], `${file}: secrets`);
    for (const entry of [...dump.listeners, ...dump.clusters, ...dump.routes]) {
      for (const key of Object.keys(entry.resource)) {
        assert.doesNotMatch(key, /^[a-z]+[A-Z]/, `${file}: ${key} left in camelCase`);
      }
    }
  }
});

test('the Istio 1.0 map-shaped configs decode with camelCase resources', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const dump = decodeConfigDump(JSON.parse(readFileSync(corpusPath('istioctl-1.0', 'config_dump.json'), 'utf8')), '1.0');
  assert.ok(dump.listeners.length > 0);
  assert.ok(dump.listeners.every((e) => e.state === 'active' || e.state === 'static'));
  const xds = dump.clusters.find((e) => e.resource.name === 'xds-grpc');
  assert.deepEqual(xds?.resource.hosts?.[0], { socket_address: { address: 'istio-pilot.istio-system', port_value: 15010 } });
});

test('invalid corpus inputs are rejected with a DataError', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const file of corpusFiles('invalid')) {
    assert.throws(() => decodeInput(readFileSync(file, 'utf8'), file), DataError, file);
  }
});
