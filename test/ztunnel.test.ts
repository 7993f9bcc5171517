// `zc` offline: istioctl's ztunnel goldens byte for byte, both dump shapes, and the decoder's and
// filters' edge cases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { decodeZtunnelDump } from '../src/ztunnel/decode.ts';
import { matchWorkload, splitWorkloadName } from '../src/ztunnel/filters.ts';
import { loggingPath, parseLogLevels } from '../src/ztunnel/logLevel.ts';
import { certificateTable, connectionsTable, waypointNamer } from '../src/ztunnel/views.ts';
import { UsageError } from '../src/errors.ts';
import { matcherPaths } from '../src/waypoint/chains.ts';
import { FROZEN_NOW, runCli } from './helpers/cli.ts';
import { CORPUS_MISSING, corpusDir, corpusPath } from './helpers/corpus.ts';
import { assertGolden, GOLDENS, keyedCertificatesAndPolicies, listShaped, ztunnel } from './helpers/ztunnelDump.ts';

type Json = Record<string, unknown>;

async function zc(args: string[], stdin?: string) {
  return runCli(['zc', ...args], stdin === undefined ? {} : { stdin });
}

test('istioctl ztunnel-config goldens, byte for byte', async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const [golden, args] of GOLDENS) {
    await t.test(`${golden} ← zc ${args.join(' ')}`, async () => {
      const result = await zc([...args, '-f', ztunnel('dump.json')]);
      assert.equal(result.stderr, '');
      assert.equal(result.code, 0);
      assertGolden(result.stdout, golden);
    });
  }
});

test('list-shaped and keyed dumps give the same output as the map-shaped corpus dump', async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const mapDump = JSON.parse(readFileSync(ztunnel('dump.json'), 'utf8')) as Json;
  for (const [name, derived] of [
    ['list-shaped', listShaped(mapDump)],
    ['keyed certificates and policies', keyedCertificatesAndPolicies(mapDump)],
  ] as const) {
    assert.ok(Array.isArray(derived['workloads']) || !Array.isArray(derived['certificates']), `${name} really differs`);
    for (const [golden, args] of GOLDENS) {
      const result = await zc([...args, '-f', '-'], JSON.stringify(derived));
      assert.equal(result.code, 0, `${name}: zc ${args.join(' ')}: ${result.stderr}`);
      assertGolden(result.stdout, golden);
    }
  }
});

test("-o json|yaml: the dump's objects, filtered, unknown fields kept", async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const mapDump = JSON.parse(readFileSync(ztunnel('dump.json'), 'utf8')) as Json;
  const workloads = mapDump['workloads'] as Record<string, Json>;
  const key = Object.keys(workloads).find((k) => workloads[k]?.['name'] === 'productpage-v1-675fc69cf-jscn2') ?? '';
  workloads[key] = { ...workloads[key], futureField: { nested: [1, 2] } };
  const json = JSON.parse((await zc(['workload', '-f', '-', '--address', '10.244.2.53', '-o', 'json'], JSON.stringify(mapDump))).stdout) as Json[];
  assert.equal(json.length, 1);
  assert.deepEqual(json[0], workloads[key]);
  const yaml = parseYaml((await zc(['policy', '-f', '-', '-o', 'yaml'], JSON.stringify(mapDump))).stdout) as Json[];
  assert.deepEqual(yaml, mapDump['policies']);
  const services = JSON.parse((await zc(['svc', '-f', '-', '--service-namespace', 'kube-system', '-o', 'json'], JSON.stringify(mapDump))).stdout) as Json[];
  assert.deepEqual(
    services.map((s) => s['hostname']),
    ['kube-dns.kube-system.svc.cluster.local'],
  );
  const all = JSON.parse((await zc(['all', '-f', '-', '-o', 'json'], JSON.stringify(mapDump))).stdout) as Json;
  assert.deepEqual(all, mapDump);
});

