// Every istioctl golden in ../shared/corpus, reproduced end to end through the CLI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { runCli, tableLines } from './helpers/cli.ts';
import { CORPUS_MISSING, corpusDir, corpusPath } from './helpers/corpus.ts';

interface Case {
  argv: string[];
  /** Golden file, relative to the corpus. */
  expected: string;
}

const read = (path: string): string => readFileSync(corpusPath(path), 'utf8');

/**
 * Two differences between old istioctl goldens and any current printer, neither of which changes a
 * value: istioctl 1.0's JSON printer wrote Durations with three decimals (`"1.000s"` for `"1s"`),
 * and istioctl 1.6's Go types no longer knew RouteAction's deprecated `use_websocket`, so its parser
 * dropped it — envoyscope keeps every field the dump has.
 */
function eraNeutral(value: unknown): unknown {
  if (typeof value === 'string') {
    return /^-?\d+(\.\d+)?s$/.test(value) ? `${Number(value.slice(0, -1))}s` : value;
  }
  if (Array.isArray(value)) return value.map(eraNeutral);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'useWebsocket')
      .map(([key, v]) => [key, eraNeutral(v)]),
  );
}

function isOldIstioctl(golden: string): boolean {
  return golden.startsWith('istioctl-1.');
}

function cases(): Case[] {
  const c = (expected: string, ...argv: string[]): Case => ({ expected, argv });
  const i16 = (name: string): string => corpusPath('istioctl-1.6', name);
  const i10 = (name: string): string => corpusPath('istioctl-1.0', name);
  const ist = (...parts: string[]): string => corpusPath('istioctl', ...parts);
  return [
    c('istioctl/all-summary/expected.txt', 'pc', 'all', '-f', ist('all-summary', 'config_dump.json')),
    c('istioctl/all-summary/expected-with-headers.txt', 'pc', 'all', '-f', ist('all-summary', 'config_dump.json'), '--with-headers'),
    ...['route-empty-gateway', 'route-istio-gateway-http-route-prefix', 'route-k8s-gateway-http-route-path-prefix'].map((name) =>
      c(`istioctl/${name}/expected.txt`, 'pc', 'route', '-f', ist(name, 'config_dump.json')),
    ),
    ...['eds', 'endpoint'].flatMap((command) => [
      c('istioctl/eds/emptyfilter_output.txt', 'pc', command, '-f', ist('eds', 'config_dump.json')),
      c('istioctl/eds/emptyfilter_output.json', 'pc', command, '-f', ist('eds', 'config_dump.json'), '-o', 'json'),
      c('istioctl/eds/emptyfilter_output.yaml', 'pc', command, '-f', ist('eds', 'config_dump.json'), '-o', 'yaml'),
      c('istioctl/eds/portfilter_output.txt', 'pc', command, '-f', ist('eds', 'config_dump.json'), '--port', '8080'),
      c('istioctl/eds/portfilter_output.json', 'pc', command, '-f', ist('eds', 'config_dump.json'), '--port', '8080', '-o', 'json'),
      c('istioctl/eds/portfilter_output.yaml', 'pc', command, '-f', ist('eds', 'config_dump.json'), '--port', '8080', '-o', 'yaml'),
    ]),
    c('istioctl/secret-istio/expected.txt', 'pc', 'secret', '-f', ist('secret-istio', 'config_dump.json')),
    c('istioctl/secret-spire/expected.txt', 'pc', 'secret', '-f', ist('secret-spire', 'config_dump.json')),
    c('istioctl/ecds/expected.txt', 'pc', 'ecds', '-f', ist('ecds', 'config_dump.json')),
    c('istioctl/ecds/expected.json', 'pc', 'ecds', '-f', ist('ecds', 'config_dump.json'), '-o', 'json'),
    c('istioctl/ecds/expected.yaml', 'pc', 'ecds', '-f', ist('ecds', 'config_dump.json'), '-o', 'yaml'),
    c('istioctl/bootstrap/expected.json', 'pc', 'bootstrap', '-f', ist('bootstrap', 'config_dump.json')),
    c('istioctl/bootstrap/expected.json', 'pc', 'bootstrap', '-f', ist('bootstrap', 'config_dump.json'), '-o', 'json'),
    c('istioctl/bootstrap/expected-short.txt', 'pc', 'bootstrap', '-f', ist('bootstrap', 'config_dump.json'), '-o', 'short'),
    ...[
      ['istioctl-1.6', i16],
      ['istioctl-1.0', i10],
    ].flatMap(([dir, path]) => {
      const dump = (path as (n: string) => string)('config_dump.json');
      return [
        c(`${dir}/cluster.json`, 'pc', 'cluster', '-f', dump, '-o', 'json'),
        c(`${dir}/cluster-filtered.json`, 'pc', 'cluster', '-f', dump, '-o', 'json', '--fqdn', 'istio-policy.istio-system.svc.cluster.local'),
        c(`${dir}/cluster-filtered.json`, 'pc', 'cluster', '-f', dump, '-o', 'json', '--port', '15004'),
        c(`${dir}/route.json`, 'pc', 'route', '-f', dump, '-o', 'json'),
        c(`${dir}/route-filtered.json`, 'pc', 'route', '-f', dump, '-o', 'json', '--name', '15004'),
      ];
    }),
    c('istioctl-1.6/endpoint.txt', 'pc', 'endpoint', '-f', i16('clusters.json')),
    c('istioctl-1.6/endpoint.json', 'pc', 'endpoint', '-f', i16('clusters.json'), '-o', 'json'),
    ...[
      ['--cluster', 'outbound|15014||istio-policy.istio-system.svc.cluster.local'],
      ['--address', '172.17.0.14'],
      ['--port', '15014'],
      ['--status', 'unhealthy'],
    ].flatMap((filter) => [
      c('istioctl-1.6/endpoint-filtered.txt', 'pc', 'endpoint', '-f', i16('clusters.json'), ...filter),
      c('istioctl-1.6/endpoint-filtered.json', 'pc', 'endpoint', '-f', i16('clusters.json'), '-o', 'json', ...filter),
    ]),
  ];
}

test('istioctl goldens', async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const { argv, expected } of cases()) {
    await t.test(`${expected} ← ${argv.slice(0, 2).join(' ')} ${argv.slice(4).join(' ')}`, async () => {
      const result = await runCli(argv);
      assert.equal(result.stderr, '', 'no messages on stderr');
      assert.equal(result.code, 0);
      const golden = read(expected);
      if (expected.endsWith('.json') && isOldIstioctl(expected)) {
        assert.deepEqual(eraNeutral(JSON.parse(result.stdout)), eraNeutral(JSON.parse(golden)));
      } else if (expected.endsWith('.json')) assert.deepEqual(JSON.parse(result.stdout), JSON.parse(golden));
      else if (expected.endsWith('.yaml')) assert.deepEqual(parseYaml(result.stdout), parseYaml(golden));
      else assert.deepEqual(tableLines(result.stdout), tableLines(golden));
    });
  }
});
