// proxy-status views from saved syncz answers (both shapes), against istioctl's goldens.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeSyncz, mergeAnswers } from '../src/istiod/syncz.ts';
import { humanDuration, typesTable } from '../src/istiod/statusView.ts';
import { runCli } from './helpers/cli.ts';
import { corpusPath, skipWithoutCorpus } from './helpers/corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'envoyscope-ps-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Status = 'SYNCED' | 'STALE' | 'NOT_SENT' | 'ERROR' | 'UNKNOWN';
const URLS = {
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  ECDS: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
};

interface ProxyInput {
  id: string;
  cluster: string;
  version: string;
  namespace?: string;
  /** CDS, LDS, RDS, EDS, ECDS: the order istiod sends them in. */
  statuses: [Status, Status, Status, Status, Status];
}

/** An xDS syncz DiscoveryResponse in proto JSON, as the corpus README describes the goldens' inputs. */
function xdsAnswer(istiod: string, proxies: ProxyInput[]): object {
  return {
    versionInfo: '1.1',
    resources: proxies.map((proxy) => ({
      '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
      node: {
        id: proxy.id,
        metadata: { CLUSTER_ID: proxy.cluster, ISTIO_VERSION: proxy.version, ...(proxy.namespace ? { NAMESPACE: proxy.namespace } : {}) },
      },
      genericXdsConfigs: Object.values(URLS).map((typeUrl, i) => ({
        typeUrl,
        ...(proxy.statuses[i] === 'UNKNOWN' ? {} : { configStatus: proxy.statuses[i] }),
      })),
    })),
    typeUrl: 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
    controlPlane: {
      identifier: JSON.stringify({ Component: 'istiod', ID: istiod, Info: { version: '1.1', revision: '', golang_version: '', status: '', tag: '' } }),
    },
  };
}

const proxy1: ProxyInput = { id: 'proxy1', cluster: 'cluster1', version: '1.20', statuses: ['STALE', 'SYNCED', 'NOT_SENT', 'SYNCED', 'SYNCED'] };
const proxy2: ProxyInput = { id: 'proxy2', cluster: 'cluster2', version: '1.19', statuses: ['STALE', 'SYNCED', 'SYNCED', 'STALE', 'STALE'] };
const proxy3: ProxyInput = { id: 'proxy3', cluster: 'cluster3', version: '1.20', statuses: ['NOT_SENT', 'ERROR', 'NOT_SENT', 'STALE', 'NOT_SENT'] };
const proxy4: ProxyInput = { id: 'proxy4', cluster: 'cluster4', version: '1.20', statuses: ['UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN'] };

function save(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

const multiPilot = save('multi.json', {
  'istiod1-pod': xdsAnswer('istiod1', [proxy1]),
  'istiod2-pod': xdsAnswer('istiod2', [proxy2]),
  'istiod3-pod': xdsAnswer('istiod3', [proxy3]),
  'istiod4-pod': xdsAnswer('istiod4', [proxy4]),
});
const singlePilot = save(
  'single.json',
  xdsAnswer('istiod1', [
    { ...proxy1, statuses: ['STALE', 'SYNCED', 'NOT_SENT', 'SYNCED', 'NOT_SENT'] },
    { ...proxy2, version: '1.20', statuses: ['STALE', 'SYNCED', 'SYNCED', 'STALE', 'NOT_SENT'] },
  ]),
);
const proxy1Only = save('proxy1.json', xdsAnswer('istiod1', [proxy1]));
const twoNamespaces = save(
  'ns.json',
  xdsAnswer('istiod1', [
    { ...proxy1, namespace: 'foo' },
    { ...proxy2, namespace: 'bar' },
  ]),
);

const golden = (name: string) => readFileSync(corpusPath('istioctl-proxy-status', name), 'utf8');

describe('proxy-status against the istioctl goldens', { skip: skipWithoutCorpus }, () => {
  test('the per-type table is the default and matches the verbose golden byte for byte', async () => {
    const result = await runCli(['proxy-status', '-f', proxy1Only]);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, golden('multiXdsStatusMultiPilot_verbose.txt'));
  });

  test('--types prints the SUBSCRIBED TYPES table, replicas merged', async () => {
    assert.equal((await runCli(['ps', '-f', multiPilot, '--types'])).stdout, golden('multiXdsStatusMultiPilot.txt'));
    assert.equal((await runCli(['ps', '-f', singlePilot, '--types'])).stdout, golden('multiXdsStatusSinglePilot.txt'));
  });

  test('-o json and -o yaml print the answer as istioctl does', async () => {
    assert.equal((await runCli(['ps', '-f', proxy1Only, '-o', 'json'])).stdout, golden('multiXdsStatusSinglePilot.json'));
    assert.equal((await runCli(['ps', '-f', proxy1Only, '-o', 'yaml'])).stdout, golden('multiXdsStatusSinglePilot.yaml'));
  });

  test('-n keeps one namespace, in the tables and in the YAML', async () => {
    const yaml = await runCli(['ps', '-f', twoNamespaces, '-n', 'foo', '-o', 'yaml']);
    assert.equal(yaml.stdout.trimEnd(), golden('multiXdsStatusSingleNamespace.yaml').trimEnd());
    const table = await runCli(['ps', '-f', twoNamespaces, '-n', 'bar']);
    assert.deepEqual(
      table.stdout.split('\n').map((line) => line.split(/\s+/)[0]),
      ['NAME', 'proxy2', ''],
    );
  });
});

