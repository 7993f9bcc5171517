// Cluster names, cluster and endpoint filters, and the cluster / endpoint / eds / secret / ecds /
// bootstrap tables: unit cases, istioctl's goldens, and every corpus dump rendered without throwing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareClusterNames, formatClusterName, parseClusterName, sortByClusterName, type ClusterName } from '../src/envoy/clusterName.ts';
import { decodeClustersStatus } from '../src/envoy/clustersStatus.ts';
import { decodeConfigDump } from '../src/envoy/decode.ts';
import type { Bootstrap, Cluster, ClusterLoadAssignment, ConfigDump, Entry, HostStatus, LbEndpoint, Secret } from '../src/envoy/model.ts';
import { matchCluster, type ClusterFilter } from '../src/filters/cluster.ts';
import { filterClusterLoadAssignments, filterClusterStatuses, matchHost, matchLbEndpoint, type EndpointFilter } from '../src/filters/endpoint.ts';
import { bootstrapSummary } from '../src/render/views/bootstrap.ts';
import { renderTable, type Table } from '../src/render/tabwriter.ts';
import * as clusterView from '../src/render/views/cluster.ts';
import * as ecdsView from '../src/render/views/ecds.ts';
import * as endpointView from '../src/render/views/endpoint.ts';
import * as secretView from '../src/render/views/secret.ts';
import { CORPUS_MISSING, corpusDir, corpusFiles, corpusPath } from './helpers/corpus.ts';

// The views return rows; these tests read them laid out, as the CLI prints them.
const laidOut = (shown: Table | string): string => (typeof shown === 'string' ? shown : renderTable(shown));
const clusterTable = (...args: Parameters<typeof clusterView.clusterTable>): string => laidOut(clusterView.clusterTable(...args));
const ecdsTable = (...args: Parameters<typeof ecdsView.ecdsTable>): string => laidOut(ecdsView.ecdsTable(...args));
const edsTable = (...args: Parameters<typeof endpointView.edsTable>): string => laidOut(endpointView.edsTable(...args));
const hostTable = (...args: Parameters<typeof endpointView.hostTable>): string => laidOut(endpointView.hostTable(...args));
const secretTable = (...args: Parameters<typeof secretView.secretTable>): string => laidOut(secretView.secretTable(...args));

/** A date at which the corpus secrets' VALID CERT column reads as in istioctl's goldens. */
const NOW = new Date('2026-01-01T00:00:00Z');

const entry = <R>(resource: R, state: Entry<R>['state'] = 'active'): Entry<R> => ({
  state,
  resource,
  messageType: '',
  wrapper: {},
});
const cluster = (name: string, extra: Partial<Cluster> = {}): Entry<Cluster> => entry({ name, type: 'EDS', ...extra });

// ---- cluster names ------------------------------------------------------------------------------

test('parseClusterName reads both spellings and refuses other names', () => {
  const pipe = (direction: string, port: number, subset: string, fqdn: string): ClusterName => ({ direction, port, subset, fqdn, form: 'pipe' });
  const cases: [string, ClusterName | undefined][] = [
    ['outbound|9080|v1|reviews.default.svc.cluster.local', pipe('outbound', 9080, 'v1', 'reviews.default.svc.cluster.local')],
    ['outbound|443||istio-policy.istio-system.svc.cluster.local', pipe('outbound', 443, '', 'istio-policy.istio-system.svc.cluster.local')],
    ['inbound|9080||', pipe('inbound', 9080, '', '')],
    ['inbound|9080|http|reviews.default.svc.cluster.local', pipe('inbound', 9080, 'http', 'reviews.default.svc.cluster.local')],
    ['inbound-vip|8000|http|httpbin.default.svc.cluster.local', pipe('inbound-vip', 8000, 'http', 'httpbin.default.svc.cluster.local')],
    ['outbound|80||*.example.com', pipe('outbound', 80, '', '*.example.com')],
    [
      'outbound_.9080_.v1_.reviews.default.svc.cluster.local',
      { direction: 'outbound', port: 9080, subset: 'v1', fqdn: 'reviews.default.svc.cluster.local', form: 'sni' },
    ],
    [
      'outbound_.80_._.httpbin.default.svc.cluster.local',
      { direction: 'outbound', port: 80, subset: '', fqdn: 'httpbin.default.svc.cluster.local', form: 'sni' },
    ],
    ['BlackHoleCluster', undefined],
    ['xds-grpc', undefined],
    ['prometheus_stats', undefined],
    ['inbound_9092', undefined],
    ['outbound|http||reviews', undefined],
    ['outbound|080||reviews', undefined],
    ['outbound|70000||reviews', undefined],
    ['|80||reviews', undefined],
    ['outbound|80|a|b|c', undefined],
    ['outbound|80|v1', undefined],
  ];
  for (const [name, expected] of cases) assert.deepEqual(parseClusterName(name), expected, name);
});

