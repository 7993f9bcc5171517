import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { formatRenderedForPods, type Rendered } from '../src/render/proxyConfig.ts';
import { runCli, tableLines } from './helpers/cli.ts';

const example = join(fileURLToPath(new URL('..', import.meta.url)), 'examples', 'reviews-v1.config_dump.json');

test('an empty result is [] in JSON and YAML, and a header-only table', async () => {
  for (const output of ['json', 'raw', 'yaml']) {
    const result = await runCli(['pc', 'cluster', '-f', example, '--fqdn', 'no-such-service', '-o', output]);
    assert.equal(result.code, 0);
    assert.deepEqual(output === 'yaml' ? parseYaml(result.stdout) : JSON.parse(result.stdout), []);
  }
  const table = await runCli(['pc', 'cluster', '-f', example, '--fqdn', 'no-such-service']);
  assert.deepEqual(tableLines(table.stdout), ['SERVICE FQDN     PORT     SUBSET     DIRECTION     TYPE     DESTINATION RULE']);
});

test("-o raw keeps Envoy's snake_case names, -o json gives proto3 lowerCamelCase", async () => {
  const raw = JSON.parse((await runCli(['pc', 'cluster', '-f', example, '--fqdn', 'reviews', '--subset', 'v1', '-o', 'raw'])).stdout) as Record<
    string,
    unknown
  >[];
  const json = JSON.parse((await runCli(['pc', 'cluster', '-f', example, '--fqdn', 'reviews', '--subset', 'v1', '-o', 'json'])).stdout) as Record<
    string,
    unknown
  >[];
  assert.equal(raw.length, 1);
  assert.ok('eds_cluster_config' in (raw[0] ?? {}) && '@type' in (raw[0] ?? {}));
  assert.ok('edsClusterConfig' in (json[0] ?? {}) && !('@type' in (json[0] ?? {})));
});

test('-o table draws the rows of the short table in boxes', async () => {
  const short = await runCli(['pc', 'route', '-f', example, '--name', '9080']);
  const boxed = await runCli(['pc', 'route', '-f', example, '--name', '9080', '-o', 'table']);
  assert.equal(boxed.code, 0);
  assert.match(boxed.stdout, /^┌/);
  const rowsOf = (text: string, pattern: RegExp) => text.split('\n').filter((line) => pattern.test(line)).length;
  // One boxed line per short row (header included): every content line starts with │.
  assert.equal(rowsOf(boxed.stdout, /^│/), tableLines(short.stdout).length);
  assert.match(boxed.stdout, /│ NAME\s+│ VHOST NAME/);
});

test('several pods: one table with a POD column, data keyed by pod', () => {
  const table = (rows: string[][]): Rendered => ({ kind: 'table', table: { rows, padding: 1 } });
  const merged = formatRenderedForPods([
    {
      pod: 'a.ns',
      rendered: table([
        ['NAME', 'PORT'],
        ['x', '1'],
      ]),
    },
    {
      pod: 'bb.ns',
      rendered: table([
        ['NAME', 'PORT'],
        ['y', '2'],
        ['z', '3'],
      ]),
    },
  ]);
  assert.equal(merged, 'POD   NAME PORT\na.ns  x    1\nbb.ns y    2\nbb.ns z    3\n');
  const data = formatRenderedForPods([
    { pod: 'a.ns', rendered: { kind: 'data', value: [1], format: 'json' } },
    { pod: 'b.ns', rendered: { kind: 'data', value: [], format: 'json' } },
  ]);
  assert.deepEqual(JSON.parse(data), { 'a.ns': [1], 'b.ns': [] });
  const text = formatRenderedForPods([{ pod: 'a.ns', rendered: { kind: 'text', text: 'Envoy Version: 1.30.4\n' } }]);
  assert.equal(text, '--- a.ns ---\nEnvoy Version: 1.30.4\n');
});
