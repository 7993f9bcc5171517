// Ambient mode end to end against the test cluster: a ztunnel DaemonSet pod per node (one serving
// the corpus dump as ztunnel wrote it, maps; one the derived list-shaped dump; one not ready), ambient
// application pods, and a waypoint pod serving an Envoy dump.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ExitCode } from '../src/errors.ts';
import { type CliResult, runCli } from './helpers/cli.ts';
import { corpusPath, skipWithoutCorpus } from './helpers/corpus.ts';
import { sharedCluster } from './helpers/sharedCluster.ts';
import { assertGolden, GOLDENS, listShaped, ztunnel } from './helpers/ztunnelDump.ts';

const ISTIO = 'istio-system';
const ZTUNNEL_MAP = 'ztunnel-xljhg'; // node ambient-worker, the corpus dump (maps)
const ZTUNNEL_LIST = 'ztunnel-qk2pp'; // node ambient-worker2, the same dump as lists
const ZTUNNEL_NOT_READY = 'ztunnel-n5bg2'; // node ambient-control-plane
const PRODUCTPAGE = 'productpage-v1-675fc69cf-jscn2'; // bookinfo, ambient-worker2, redirection annotation
const REVIEWS = 'reviews-v1-5b5d6494f4-qwjv4'; // bookinfo, ambient-worker: ambient through its namespace label
const LONELY = 'lonely-7d9f8c6b5-abcde'; // a node without ztunnel
const COREDNS = 'coredns-5dd5756b68-mgjn9'; // kube-system, on the node whose ztunnel is not ready
const PLAIN = 'plain-6c7d8e9f0-zyxwv'; // default: neither sidecar nor ambient
const WAYPOINT_POD = 'waypoint-5cdd6745d5-rc2gg';

function assertOk(result: CliResult, what: string): void {
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
}