test('formatClusterName gives every parsed name back', () => {
  for (const name of [
    'outbound|9080|v1|reviews.default.svc.cluster.local',
    'inbound|9080||',
    'inbound-vip|8000|http|httpbin.default.svc.cluster.local',
    'outbound_.9080_.v1_.reviews.default.svc.cluster.local',
    'outbound_.80_._.httpbin.default.svc.cluster.local',
  ]) {
    const parsed = parseClusterName(name);
    assert.ok(parsed, name);
    assert.equal(formatClusterName(parsed), name);
  }
  assert.equal(formatClusterName({ direction: 'outbound', port: 80, subset: '', fqdn: 'a.b', form: 'sni' }), 'outbound_.80_._.a.b');
});

test("sortByClusterName gives compareClusterNames' order (Go's byte order), with or without units above the surrogates", () => {
  // U+FF5E sorts before U+1F600 in Go (code points) but after it in UTF-16 (0xFF5E > 0xD83D).
  assert.deepEqual(
    sortByClusterName(['outbound|80||a😀', 'outbound|80||a～', 'outbound|80||ab'], (name) => name),
    ['outbound|80||ab', 'outbound|80||a～', 'outbound|80||a😀'],
  );
  const part = fc.string({ unit: fc.constantFrom('a', 'b', '.', '1', '0', '|', '_', 'é', '～', '😀'), maxLength: 6 });
  const name = fc.oneof(
    part,
    fc.tuple(fc.constantFrom('outbound', 'inbound'), fc.nat(70000), part, part).map((fields) => fields.join('|')),
  );
  fc.assert(
    fc.property(fc.array(name, { maxLength: 30 }), (names) => {
      assert.deepEqual(
        sortByClusterName(names, (n) => n),
        names.toSorted(compareClusterNames),
      );
    }),
    { numRuns: 300 },
  );
});

test('compareClusterNames orders by fqdn, subset, port, direction, as istioctl', () => {
  const names = [
    'xds-grpc',
    'outbound|9080|v2|reviews.default.svc.cluster.local',
    'inbound|9080||',
    'outbound|80||reviews.default.svc.cluster.local',
    'inbound|9080|http|reviews.default.svc.cluster.local',
    'outbound|9080|v1|reviews.default.svc.cluster.local',
    'outbound_.9080_.v1_.reviews.default.svc.cluster.local',
    'BlackHoleCluster',
    'agent',
  ];
  assert.deepEqual(names.toSorted(compareClusterNames), [
    'inbound|9080||',
    'BlackHoleCluster',
    'agent',
    'outbound|80||reviews.default.svc.cluster.local',
    'inbound|9080|http|reviews.default.svc.cluster.local',
    'outbound_.9080_.v1_.reviews.default.svc.cluster.local',
    'outbound|9080|v1|reviews.default.svc.cluster.local',
    'outbound|9080|v2|reviews.default.svc.cluster.local',
    'xds-grpc',
  ]);
});

// ---- cluster filter -------------------------------------------------------------------------------

