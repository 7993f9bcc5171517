// On a big dump the trace finds its one cluster and one EDS assignment in the raw bytes instead of
// decoding the sections: it must find exactly what a full decode finds, and trace alike.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSidecarDump, serializeAdminJson } from '../../bench/sidecarDump.ts';
import { decodeInput } from '../../src/envoy/input.ts';
import { traceConfigFromBytes, traceConfigOf } from '../../src/trace/config.ts';
import { buildTraceRequest } from '../../src/trace/request.ts';
import { traceRequest } from '../../src/trace/trace.ts';
import { corpusFiles, skipWithoutCorpus } from '../helpers/corpus.ts';

const BIG_DUMP = serializeAdminJson(buildSidecarDump({ services: 1_000, includeEds: true, seed: 11 }));

for (const [layout, text] of [
  ['as Envoy prints it', BIG_DUMP],
  ['minified', JSON.stringify(JSON.parse(BIG_DUMP))],
] as const) {
  test(`byte lookups of clusters and EDS agree with a full decode, and so do the traces (${layout})`, () => {
    const bytes = Buffer.from(text);
    assert.ok(bytes.length > 4 * 1024 * 1024, 'the dump is big enough to be sliced');
    const decoded = decodeInput(bytes, 'dump');
    assert.equal(decoded.kind, 'config_dump');
    if (decoded.kind !== 'config_dump') return;
    const eager = traceConfigOf(decoded.dump);
    const lazy = traceConfigFromBytes(bytes, 'dump');
    assert.equal(lazy.listeners.length, eager.listeners.length);
    const names = decoded.dump.clusters.map((entry) => entry.resource.name ?? '');
    for (const name of [...names.slice(0, 5), ...names.slice(-5), 'PassthroughCluster', 'no-such-cluster']) {
      assert.deepEqual(lazy.cluster(name), eager.cluster(name), name);
      assert.deepEqual(lazy.assignment(name), eager.assignment(name), name);
    }
    assert.deepEqual(lazy.assignments(), eager.assignments());
    for (const target of ['http://ratings.default.svc.cluster.local:9080/ratings/0', 'http://reviews:9080/']) {
      const args = { target, inbound: false, headers: [], tls: false };
      const viaLazy = traceRequest({ config: lazy }, buildTraceRequest(args, lazy));
      assert.deepEqual(viaLazy, traceRequest({ config: eager }, buildTraceRequest(args, eager)));
      assert.equal(viaLazy.result.outcome, 'forwarded');
    }
  });
}

test('every corpus dump can be traced: each walk ends in an outcome, never in an exception', { skip: skipWithoutCorpus }, () => {
  let traced = 0;
  for (const file of corpusFiles('dumps')) {
    const config = traceConfigFromBytes(readFileSync(file), file);
    if (!config.sections.has('listeners')) continue;
    for (const [target, dst, inbound] of [
      ['http://example.com/', '1.2.3.4:80', false],
      ['tcp', '1.2.3.4:443', false],
      ['http://x:8080/', '10.0.0.9:8080', true],
    ] as const) {
      const trace = traceRequest({ config }, buildTraceRequest({ target, dst, inbound, headers: [], tls: false }, config));
      assert.ok(trace.steps.length > 0 || trace.result.outcome === 'no_listener', `${file} ${target}`);
      assert.notEqual(trace.result.detail, '', `${file} ${target}`);
      traced++;
    }
  }
  assert.ok(traced >= 30, `traced ${traced}`);
});