describe('ambient mode on a live cluster', { skip: skipWithoutCorpus }, () => {
  const shared = sharedCluster(() => {
    const mapDump = JSON.parse(readFileSync(ztunnel('dump.json'), 'utf8')) as Record<string, unknown>;
    const ztunnelPod = (name: string, nodeName: string, dump: Record<string, unknown>, ready = true) => ({
      name,
      namespace: ISTIO,
      labels: { app: 'ztunnel' },
      containers: ['istio-proxy'],
      nodeName,
      ready,
      ztunnel: { dump },
    });
    return {
      pods: [
        ztunnelPod(ZTUNNEL_MAP, 'ambient-worker', mapDump),
        ztunnelPod(ZTUNNEL_LIST, 'ambient-worker2', listShaped(mapDump)),
        ztunnelPod(ZTUNNEL_NOT_READY, 'ambient-control-plane', mapDump, false),
        {
          name: PRODUCTPAGE,
          namespace: 'bookinfo',
          labels: { app: 'productpage' },
          nodeName: 'ambient-worker2',
          annotations: { 'ambient.istio.io/redirection': 'enabled' },
        },
        { name: REVIEWS, namespace: 'bookinfo', labels: { app: 'reviews' }, nodeName: 'ambient-worker' },
        { name: LONELY, labels: { app: 'lonely' }, nodeName: 'ambient-worker3' },
        { name: COREDNS, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, nodeName: 'ambient-control-plane' },
        { name: PLAIN, labels: { app: 'plain' } },
        {
          name: WAYPOINT_POD,
          namespace: 'bookinfo',
          labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'gateway.istio.io/managed': 'istio.io-mesh-controller' },
          nodeName: 'ambient-worker2',
          envoy: { dump: corpusPath('istioctl', 'all-summary', 'config_dump.json') },
        },
      ],
      workloads: [{ kind: 'DaemonSet', name: 'ztunnel', namespace: ISTIO, selector: { matchLabels: { app: 'ztunnel' } } }],
      namespaceLabels: { bookinfo: { 'istio.io/dataplane-mode': 'ambient' } },
    };
  });
  const { live } = shared;
  const requestsOf = (name: string) => shared.cluster.pod(name, ISTIO).ztunnel?.requests ?? [];

  test("every zc kind on a ztunnel pod (map and list dumps) prints istioctl's golden", async () => {
    for (const pod of [ZTUNNEL_MAP, `${ZTUNNEL_LIST}.${ISTIO}`]) {
      for (const [golden, args] of GOLDENS) {
        // Live, the argument names the ztunnel (and -n its namespace): those cases are the application pod test's.
        const [kind = '', ...rest] = args;
        if ((kind.startsWith('w') && rest[0]?.startsWith('productpage')) || rest.includes('-n')) continue;
        const result = await live(['zc', kind, pod, ...rest]);
        assertOk(result, `zc ${kind} ${pod} ${rest.join(' ')}`);
        assert.equal(result.stderr, '');
        assertGolden(result.stdout, golden);
      }
    }
    assert.ok(requestsOf(ZTUNNEL_LIST).length > 0);
    assert.ok(requestsOf(ZTUNNEL_LIST).every((request) => request === 'GET /config_dump'));
  });

  test('--node picks the DaemonSet pod on that node', async () => {
    const before = requestsOf(ZTUNNEL_LIST).length;
    const result = await live(['zc', 'certificate', '--node', 'ambient-worker2']);
    assertOk(result, 'zc certificate --node');
    assertGolden(result.stdout, 'secretsummary.txt');
    assert.equal(requestsOf(ZTUNNEL_LIST).length, before + 1);
    assert.ok(
      shared.cluster.requests.some((r) => r.path === `/api/v1/namespaces/${ISTIO}/pods` && r.query.includes('fieldSelector=spec.nodeName%3Dambient-worker2')),
    );
  });

  test('an application pod: the ztunnel of its node, filtered to its workload', async () => {
    const before = requestsOf(ZTUNNEL_LIST).length;
    const result = await live(['zc', 'workload', PRODUCTPAGE, '-n', 'bookinfo']);
    assertOk(result, 'zc workload <app pod>');
    assertGolden(result.stdout, 'workloadsummary_workload.txt');
    assert.equal(result.stderr, `note: pod ${PRODUCTPAGE}.bookinfo runs on node ambient-worker2, served by ztunnel ${ZTUNNEL_LIST}.${ISTIO}\n`);
    assert.equal(requestsOf(ZTUNNEL_LIST).length, before + 1);
    // The same with name.namespace; connections are narrowed to the workload too (it has none here).
    const cons = await live(['zc', 'connections', `${PRODUCTPAGE}.bookinfo`]);
    assertOk(cons, 'zc connections <app pod>');
    assert.deepEqual(cons.stdout.trim().split('\n').length, 1);
  });

  test('the DaemonSet as a target: its preferred pod, a ready ztunnel', async () => {
    const result = await live(['zc', 'policy', 'ds/ztunnel', '-n', ISTIO]);
    assertOk(result, 'zc policy ds/ztunnel');
    assert.equal(result.stderr, '');
    assertGolden(result.stdout, 'policies.txt');
  });

  test('no argument: a ready ztunnel, named on stderr', async () => {
    const result = await live(['zc', 'service', '--service-namespace', 'bookinfo', '-o', 'json']);
    assertOk(result, 'zc service');
    assert.match(result.stderr, /^note: using ztunnel ztunnel-(xljhg|qk2pp)\.istio-system on node ambient-worker2? \(name a pod or --node to choose\)\n$/);
    assert.equal((JSON.parse(result.stdout) as unknown[]).length, 6);
  });

  test('zc log reads and sets levels, on one ztunnel or all', async () => {
    const set = await live(['zc', 'log', '--node', 'ambient-worker', '--level', 'warning']);
    assertOk(set, 'zc log --level');
    assert.equal(set.stdout, `${ZTUNNEL_MAP}.${ISTIO}:\ncurrent log level is warn\n\n`);
    assert.equal(requestsOf(ZTUNNEL_MAP).at(-1), 'POST /logging?level=warn');
    const reset = await live(['zc', 'log', `${ZTUNNEL_MAP}.${ISTIO}`, '-r']);
    assertOk(reset, 'zc log -r');
    assert.equal(requestsOf(ZTUNNEL_MAP).at(-1), 'POST /logging?level=info&reset');
    assert.match(reset.stdout, /current log level is info/);
    // Every ztunnel: the ready ones answer, the one that is not is reported, and the exit says partial.
    const all = await live(['zc', 'log']);
    assert.equal(all.code, ExitCode.PARTIAL);
    assert.match(all.stdout, new RegExp(`${ZTUNNEL_MAP}\\.${ISTIO}:\\ncurrent log level is info`));
    assert.match(all.stdout, new RegExp(`${ZTUNNEL_LIST}\\.${ISTIO}:\\ncurrent log level is info`));
    assert.match(all.stderr, new RegExp(`error: ztunnel ${ZTUNNEL_NOT_READY}\\.${ISTIO} on node ambient-control-plane is not ready`));
    assert.equal(requestsOf(ZTUNNEL_NOT_READY).length, 0);
  });

  test('errors: no ztunnel on the node, ztunnel not ready, unknown pod', async () => {
    const cases: [string[], number, RegExp][] = [
      [
        ['zc', 'workload', '--node', 'ambient-worker3'],
        ExitCode.NO_PODS_MATCH,
        /no ztunnel pod \(label app=ztunnel\) on node "ambient-worker3" in namespace "istio-system"/,
      ],
      [['zc', 'workload', LONELY], ExitCode.NO_PODS_MATCH, /on node "ambient-worker3" \(where lonely-7d9f8c6b5-abcde\.default runs\)/],
      [
        ['zc', 'workload', '--node', 'ambient-control-plane'],
        ExitCode.ADMIN_REFUSED,
        /ztunnel ztunnel-n5bg2\.istio-system on node ambient-control-plane is not ready/,
      ],
      [['zc', 'workload', `${COREDNS}.kube-system`], ExitCode.ADMIN_REFUSED, /ztunnel ztunnel-n5bg2\.istio-system on node ambient-control-plane is not ready/],
      [['zc', 'workload', ZTUNNEL_NOT_READY], ExitCode.ADMIN_REFUSED, /is not ready/],
      [['zc', 'workload', 'no-such-pod'], ExitCode.POD_NOT_FOUND, /pod "no-such-pod" not found in namespace "default"/],
      // A bare name is looked for in -i's namespace first; one that does not exist is passed over.
      [['zc', 'workload', LONELY, '-i', 'no-such-ns'], ExitCode.NO_PODS_MATCH, /\(where lonely-7d9f8c6b5-abcde\.default runs\) in namespace "no-such-ns"/],
      [
        ['zc', 'workload', '-i', 'ambient', '--node', 'ambient-worker'],
        ExitCode.NO_PODS_MATCH,
        /on node "ambient-worker" in namespace "ambient": is ambient mode installed\?/,
      ],
    ];
    for (const [argv, code, message] of cases) {
      const result = await live(argv);
      assert.equal(result.code, code, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr.split('\n').at(-2) ?? '', message);
      assert.equal(result.stdout, '');
    }
  });

  test('pc on an ambient pod says so and points to zc; on a ztunnel, to zc too', async () => {
    const annotated = await live(['pc', 'listener', PRODUCTPAGE, '-n', 'bookinfo']);
    assert.equal(annotated.code, ExitCode.NOT_IN_MESH);
    assert.match(
      annotated.stderr,
      /pod productpage-v1-675fc69cf-jscn2\.bookinfo is in ambient mode \(annotation ambient\.istio\.io\/redirection=enabled\).*envoyscope zc workload productpage-v1-675fc69cf-jscn2\.bookinfo/,
    );
    const byNamespace = await live(['pc', 'listener', `${REVIEWS}.bookinfo`]);
    assert.equal(byNamespace.code, ExitCode.NOT_IN_MESH);
    assert.match(byNamespace.stderr, /is in ambient mode \(namespace bookinfo is labelled istio\.io\/dataplane-mode=ambient\)/);
    const plain = await live(['pc', 'listener', PLAIN]);
    assert.equal(plain.code, ExitCode.NOT_IN_MESH);
    assert.match(plain.stderr, /has no istio-proxy container: it is not in the mesh/);
    const onZtunnel = await live(['pc', 'cluster', `${ZTUNNEL_MAP}.${ISTIO}`]);
    assert.equal(onZtunnel.code, ExitCode.NOT_IN_MESH);
    assert.match(onZtunnel.stderr, /is a ztunnel \(ambient mode's node proxy\), not an Envoy: use "envoyscope zc all ztunnel-xljhg\.istio-system"/);
  });

  test('waypoints: every pc command on the pod and on --waypoint, listeners as chains', async () => {
    const dump = corpusPath('istioctl', 'all-summary', 'config_dump.json');
    // (bootstrap is fetched with a mask that leaves lastUpdated out, so it differs from the saved dump.)
    for (const kind of ['cluster', 'route', 'secret', 'eds', 'all']) {
      const offline = await runCli(['pc', kind, '-f', dump]);
      for (const source of [[`${WAYPOINT_POD}.bookinfo`], ['--waypoint', 'waypoint', '-n', 'bookinfo']]) {
        const result = await live(['pc', kind, ...source]);
        assertOk(result, `pc ${kind} ${source.join(' ')}`);
        assert.equal(result.stdout, offline.stdout, `pc ${kind} ${source.join(' ')}`);
      }
    }
    // bootstrap and endpoint come from other admin paths than the saved dump's sections: they must just work.
    for (const kind of ['bootstrap', 'endpoint']) assertOk(await live(['pc', kind, '--waypoint', 'waypoint', '-n', 'bookinfo']), `pc ${kind} --waypoint`);
    // version on --waypoint gives the waypoint's versions too, as on its pod.
    const versions = await live(['version', '--waypoint', 'waypoint', '-n', 'bookinfo']);
    assertOk(versions, 'version --waypoint');
    assert.equal(versions.stdout, (await live(['version', `${WAYPOINT_POD}.bookinfo`])).stdout);
    assert.match(versions.stdout, /^envoyscope version: .*\n.*Istio Version:/s);
    // pc trace on the pod and on --waypoint walks as it does on the saved dump.
    const traceArgs = ['--dst', '10.104.171.68:8000', 'http://httpbin.default:8000/', '-o', 'json'];
    const offlineTrace = await runCli(['pc', 'trace', '-f', dump, ...traceArgs]);
    assertOk(offlineTrace, 'pc trace -f waypoint dump');
    for (const source of [[`${WAYPOINT_POD}.bookinfo`], ['--waypoint', 'waypoint', '-n', 'bookinfo']]) {
      const result = await live(['pc', 'trace', ...source, ...traceArgs]);
      assertOk(result, `pc trace ${source.join(' ')}`);
      assert.equal(result.stdout, offlineTrace.stdout, `pc trace ${source.join(' ')}`);
    }
    const chains = await runCli(['pc', 'listener', '-f', dump, '--chains']);
    for (const source of [[`${WAYPOINT_POD}.bookinfo`], ['--waypoint', 'waypoint', '-n', 'bookinfo']]) {
      const result = await live(['pc', 'listener', ...source]);
      assertOk(result, `pc listener ${source.join(' ')}`);
      assert.equal(result.stdout, chains.stdout);
    }
    assert.match(
      chains.stdout,
      /^main_internal internal +inbound-vip\|8000\|\|httpbin\.default\.svc\.cluster\.local-http ip=10\.104\.171\.68 -> port=8000 +Cluster: inbound-vip\|8000\|http\|httpbin/m,
    );
    const missing = await live(['pc', 'listener', '--waypoint', 'nope', '-n', 'bookinfo']);
    assert.equal(missing.code, ExitCode.NO_PODS_MATCH);
    assert.match(missing.stderr, /no pods match waypoint "nope" \(selector gateway\.networking\.k8s\.io\/gateway-name=nope\) in namespace "bookinfo"/);
  });

  test('zc workload shows the waypoint serving each workload', async () => {
    const result = await live(['zc', 'workload', '--node', 'ambient-worker', '--workload-namespace', 'bookinfo']);
    assertOk(result, 'zc workload --node');
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    assert.equal(rows[0]?.[5], 'WAYPOINT');
    assert.deepEqual(rows.find((row) => row[1] === PRODUCTPAGE)?.[4], 'bookinfo-productpage-istio-waypoint');
  });
});