test('cluster filters compare parsed fields, not substrings', () => {
  const reviews = 'outbound|9080|v1|reviews.default.svc.cluster.local';
  const cases: [ClusterFilter, string, boolean][] = [
    [{}, 'BlackHoleCluster', true],
    [{ fqdn: 'reviews' }, reviews, true],
    [{ fqdn: 'reviews.default' }, reviews, true],
    [{ fqdn: 'Reviews.Default.svc.cluster.local.' }, reviews, true],
    [{ fqdn: 'reviews' }, 'outbound|9080||reviews-v2.default.svc.cluster.local', false],
    [{ fqdn: 'default' }, reviews, false],
    [{ fqdn: 'reviews.default.svc.cluster.local.extra' }, reviews, false],
    [{ fqdn: 'reviews' }, 'outbound_.9080_.v1_.reviews.default.svc.cluster.local', true],
    [{ fqdn: 'reviews' }, 'inbound|9080||', false],
    [{ fqdn: 'xds-grpc' }, 'xds-grpc', true],
    [{ fqdn: 'xds' }, 'xds-grpc', false],
    [{ fqdn: 'blackholecluster' }, 'BlackHoleCluster', true],
    [{ direction: 'inbound' }, 'inbound|9080||', true],
    [{ direction: 'inbound' }, 'inbound-vip|8000|http|httpbin.default.svc.cluster.local', false],
    [{ direction: 'inbound-vip' }, 'inbound-vip|8000|http|httpbin.default.svc.cluster.local', true],
    [{ direction: 'bound' }, 'inbound|9080||', false],
    [{ subset: 'v1' }, reviews, true],
    [{ subset: 'v1' }, 'outbound|9080|v10|reviews.default.svc.cluster.local', false],
    [{ subset: 'v1' }, 'outbound|9080||v1.default.svc.cluster.local', false],
    [{ port: 9080 }, reviews, true],
    [{ port: 908 }, reviews, false],
    [{ port: 9080 }, 'xds-grpc', false],
    [{ subset: 'x' }, 'xds-grpc', false],
    [{ direction: 'outbound' }, 'BlackHoleCluster', false],
    [{ fqdn: 'reviews', port: 9080, subset: 'v1', direction: 'outbound' }, reviews, true],
    [{ fqdn: 'reviews', port: 80 }, reviews, false],
  ];
  for (const [filter, name, expected] of cases) {
    assert.equal(matchCluster(filter, cluster(name)), expected, `${JSON.stringify(filter)} on ${name}`);
  }
});

// ---- endpoint filters -----------------------------------------------------------------------------

const socketEndpoint = (address: string, port: number, health_status?: string): LbEndpoint => ({
  endpoint: { address: { socket_address: { address, port_value: port } } },
  ...(health_status === undefined ? {} : { health_status }),
});

test('endpoint --address takes an IP, ip:port, a pipe path or an internal address', () => {
  const dualStack: LbEndpoint = {
    endpoint: {
      address: { socket_address: { address: '10.0.0.1', port_value: 8080 } },
      additional_addresses: [{ address: { socket_address: { address: 'FD00:0:0::1', port_value: 8081 } } }],
    },
  };
  const pipe: LbEndpoint = { endpoint: { address: { pipe: { path: '/sock/Mixer.socket' } } } };
  const internal: LbEndpoint = {
    endpoint: { address: { envoy_internal_address: { server_listener_name: 'connect_originate', endpoint_id: '10.0.0.9:80' } } },
  };
  const cases: [EndpointFilter, LbEndpoint, boolean][] = [
    [{ address: '10.0.0.1' }, dualStack, true],
    [{ address: '10.0.0.1:8080' }, dualStack, true],
    [{ address: '10.0.0.1:8081' }, dualStack, false],
    [{ address: '10.0.0.10' }, dualStack, false],
    [{ address: 'fd00::1' }, dualStack, true],
    [{ address: '[fd00::1]:8081' }, dualStack, true],
    [{ address: '[FD00:0::1]' }, dualStack, true],
    [{ address: '[fd00::1]:8080' }, dualStack, false],
    // --address and --port must hold for the same address.
    [{ address: 'fd00::1', port: 8081 }, dualStack, true],
    [{ address: 'fd00::1', port: 8080 }, dualStack, false],
    [{ port: 8081 }, dualStack, true],
    [{ address: '/sock/mixer.socket' }, pipe, true],
    [{ address: 'unix:///sock/Mixer.socket' }, pipe, true],
    [{ address: 'unix:///sock/other' }, pipe, false],
    [{ port: 80 }, pipe, false],
    [{ address: 'envoy://connect_originate/10.0.0.9:80' }, internal, true],
    [{ address: '10.0.0.9' }, internal, false],
    [{ address: 'FE80::1%eth0' }, socketEndpoint('fe80::1%eth0', 80), true],
    [{ address: 'reviews.default' }, socketEndpoint('Reviews.default', 9080), true],
    [{ address: 'reviews.default:9080' }, socketEndpoint('reviews.default', 9080), true],
  ];
  for (const [filter, lbEndpoint, expected] of cases) {
    assert.equal(matchLbEndpoint(filter, 'c', lbEndpoint), expected, `${JSON.stringify(filter)} on ${JSON.stringify(lbEndpoint)}`);
  }
});

