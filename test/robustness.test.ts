// Every real dump in the corpus, under every command and format: it decodes, and what -o json
// returns is exactly what the dump holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ExitCode } from '../src/errors.ts';
import { runCli } from './helpers/cli.ts';
import { CORPUS_MISSING, corpusDir, corpusFiles } from './helpers/corpus.ts';

const COMMANDS = ['listener', 'route', 'cluster', 'endpoint', 'eds', 'bootstrap', 'secret', 'ecds', 'all'];
const FORMATS = ['short', 'json', 'yaml', 'raw'];

test('every corpus dump works under every command and output format', async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const file of corpusFiles('dumps')) {
    await t.test(relative(corpusDir, file), async () => {
      for (const command of COMMANDS) {
        for (const output of FORMATS) {
          const result = await runCli(['pc', command, '-f', file, '-o', output]);
          const where = `pc ${command} -o ${output}`;
          if (result.code === ExitCode.MISSING_SECTION) {
            // A dump without the section the command shows: one clear line, nothing on stdout.
            assert.match(result.stderr, /^error: .* has no .* section/, where);
            assert.equal(result.stdout, '', where);
            continue;
          }
          assert.equal(result.code, 0, `${where}: ${result.stderr}`);
          if (output === 'json' || output === 'raw') assert.doesNotThrow(() => JSON.parse(result.stdout) as unknown, where);
          if (output === 'yaml') assert.doesNotThrow(() => parseYaml(result.stdout) as unknown, where);
        }
      }
    });
  }
});

/** Names straight from the JSON, without the decoder: the serving resources of one section. */
function namesInDump(json: Record<string, unknown>, section: string, lists: string[], resource: string): string[] {
  const configs = (json['configs'] ?? []) as Record<string, unknown>[];
  const out: string[] = [];
  for (const config of configs.filter((c) => String(c['@type']).endsWith(section))) {
    for (const list of lists) {
      for (const element of (config[list] ?? []) as Record<string, Record<string, unknown> | undefined>[]) {
        const holder = list === 'dynamic_listeners' ? (element['active_state'] as Record<string, unknown> | undefined) : element;
        const item = holder?.[resource] as { name?: string } | undefined;
        if (item) out.push(item.name ?? '');
      }
    }
  }
  return out.sort();
}

test('-o json returns exactly the resources the dump holds (differential)', async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  for (const file of corpusFiles('dumps').filter((f) => !f.endsWith('pilot-edsz.json'))) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const checks: [string, string, string[], string][] = [
      ['cluster', 'ClustersConfigDump', ['static_clusters', 'dynamic_active_clusters'], 'cluster'],
      ['listener', 'ListenersConfigDump', ['static_listeners', 'dynamic_listeners'], 'listener'],
      ['route', 'RoutesConfigDump', ['static_route_configs', 'dynamic_route_configs'], 'route_config'],
    ];
    for (const [command, section, lists, resource] of checks) {
      const expected = namesInDump(json, section, lists, resource);
      const result = await runCli(['pc', command, '-f', file, '-o', 'json']);
      if (result.code === ExitCode.MISSING_SECTION) {
        assert.deepEqual(expected, [], `${file}: ${command}`);
        continue;
      }
      const names = (JSON.parse(result.stdout) as { name?: string }[]).map((r) => r.name ?? '').sort();
      assert.deepEqual(names, expected, `${file}: pc ${command} -o json`);
    }
  }
});

test('a dump without the requested section: one line naming the file, exit 3', async (t) => {
  if (!corpusDir) return t.skip(CORPUS_MISSING);
  const file = corpusFiles('istioctl', 'secret-istio').find((f) => f.endsWith('config_dump.json')) ?? '';
  const result = await runCli(['pc', 'listener', '-f', file]);
  assert.equal(result.code, ExitCode.MISSING_SECTION);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, `error: ${file}: has no listeners (ListenersConfigDump) section\n`);
});
