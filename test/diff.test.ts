// The config comparator (pc diff, proxy-status <pod>): what counts as a difference and what does not.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { compareDumps } from '../src/diff/compare.ts';
import { unifiedDiff } from '../src/diff/unified.ts';
import { decodeConfigDump } from '../src/envoy/decode.ts';
import { runCli } from './helpers/cli.ts';
import { corpusPath, skipWithoutCorpus } from './helpers/corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'envoyscope-diff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the istioctl-compare corpus pair', { skip: skipWithoutCorpus }, () => {
  const same = () => corpusPath('istioctl-compare', 'configdump.json');
  const changed = () => corpusPath('istioctl-compare', 'configdump_diff.json');

  test('a dump against itself: all three kinds Match, exit 0 even with --exit-code', async () => {
    const result = await runCli(['pc', 'diff', same(), same(), '--exit-code']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Clusters Match\nListeners Match\nRoutes Match\n');
  });

  test("against the changed dump: all three Don't Match, with what differs", async () => {
    const result = await runCli(['pc', 'diff', same(), changed()]);
    assert.equal(result.code, 0);
    const lines = result.stdout.split('\n');
    assert.deepEqual(
      lines.filter((line) => /Match/.test(line)),
      ["Clusters Don't Match", "Listeners Don't Match", "Routes Don't Match"],
    );
    assert.ok(lines.includes(`  only in ${same()}: inbound-vip|9080|http|ratings.default.svc.cluster.local`));
    assert.ok(lines.includes(`  only in ${changed()}: inbound-vip|9999|http|ratings.default.svc.cluster.local`));
    assert.ok(lines.includes('  changed: main_internal'));
    assert.ok(lines.includes('    paths: .filter_chains[0].filters[0].typed_config.stat_prefix'));
    assert.ok(lines.includes('    -            "stat_prefix": "inbound_0.0.0.0_9080",'));
    // use_remote_address: false was dropped in the second dump: a default, so not a difference.
    assert.ok(!result.stdout.includes('use_remote_address'));
  });

  test('--exit-code exits 1 on differences, nothing on stderr; -o json carries the same', async () => {
    const result = await runCli(['pc', 'diff', same(), changed(), '--exit-code', '-o', 'json']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, '');
    const data = JSON.parse(result.stdout);
    assert.equal(data.match, false);
    assert.deepEqual(
      data.kinds.map((k: { kind: string; match: boolean }) => [k.kind, k.match]),
      [
        ['cluster', false],
        ['listener', false],
        ['route', false],
      ],
    );
    assert.deepEqual(data.kinds[1].differences[0].paths, ['.filter_chains[0].filters[0].typed_config.stat_prefix']);
  });

  test('--kind limits the kinds; unknown kinds are refused', async () => {
    assert.equal((await runCli(['pc', 'diff', same(), changed(), '--kind', 'listeners'])).stdout.split('\n')[0], "Listeners Don't Match");
    const bad = await runCli(['pc', 'diff', same(), changed(), '--kind', 'cluster,foo']);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /--kind "foo" is not one of: cluster, listener, route, secret, endpoint/);
  });
});

describe('what is not a difference', () => {
  const dump = (clusters: object[], spelling: 'v2' | 'v3' = 'v3') => ({
    configs: [
      spelling === 'v3'
        ? {
            '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
            version_info: 'a',
            dynamic_active_clusters: clusters.map((cluster, i) => ({ version_info: `v${i}`, last_updated: `2026-01-0${i + 1}T00:00:00Z`, cluster })),
          }
        : {
            '@type': 'type.googleapis.com/envoy.admin.v2alpha.ClustersConfigDump',
            versionInfo: 'b',
            dynamicActiveClusters: clusters.map((cluster) => ({ versionInfo: 'zzz', cluster })),
          },
    ],
  });
  const cluster = (name: string, extra: object = {}) => ({
    '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {} }, service_name: name },
    ...extra,
  });
  const compare = (x: object, y: object) => compareDumps(decodeConfigDump(x, 'x'), decodeConfigDump(y, 'y'), { labels: { a: 'x', b: 'y' } });

  test('versions, update times, resource order, empty defaults and v2 spellings', () => {
    const v3 = dump([cluster('a'), cluster('b', { circuit_breakers: {}, respect_dns_ttl: false })]);
    const v2 = dump(
      [
        { '@type': 'type.googleapis.com/envoy.api.v2.Cluster', name: 'b', type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} }, serviceName: 'b' } },
        {
          '@type': 'type.googleapis.com/envoy.api.v2.Cluster',
          name: 'a',
          type: 'EDS',
          edsClusterConfig: { edsConfig: { ads: {} }, serviceName: 'a' },
          outlierDetection: {},
        },
      ],
      'v2',
    );
    assert.deepEqual(
      compare(v3, v2).map((kind) => kind.match),
      [true, true, true],
    );
  });

  test('a real change is found with its path', () => {
    const [clusters] = compare(dump([cluster('a')]), dump([cluster('a', { connect_timeout: '1s' })]));
    assert.equal(clusters?.match, false);
    assert.deepEqual(
      clusters?.differences.map((d) => [d.name, d.change, d.paths]),
      [['a', 'changed', ['.connect_timeout']]],
    );
  });
});