test('endpoint --cluster and --status compare case-insensitively; a missing status is UNKNOWN', () => {
  const name = 'outbound|15014||istio-policy.istio-system.svc.cluster.local';
  const cases: [EndpointFilter, LbEndpoint, boolean][] = [
    [{ cluster: name.toUpperCase() }, socketEndpoint('10.0.0.1', 80), true],
    [{ cluster: 'istio-policy.istio-system.svc.cluster.local' }, socketEndpoint('10.0.0.1', 80), false],
    [{ status: 'healthy' }, socketEndpoint('10.0.0.1', 80, 'HEALTHY'), true],
    [{ status: 'unhealthy' }, socketEndpoint('10.0.0.1', 80, 'HEALTHY'), false],
    [{ status: 'unknown' }, socketEndpoint('10.0.0.1', 80), true],
    [{ status: 'DRAINING' }, { ...socketEndpoint('10.0.0.1', 80), health_status: 3 as unknown as string }, true],
  ];
  for (const [filter, lbEndpoint, expected] of cases) {
    assert.equal(matchLbEndpoint(filter, name, lbEndpoint), expected, JSON.stringify(filter));
  }
  const host: HostStatus = {
    address: { socket_address: { address: '172.17.0.14', port_value: 15014 } },
    health_status: { eds_health_status: 'UNHEALTHY' },
  };
  assert.equal(matchHost({ address: '172.17.0.14', status: 'Unhealthy', cluster: name }, name, host), true);
  assert.equal(matchHost({ address: '172.17.0.14:15014' }, name, host), true);
  assert.equal(matchHost({ port: 15004 }, name, host), false);
});

test('filterClusterLoadAssignments keeps empty localities, drops empty assignments, modifies nothing', () => {
  const cla: ClusterLoadAssignment = {
    cluster_name: 'outbound|80||a.default.svc.cluster.local',
    endpoints: [
      { locality: { region: 'r1' }, lb_endpoints: [socketEndpoint('10.0.0.1', 80)] },
      { locality: { region: 'r2' }, lb_endpoints: [socketEndpoint('10.0.0.2', 8080)] },
    ],
  };
  const empty: ClusterLoadAssignment = { cluster_name: 'outbound|81||b.default.svc.cluster.local', endpoints: [{ lb_endpoints: [] }] };
  const before = JSON.stringify([cla, empty]);
  const kept = filterClusterLoadAssignments([entry(cla), entry(empty)], { port: 8080 });
  assert.deepEqual(
    kept.map((e) => e.resource.endpoints?.map((l) => [l.locality?.region, l.lb_endpoints?.length])),
    [
      [
        ['r1', 0],
        ['r2', 1],
      ],
    ],
  );
  assert.equal(JSON.stringify([cla, empty]), before);
  assert.equal(filterClusterLoadAssignments([entry(cla), entry(empty)], {}).length, 1, 'empty assignments go even without a filter');
  assert.equal(filterClusterLoadAssignments([entry(cla)], { port: 9 }).length, 0);
});

test('filterClusterStatuses keeps each matching cluster whole', () => {
  const host = (address: string): HostStatus => ({ address: { socket_address: { address, port_value: 80 } } });
  const statuses = [
    { name: 'a', host_statuses: [host('10.0.0.1'), host('10.0.0.2')] },
    { name: 'b', host_statuses: [host('10.0.0.3')] },
  ];
  assert.deepEqual(filterClusterStatuses(statuses, { address: '10.0.0.2' }), [statuses[0]]);
  assert.deepEqual(filterClusterStatuses(statuses, {}), statuses);
});

// ---- tables from hand-built resources ----------------------------------------------------------------