test('certificates: a newer chain with separate rootCerts, and validity at the given time', () => {
  const cert = (serial: string, from: string, until: string) => ({ pem: '', serialNumber: serial, validFrom: from, expirationTime: until });
  const dump = decodeZtunnelDump(
    {
      certificates: [
        {
          identity: 'spiffe://td/ns/a/sa/b',
          state: 'Available',
          certChain: [cert('255', '2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), cert('16', '2024-01-01T00:00:00Z', '2025-06-01T00:00:00Z')],
          rootCerts: [cert('1', 'not a time', '2030-01-01T00:00:00Z')],
        },
      ],
    },
    'test',
  );
  const rows = certificateTable(dump, FROZEN_NOW)
    .rows.slice(1)
    .map((row) => row.slice(1, 5));
  assert.deepEqual(rows, [
    ['Leaf', 'Available', 'true', 'ff'],
    ['Intermediate', 'Available', 'false', '10'],
    ['Root', 'Available', 'false', '1'],
  ]);
});

test('connections: names for known IPs unless --raw, IPv6 kept whole', () => {
  const dump = decodeZtunnelDump(
    {
      services: [{ name: 's', namespace: 'n', hostname: 's.n.svc.cluster.local', vips: ['net/10.0.0.9'] }],
      workloads: [{ name: 'w', namespace: 'n', workloadIps: ['10.0.0.1'] }],
      workloadState: [
        {
          info: { name: 'w', namespace: 'n' },
          connections: { outbound: [{ src: '10.0.0.1:5000', actualDst: '[fd00::1]:15008', originalDst: '10.0.0.9:80', protocol: 'HBONE' }] },
        },
      ],
    },
    'test',
  );
  assert.deepEqual(connectionsTable(dump, {}).rows[1], ['w.n', 'Outbound', 'w.n:5000', '[fd00::1]:15008', 's.n.svc.cluster.local:80', 'HBONE']);
  assert.deepEqual(connectionsTable(dump, { raw: true }).rows[1], ['w.n', 'Outbound', '10.0.0.1:5000', '[fd00::1]:15008', '10.0.0.9:80', 'HBONE']);
  assert.equal(connectionsTable(dump, { direction: 'inbound' }).rows.length, 1);
});

test('decoding: odd field types read as empty, unknown sections are no error, non-dumps are', () => {
  const dump = decodeZtunnelDump(
    { workloads: { '/1.2.3.4': { name: 7, workloadIps: 'x', waypoint: { destination: { hostname: { namespace: 'ns', hostname: 'wp.ns' } } } } }, version: {} },
    'test',
  );
  assert.deepEqual([dump.workloads[0]?.name, dump.workloads[0]?.workloadIps, dump.workloads[0]?.waypoint], ['7', [], 'ns/wp.ns']);
  const service = (name: string, hostname: string, vips: string[]) => ({
    raw: {},
    name,
    namespace: 'ns',
    hostname,
    vips,
    endpointWorkloadUids: [],
    waypoint: undefined,
  });
  const waypointName = waypointNamer([service('wp', 'wp.ns', ['/10.0.0.1']), service('later', 'later.ns', ['/10.0.0.1'])]);
  assert.deepEqual(['ns/wp.ns', '/10.0.0.1', 'ns/later.ns', 'ns/other', undefined].map(waypointName), ['wp', 'wp', 'later', 'NA', 'None']);
  assert.throws(() => decodeZtunnelDump([], 'x.json'), /x\.json: is not a ztunnel config dump/);
  assert.throws(() => decodeZtunnelDump({ configs: [] }, 'x.json'), /Envoy config dump, which 'pc' shows/);
  assert.throws(() => decodeZtunnelDump({ workloads: 3 }, 'x.json'), /"workloads" is neither a list nor a map/);
});

test('filters compare fields, case-insensitively, and split name.namespace', () => {
  const [w] = decodeZtunnelDump(
    { workloads: [{ name: 'Reviews-v1', namespace: 'bookinfo', node: 'n1', workloadIps: ['10.0.0.1', 'fd00::1'] }] },
    't',
  ).workloads;
  assert.ok(w);
  assert.ok(matchWorkload({}, w));
  assert.ok(matchWorkload({ name: 'reviews-v1', namespace: 'BookInfo', address: 'FD00::1', node: 'N1' }, w));
  assert.ok(!matchWorkload({ name: 'reviews' }, w));
  assert.ok(!matchWorkload({ address: '10.0.0.10' }, w));
  assert.deepEqual(splitWorkloadName('a.b.c'), { name: 'a.b', namespace: 'c' });
  assert.deepEqual(splitWorkloadName('a'), { name: 'a' });
});

test('log levels: istioctl names, ztunnel spelling, unknown rejected', () => {
  assert.equal(parseLogLevels('warning'), 'warn');
  assert.equal(parseLogLevels('access:debug,critical'), 'access:debug,error');
  assert.throws(
    () => parseLogLevels('loud'),
    (error) => error instanceof UsageError && /unrecognized logging level "loud"/.test(error.message),
  );
  assert.equal(loggingPath(undefined, false), 'logging');
  assert.equal(loggingPath('access:debug', false), 'logging?level=access%3Adebug');
  assert.equal(loggingPath(undefined, true), 'logging?level=info&reset');
});

test('bad input: one line on stderr and the right exit code', async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const dump = ztunnel('dump.json');
  const cases: [string[], number, RegExp, string?][] = [
    [['connections', '-f', dump, '--direction', 'sideways'], 64, /--direction "sideways" is not one of: inbound, outbound/],
    [['workload', '-f', dump, '-o', 'xml'], 64, /--output "xml" is not one of: short, table, json, yaml/],
    [['policy', '-f', dump, '--node', 'n1'], 64, /at most one of a pod name, --file or --node/],
    [['policy', '-f', dump, 'some-pod'], 64, /at most one of a pod name, --file or --node/],
    [['workload', '-f', dump, 'some-pod', '--node', 'n1'], 64, /not --file and --node/],
    [['workload', '-f', '-'], 65, /<stdin>: is not valid JSON|<stdin>: .*JSON/, '{"workloads": ['],
    [['workload', '-f', corpusPath('istioctl', 'bootstrap', 'config_dump.json')], 65, /Envoy config dump/],
    [['workload', '-f', '/no/such/file'], 66, /no such file/],
    [['log', '-f', dump], 64, /unknown option '-f'/],
    [['log', 'ztunnel-abc12', '--node', 'n1'], 64, /a pod name or --node, not both/],
    [['log', '--level', 'info', '-r'], 64, /--level cannot be combined with --reset/],
    [['log', '--level', 'loud'], 64, /unrecognized logging level/],
  ];
  for (const [args, code, message, stdin] of cases) {
    const result = await zc(args, stdin);
    assert.equal(result.code, code, `zc ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(result.stdout, '');
  }
});

test('waypoint chains: matcher paths in either spelling, CIDRs, prefix maps, unmatched', () => {
  const action = (chain: string) => ({
    action: { name: 'ignored', typedConfig: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: chain } },
  });
  const paths = matcherPaths({
    matcherTree: {
      input: { name: 'ip' },
      customMatch: {
        typedConfig: {
          rangeMatchers: [
            {
              ranges: [
                { addressPrefix: '10.0.0.0', prefixLen: 24 },
                { addressPrefix: 'fd00::1', prefixLen: 128 },
              ],
              onMatch: {
                matcher: {
                  matcherTree: { input: { typedConfig: { '@type': 'x.DestinationPortInput' } }, prefixMatchMap: { map: { '80': action('web') } } },
                  onNoMatch: action('tcp'),
                },
              },
            },
          ],
        },
      },
    },
    onNoMatch: action('passthrough'),
  });
  assert.deepEqual(paths, [
    // The single addresses on the way are given as data too (a waypoint's VIPs, for pc trace).
    { chain: 'web', match: 'ip=10.0.0.0/24,fd00::1 -> DestinationPort^80', addresses: ['fd00::1'] },
    { chain: 'tcp', match: 'ip=10.0.0.0/24,fd00::1 -> ANY', addresses: ['fd00::1'] },
    { chain: 'passthrough', match: 'UNMATCHED', addresses: [] },
  ]);
});