describe('the HTTP syncz shape (Istio 1.1–1.2x)', () => {
  const http = [
    {
      proxy: 'b-pod.default',
      cluster_id: 'Kubernetes',
      istio_version: '1.14.1',
      cluster_sent: 'n1',
      cluster_acked: 'n1',
      listener_sent: 'n2',
      listener_acked: 'n1',
      route_sent: 'n3',
    },
    { proxy: 'a-pod.bookinfo', proxy_version: '1.1.0', cluster_sent: 'x', cluster_acked: 'x', endpoint_sent: 'y', endpoint_acked: 'y' },
  ];

  test('nonces become states: acked = sent is SYNCED, older ack STALE, no ack never acknowledged, nothing sent NOT SENT; no ECDS before it existed', () => {
    const [answer] = [decodeSyncz(http, 'syncz', 'istiod-0')];
    const table = typesTable(mergeAnswers([answer]), new Date());
    assert.equal(
      table,
      [
        'NAME               CLUSTER        CDS        ECDS        EDS          LDS          RDS                            ISTIOD       VERSION',
        'a-pod.bookinfo                    SYNCED     IGNORED     SYNCED       NOT SENT     NOT SENT                       istiod-0     1.1.0*',
        'b-pod.default      Kubernetes     SYNCED     IGNORED     NOT SENT     STALE        STALE (Never Acknowledged)     istiod-0     1.14.1',
        '',
      ].join('\n'),
    );
  });

  test('the resources map of newer istiods adds errors and ages', () => {
    const answer = decodeSyncz(
      [
        {
          proxy: 'p.ns',
          resources: {
            [URLS.CDS]: { sent: 'a', acked: 'a', sentTime: '2026-01-01T00:00:00Z' },
            [URLS.LDS]: { sent: 'b', acked: 'a', lastError: 'bad listener' },
          },
        },
      ],
      'syncz',
      'istiod-1',
    );
    const [row] = typesTable(answer.proxies, new Date('2026-01-01T00:05:30Z')).split('\n').slice(1);
    assert.match(row ?? '', /^p\.ns\s+SYNCED \(5m30s\)\s+IGNORED\s+NOT SENT\s+ERROR\s+NOT SENT\s+istiod-1/);
  });

  test('a file of the HTTP shape runs through the CLI', async () => {
    const result = await runCli(['ps', '-f', save('http.json', http), '-n', 'bookinfo', '--types']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^NAME\s+CLUSTER\s+ISTIOD\s+VERSION\s+SUBSCRIBED TYPES\na-pod\.bookinfo\s+istiod\s+1\.1\.0\*\s+4 \(CDS,LDS,EDS,RDS\)\n$/);
  });
});

test('a proxy connected to two replicas appears once, with the replica that updated it last', () => {
  const at = (time: string) => [{ proxy: 'p.ns', resources: { [URLS.CDS]: { sent: 'a', acked: 'a', sentTime: time } } }];
  const merged = mergeAnswers([decodeSyncz(at('2026-01-01T00:00:00Z'), 's', 'old'), decodeSyncz(at('2026-01-01T01:00:00Z'), 's', 'new')]);
  assert.deepEqual(
    merged.map((proxy) => proxy.istiod),
    ['new'],
  );
});

test('human durations follow Kubernetes', () => {
  const s = 1000;
  assert.deepEqual(
    [5 * s, 119 * s, 150 * s, 600 * s, 3 * 3600 * s + 60 * s, 30 * 3600 * s, 50 * 3600 * s, 400 * 86400 * s, 800 * 86400 * s, -5 * s].map(humanDuration),
    ['5s', '119s', '2m30s', '10m', '3h1m', '30h', '2d2h', '400d', '2y70d', '<invalid>'],
  );
});

test('bad input: one line and a data error', async () => {
  const result = await runCli(['ps', '-f', save('bad.json', { hello: 1 })]);
  assert.equal(result.code, 65);
  assert.match(result.stderr, /^error: .*bad\.json: is not a syncz answer.*\n$/);
  const output = await runCli(['ps', '-f', proxy1Only, '-o', 'table']);
  assert.equal(output.code, 64);
  assert.match(output.stderr, /short, json, yaml/);
});