test('cluster TYPE and DESTINATION RULE columns', () => {
  const dr = (config: unknown): Partial<Cluster> => ({ metadata: { filter_metadata: { istio: { config } } } });
  const rows = clusterTable(
    [
      cluster('outbound|80||a.ns.svc.cluster.local', dr('/apis/networking.istio.io/v1alpha3/namespaces/ns/destination-rule/a-dr')),
      cluster('outbound|80||b.ns.svc.cluster.local', dr('/apis/networking.istio.io/v1/namespaces/ns/destination-rule')),
      cluster('outbound|80||c.ns.svc.cluster.local', dr('/apis/networking/v1alpha3/namespaces/istio-system/destination-rule/default')),
      cluster('outbound|80||d.ns.svc.cluster.local', dr(7)),
      cluster('outbound|80||e.ns.svc.cluster.local', { type: 'STRICT_DNS', metadata: { filter_metadata: { istio: {} } } }),
      entry<Cluster>({ name: 'outbound|80||f.ns.svc.cluster.local' }),
      entry<Cluster>({ name: 'outbound|80||g.ns.svc.cluster.local', cluster_type: { name: 'envoy.clusters.aggregate' } }),
      entry<Cluster>({ name: 'outbound|80||h.ns.svc.cluster.local', type: 4 as unknown as string }),
    ],
    { namePrefix: false },
  )
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) =>
      line
        .trimEnd()
        .split(/\s{5,}/)
        .slice(4)
        .join('|'),
    );
  assert.deepEqual(rows, [
    'EDS|a-dr.ns',
    'EDS',
    'EDS|default.istio-system',
    'EDS|<unknown>',
    'STRICT_DNS',
    'STATIC',
    'envoy.clusters.aggregate',
    'ORIGINAL_DST',
  ]);
});

test('cluster rows: SNI twins keep their whole name, unparsed names fill SERVICE FQDN', () => {
  const clusters = [cluster('xds-grpc', { type: 'STATIC' }), cluster('outbound|80||a.ns'), cluster('outbound_.80_._.a.ns')];
  assert.deepEqual(tableLinesOf(clusterTable(clusters, { namePrefix: false })), [
    'SERVICE FQDN             PORT     SUBSET     DIRECTION     TYPE       DESTINATION RULE',
    'outbound_.80_._.a.ns     80       -          outbound      EDS',
    'a.ns                     80       -          outbound      EDS',
    'xds-grpc                 -        -          -             STATIC',
  ]);
  assert.deepEqual(tableLinesOf(clusterTable(clusters.slice(0, 2), { namePrefix: true })), [
    'NAME                          SERVICE FQDN         PORT     SUBSET     DIRECTION     TYPE       DESTINATION RULE',
    'cluster/outbound|80||a.ns     a.ns                 80       -          outbound      EDS',
    'cluster/xds-grpc              cluster/xds-grpc     -        -          -             STATIC',
  ]);
});

test('eds LOCALITY shows region[/zone[/sub_zone]], NAME joins additional addresses', () => {
  const cla: ClusterLoadAssignment = {
    cluster_name: 'c',
    endpoints: [
      { locality: { region: 'r', zone: 'z', sub_zone: 's' }, lb_endpoints: [socketEndpoint('10.0.0.1', 80)] },
      { locality: { region: 'r', sub_zone: 's' }, lb_endpoints: [socketEndpoint('10.0.0.2', 80, 'DRAINING')] },
      {
        locality: { region: 'r', zone: 'z' },
        lb_endpoints: [
          {
            endpoint: {
              address: { socket_address: { address: '10.0.0.3', port_value: 80 } },
              additional_addresses: [{ address: { socket_address: { address: 'fd00::3', port_value: 80 } } }],
            },
          },
        ],
      },
    ],
  };
  assert.equal(
    edsTable([entry(cla)], { namePrefix: true }),
    [
      'NAME                                STATUS       LOCALITY     CLUSTER',
      'endpoint/10.0.0.1:80                UNKNOWN      r/z/s        c',
      'endpoint/10.0.0.2:80                DRAINING     r            c',
      'endpoint/10.0.0.3:80,fd00::3:80     UNKNOWN      r/z          c',
      '',
    ].join('\n'),
  );
});