test('unified diffs rebuild the second text from the first (property)', () => {
  const lines = fc.array(fc.constantFrom('a', 'b', 'c', '{', '}'), { maxLength: 40 });
  fc.assert(
    fc.property(lines, lines, (x, y) => {
      const patch = unifiedDiff(x.join('\n'), y.join('\n'), 'x', 'y');
      if (x.join('\n') === y.join('\n')) return patch === '';
      const out: string[] = [];
      let at = 0;
      for (const line of patch.trimEnd().split('\n').slice(2)) {
        const hunk = /^@@ -(\d+),(\d+)/.exec(line);
        if (hunk) {
          const start = Number(hunk[2]) === 0 ? Number(hunk[1]) : Number(hunk[1]) - 1;
          while (at < start) out.push(x[at++]!);
        } else if (line[0] === '+') out.push(line.slice(1));
        else {
          if (x[at] !== line.slice(1)) return false;
          if (line[0] === ' ') out.push(x[at]!);
          at++;
        }
      }
      while (at < x.length) out.push(x[at++]!);
      return out.join('\n') === y.join('\n');
    }),
  );
});

test('two saved dumps need no cluster; secrets and endpoints are compared when both sides have them', async () => {
  const path = join(dir, 'only.json');
  writeFileSync(path, readFileSync(new URL('../examples/reviews-v1.config_dump.json', import.meta.url)));
  const result = await runCli(['pc', 'diff', path, path]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Clusters Match\nListeners Match\nRoutes Match\nSecrets Match\nEndpoints Match\n');
});

test("pc endpoint --source istiod --file reads Pilot's saved /debug/edsz", { skip: skipWithoutCorpus }, async () => {
  const result = await runCli([
    'pc',
    'endpoint',
    '--source',
    'istiod',
    '-f',
    corpusPath('dumps', 'istio-1.5.4-bookinfo', 'pilot-edsz.json'),
    '--cluster',
    'outbound|9080||details.default.svc.cluster.local',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^NAME\s+STATUS\s+LOCALITY\s+CLUSTER\n10\.44\.0\.12:9080\s+\S+\s+outbound\|9080\|\|details\.default\.svc\.cluster\.local\n$/);
});

describe('comparator properties', () => {
  // Resources with random config; names unique per dump.
  const resource = fc.record({
    name: fc.string({ minLength: 1, maxLength: 12 }),
    // Well-typed Cluster fields (the decoder rejects wrong JSON types).
    config: fc.record(
      {
        alt_stat_name: fc.string({ minLength: 1 }),
        per_connection_buffer_limit_bytes: fc.integer({ min: 1, max: 1 << 20 }),
        respect_dns_ttl: fc.constant(true),
        dns_lookup_family: fc.constantFrom('V4_ONLY', 'V6_ONLY', 'ALL'),
        metadata: fc.record({
          filter_metadata: fc.dictionary(
            fc.string({ minLength: 1, maxLength: 5 }),
            fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ minLength: 1 }), { minKeys: 1 }),
            { minKeys: 1 },
          ),
        }),
      },
      { requiredKeys: [] },
    ),
  });
  const resources = fc.uniqueArray(resource, { selector: (r) => r.name, maxLength: 8 });
  const dumpOf = (list: { name: string; config: object }[], version: string) =>
    decodeConfigDump(
      {
        configs: [
          {
            '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
            version_info: version,
            dynamic_active_clusters: list.map(({ name, config }) => ({
              version_info: version,
              last_updated: `2026-01-01T00:00:0${version.length % 10}Z`,
              cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name, ...config },
            })),
          },
        ],
      },
      'p',
    );
  const clustersMatch = (x: ReturnType<typeof dumpOf>, y: ReturnType<typeof dumpOf>) =>
    compareDumps(x, y, { kinds: ['cluster'], labels: { a: 'x', b: 'y' } })[0]!;

  test('reordering, new versions and added empty defaults never make a difference', () => {
    fc.assert(
      fc.property(resources, fc.nat(), (list, seed) => {
        const shuffled = [...list].sort((p, q) => ((p.name.charCodeAt(0) * 31 + seed) % 7) - ((q.name.charCodeAt(0) * 31 + seed) % 7));
        const withDefaults = shuffled.map(({ name, config }) => ({
          name,
          config: { ...config, connect_timeout_extra: '', outlier_detection: {}, health_checks: [], close_connections_on_host_health_failure: false },
        }));
        return clustersMatch(dumpOf(list, 'a'), dumpOf(withDefaults, 'bb')).match;
      }),
    );
  });

  test('a changed, added or removed value is always found, with its path', () => {
    fc.assert(
      fc.property(
        resources.filter((list) => list.length > 0),
        fc.string({ minLength: 1, maxLength: 8 }),
        (list, value) => {
          const [first, ...rest] = list;
          const changed = [{ name: first!.name, config: { ...first!.config, alt_stat_name: `${first!.config.alt_stat_name ?? ''}${value}` } }, ...rest];
          const result = clustersMatch(dumpOf(list, 'a'), dumpOf(changed, 'a'));
          const gone = clustersMatch(dumpOf(list, 'a'), dumpOf(rest, 'a'));
          return (
            !result.match &&
            result.differences.length === 1 &&
            result.differences[0]!.paths.includes('.alt_stat_name') &&
            gone.differences.map((d) => [d.name, d.change]).join() === [first!.name, 'only-in-a'].join()
          );
        },
      ),
    );
  });
});