test('secret table edge cases', () => {
  assert.equal(secretTable([], { namePrefix: false, now: NOW }), 'No active or warming secrets found.\n');
  const spiffeWithoutDomains: Secret = {
    name: 'ROOTCA',
    validation_context: {
      custom_validator_config: {
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig', trust_domains: [] },
      },
    },
  };
  assert.equal(secretTable([entry(spiffeWithoutDomains)], { namePrefix: false, now: NOW }), 'No secret items to show.\n');
  const garbage: Secret = { name: 'bad', tls_certificate: { certificate_chain: { inline_bytes: Buffer.from('not a cert').toString('base64') } } };
  const uninitialized: Entry<Secret> = { ...entry<Secret>({ name: 'later' }), versionInfo: 'uninitialized' };
  assert.deepEqual(
    tableLinesOf(
      secretTable([entry(garbage), uninitialized, entry<Secret>({ name: 'static' }, 'static'), entry<Secret>({ name: 'w' }, 'warming')], {
        namePrefix: false,
        now: NOW,
      }),
    ),
    [
      'RESOURCE NAME     TYPE     STATUS            VALID CERT     SERIAL NUMBER     NOT AFTER     NOT BEFORE',
      'w                          WARMING           false',
      'bad                        ACTIVE            false',
      'later                      UNINITIALIZED     false',
      'static                     STATIC            false',
    ],
  );
});

test('bootstrap Envoy Version from v3 user_agent_build_version and from v2 build_version', () => {
  const version = (node: Bootstrap['node']): string | undefined =>
    bootstrapSummary(entry<Bootstrap>(node === undefined ? {} : { node }, 'static'))
      .split('\n')
      .find((line) => line.startsWith('Envoy Version:'))
      ?.replace(/^Envoy Version:\s+/, '');
  assert.equal(version(undefined), '0.0.0');
  assert.equal(version({ build_version: '55c80965eab994e6bfa2227e3942fa89928d0d70/1.10.0-dev/Clean/RELEASE/BoringSSL' }), '1.10.0-dev/Clean/RELEASE/BoringSSL');
  assert.equal(version({ hidden_envoy_deprecated_build_version: 'abc/1.14.1/Modified/RELEASE/BoringSSL' }), '1.14.1/Modified/RELEASE/BoringSSL');
  assert.equal(version({ build_version: '0/1.7.0-dev//RELEASE' }), '1.7.0-dev/RELEASE');
  assert.equal(
    version({
      user_agent_build_version: { version: { major_number: 1, minor_number: 28, patch: 1 }, metadata: { 'build.label': 'dev', 'ssl.version': 'BoringSSL' } },
      build_version: 'x/9.9.9/Clean/RELEASE/BoringSSL',
    }),
    '1.28.1-dev/BoringSSL',
  );
  assert.equal(
    bootstrapSummary(entry<Bootstrap>({ node: { metadata: { ISTIO_VERSION: '1.5.4', ISTIO_PROXY_SHA: 'istio-proxy:abc' } } }, 'static')),
    'Istio Version:       1.5.4\nIstio Proxy Version: abc\nEnvoy Version:       0.0.0\n',
  );
});

// ---- istioctl goldens -----------------------------------------------------------------------------

const readCorpus = (...parts: string[]): string => readFileSync(corpusPath(...parts), 'utf8');
const dumpOf = (...parts: string[]): ConfigDump => decodeConfigDump(JSON.parse(readCorpus(...parts)), parts.join('/'));
/** The clusters istioctl shows: active and static, never warming. */
const shownClusters = (dump: ConfigDump): Entry<Cluster>[] => dump.clusters.filter((c) => c.state !== 'warming');

function tableLinesOf(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.trimEnd());
}

/** Trimmed lines first (readable diff), then byte for byte: the goldens keep tabwriter's trailing spaces. */
function assertTable(actual: string, expected: string): void {
  assert.deepEqual(tableLinesOf(actual), tableLinesOf(expected));
  assert.equal(actual, expected);
}

test('all-summary: bootstrap, cluster, secret and endpoint sections', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const dump = dumpOf('istioctl', 'all-summary', 'config_dump.json');
  const sections = readCorpus('istioctl', 'all-summary', 'expected.txt').split(/^\n/m);
  assert.equal(sections.length, 6);
  const [bootstrap = '', clusters = '', , , secrets = '', endpoints = ''] = sections;
  assert.ok(dump.bootstrap);
  assertTable(bootstrapSummary(dump.bootstrap), bootstrap);
  assertTable(clusterTable(shownClusters(dump), { namePrefix: true }), clusters);
  assertTable(secretTable(dump.secrets, { namePrefix: true, now: NOW }), secrets);
  assertTable(edsTable(filterClusterLoadAssignments(dump.endpoints, {}), { namePrefix: true }), endpoints);
});

test('eds goldens: no filter and --port 8080', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const dump = dumpOf('istioctl', 'eds', 'config_dump.json');
  const eds = (filter: EndpointFilter): string => edsTable(filterClusterLoadAssignments(dump.endpoints, filter), { namePrefix: false });
  assertTable(eds({}), readCorpus('istioctl', 'eds', 'emptyfilter_output.txt'));
  assertTable(eds({ port: 8080 }), readCorpus('istioctl', 'eds', 'portfilter_output.txt'));
});

test('secret goldens: istio and SPIFFE trust bundles', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const name of ['secret-istio', 'secret-spire']) {
    const dump = dumpOf('istioctl', name, 'config_dump.json');
    assertTable(secretTable(dump.secrets, { namePrefix: false, now: NOW }), readCorpus('istioctl', name, 'expected.txt'));
  }
});

test('ecds golden', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  assertTable(ecdsTable(dumpOf('istioctl', 'ecds', 'config_dump.json').ecds), readCorpus('istioctl', 'ecds', 'expected.txt'));
});

test('bootstrap short golden (camelCase input)', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const { bootstrap } = dumpOf('istioctl', 'bootstrap', 'config_dump.json');
  assert.ok(bootstrap);
  assertTable(bootstrapSummary(bootstrap), readCorpus('istioctl', 'bootstrap', 'expected-short.txt'));
});

test('endpoint goldens from /clusters?format=json, unfiltered and with each of four filters', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const { cluster_statuses: statuses } = decodeClustersStatus(JSON.parse(readCorpus('istioctl-1.6', 'clusters.json')), 'clusters.json');
  assertTable(hostTable(statuses, {}), readCorpus('istioctl-1.6', 'endpoint.txt'));
  const filtered = readCorpus('istioctl-1.6', 'endpoint-filtered.txt');
  const filters: EndpointFilter[] = [
    { cluster: 'outbound|15014||istio-policy.istio-system.svc.cluster.local' },
    { address: '172.17.0.14' },
    { port: 15014 },
    { status: 'unhealthy' },
  ];
  const filteredJson = JSON.parse(readCorpus('istioctl-1.6', 'endpoint-filtered.json')) as { name: string }[];
  for (const filter of filters) {
    assertTable(hostTable(statuses, filter), filtered);
    assert.deepEqual(
      filterClusterStatuses(statuses, filter).map((s) => s.name),
      filteredJson.map((s) => s.name),
    );
  }
});

test('cluster filters select what istioctl 1.0 and 1.6 selected', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const version of ['istioctl-1.0', 'istioctl-1.6']) {
    const clusters = shownClusters(dumpOf(version, 'config_dump.json'));
    const names = (file: string): string[] => (JSON.parse(readCorpus(version, file)) as { name: string }[]).map((c) => c.name);
    const selected = (filter: ClusterFilter): string[] =>
      clusters
        .filter((c) => matchCluster(filter, c))
        .map((c) => c.resource.name ?? '')
        .toSorted(compareClusterNames);
    assert.deepEqual(selected({}), names('cluster.json'), version);
    assert.deepEqual(selected({ fqdn: 'istio-policy.istio-system.svc.cluster.local' }), names('cluster-filtered.json'), version);
    assert.deepEqual(selected({ port: 15004 }), names('cluster-filtered.json'), version);
  }
});

// ---- robustness -----------------------------------------------------------------------------------

test('every corpus dump renders cluster, eds, secret, ecds and bootstrap tables', (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const path of corpusFiles('dumps').filter((file) => file.endsWith('.json'))) {
    const dump = decodeConfigDump(JSON.parse(readFileSync(path, 'utf8')), path);
    assert.doesNotThrow(() => {
      clusterTable(dump.clusters, { namePrefix: true });
      edsTable(filterClusterLoadAssignments(dump.endpoints, {}), { namePrefix: false });
      secretTable(dump.secrets, { namePrefix: false, now: NOW });
      ecdsTable(dump.ecds);
      if (dump.bootstrap) bootstrapSummary(dump.bootstrap);
    }, path);
  }
});
