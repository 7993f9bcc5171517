// A listener's filter_chain_matcher, evaluated for a connection: maps, IP ranges (longest prefix
// first, exclusive ranges), nested matchers falling back to the most specific on_no_match, both
// JSON spellings, and what is not simulated. Then the waypoint walk on a corpus dump: HBONE on
// 15008, the internal listener main_internal, and the chain its matcher names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../src/envoy/model.ts';
import { evaluateChainMatcher, type MatcherConnection } from '../../src/trace/chainMatcher.ts';
import type { Trace } from '../../src/trace/trace.ts';
import { runCli } from '../helpers/cli.ts';
import { corpusPath, skipWithoutCorpus } from '../helpers/corpus.ts';

const NETWORK_INPUTS = 'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3';
const input = (name: string, type: string): Obj => ({ name, typed_config: { '@type': `${NETWORK_INPUTS}.${type}` } });
const chain = (name: string): Obj => ({ action: { name, typed_config: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: name } } });
const portTree = (map: Record<string, Obj>): Obj => ({ matcher_tree: { input: input('port', 'DestinationPortInput'), exact_match_map: { map } } });
const ports = (map: Record<string, Obj>): Obj => ({ matcher: portTree(map) });
const range = (prefix: string, length: number, onMatch: Obj, exclusive = false): Obj => ({
  ranges: [{ address_prefix: prefix, prefix_len: length }],
  on_match: onMatch,
  ...(exclusive ? { exclusive } : {}),
});
const ipTree = (ranges: Obj[], onNoMatch?: Obj): Obj => ({
  matcher_tree: {
    input: input('ip', 'DestinationIPInput'),
    custom_match: { name: 'ip', typed_config: { '@type': 'type.googleapis.com/xds.type.matcher.v3.IPMatcher', range_matchers: ranges } },
  },
  ...(onNoMatch ? { on_no_match: onNoMatch } : {}),
});

const conn = (dstIp: string, dstPort: number, extra: Partial<MatcherConnection> = {}): MatcherConnection => ({
  dstIp,
  dstPort,
  srcIp: undefined,
  srcPort: undefined,
  local: false,
  sni: undefined,
  transport: 'raw_buffer',
  alpn: [],
  ...extra,
});

test('IP ranges: the longest prefix first; a nested no-match falls to a shorter range, unless the range is exclusive', () => {
  const matcher = (exclusive: boolean) =>
    ipTree([range('10.0.0.0', 16, chain('wide')), range('10.0.0.5', 32, ports({ 80: chain('vip-80') }), exclusive)], chain('passthrough'));
  assert.deepEqual(evaluateChainMatcher(matcher(false), conn('10.0.0.5', 80)), {
    kind: 'chain',
    chain: 'vip-80',
    path: ['ip=10.0.0.5 (in 10.0.0.5/32)', 'port=80'],
  });
  assert.deepEqual(evaluateChainMatcher(matcher(false), conn('10.0.0.5', 81)), { kind: 'chain', chain: 'wide', path: ['ip=10.0.0.5 (in 10.0.0.0/16)'] });
  assert.deepEqual(evaluateChainMatcher(matcher(true), conn('10.0.0.5', 81)), { kind: 'chain', chain: 'passthrough', path: ['UNMATCHED'] });
  assert.deepEqual(evaluateChainMatcher(matcher(false), conn('192.168.0.1', 80)), { kind: 'chain', chain: 'passthrough', path: ['UNMATCHED'] });
  assert.deepEqual(evaluateChainMatcher(ipTree([range('10.0.0.0', 8, chain('x'))]), conn('11.0.0.1', 80)), { kind: 'no_match', path: [] });
});

test("a nested matcher's own on_no_match is more specific than its parent's", () => {
  const matcher = ipTree([range('10.0.0.5', 32, { matcher: { ...portTree({ 80: chain('vip-80') }), on_no_match: chain('vip-any') } })], chain('passthrough'));
  assert.deepEqual(evaluateChainMatcher(matcher, conn('10.0.0.5', 9090)), { kind: 'chain', chain: 'vip-any', path: ['ip=10.0.0.5 (in 10.0.0.5/32)', 'ANY'] });
});

test('exact and prefix maps on ALPN and SNI, in either JSON spelling; an input without a value goes to on_no_match', () => {
  const alpn: Obj = {
    matcherTree: {
      input: { name: 'application-protocol', typedConfig: { '@type': `${NETWORK_INPUTS}.ApplicationProtocolInput` } },
      exactMatchMap: { map: { "'h2c'": chain('direct-http'), "'http/1.1'": chain('direct-http') } },
    },
    onNoMatch: chain('direct-tcp'),
  };
  assert.deepEqual(evaluateChainMatcher(alpn, conn('10.0.0.5', 80, { alpn: ['http/1.1'] })), {
    kind: 'chain',
    chain: 'direct-http',
    path: ["application-protocol='http/1.1'"],
  });
  assert.deepEqual(evaluateChainMatcher(alpn, conn('10.0.0.5', 80)), { kind: 'chain', chain: 'direct-tcp', path: ['UNMATCHED'] });
  const sni: Obj = {
    matcher_tree: {
      input: input('sni', 'ServerNameInput'),
      prefix_match_map: { map: { api: chain('api'), 'api.v2': chain('api-v2') } },
    },
  };
  assert.deepEqual(evaluateChainMatcher(sni, conn('10.0.0.5', 443, { sni: 'api.v2.example.com' })), { kind: 'chain', chain: 'api-v2', path: ['sni^api.v2'] });
  assert.deepEqual(evaluateChainMatcher(sni, conn('10.0.0.5', 443, { sni: 'apis.example.com' })), { kind: 'chain', chain: 'api', path: ['sni^api'] });
});

test('what is not simulated says so: a matcher list, an unknown input, another custom matcher', () => {
  const unsupported = (matcher: Obj) => {
    const result = evaluateChainMatcher(matcher, conn('10.0.0.5', 80));
    assert.equal(result.kind, 'unsupported');
    return result.kind === 'unsupported' ? result.reason : '';
  };
  assert.match(unsupported({ matcher_list: { matchers: [] } }), /matcher_list/);
  assert.match(unsupported({ matcher_tree: { input: input('fs', 'FilterStateInput'), exact_match_map: { map: {} } } }), /FilterStateInput/);
  const otherCustom = { matcher_tree: { input: input('ip', 'DestinationIPInput'), custom_match: { typed_config: { '@type': 'type.example/Other' } } } };
  assert.match(unsupported(otherCustom), /type\.example\/Other/);
});

async function trace(file: string, args: string[]): Promise<Trace> {
  const result = await runCli(['pc', 'trace', '-f', file, ...args, '-o', 'json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Trace;
}

test('a waypoint: HBONE on 15008, the internal listener main_internal, the chain its matcher names', { skip: skipWithoutCorpus }, async () => {
  // An ambient waypoint of Istio 1.2x (trimmed: main_internal keeps one of its chains, details').
  const dump = corpusPath('dumps', 'istio-1.2x-sidecar-small.json');
  const details = await trace(dump, ['http://details.default:9080/details/0']);
  assert.equal(details.request['destination'], '10.96.1.201:9080');
  assert.match(String(details.request['destination_source']), /listener main_internal, chain inbound-vip\|9080\|\|details\.default\.svc\.cluster\.local-http/);
  assert.deepEqual(
    details.steps.slice(0, 4).map((step) => [step.stage, step.name, step.match ?? '']),
    [
      ['listener', 'connect_terminate', ''],
      ['listener', 'main_internal', ''],
      ['filter_chain', 'inbound-vip|9080||details.default.svc.cluster.local-http', 'ip=10.96.1.201 (in 10.96.1.201/32) -> port=9080'],
      ['network_filter', 'envoy.filters.network.http_connection_manager', ''],
    ],
  );
  assert.match(details.steps[0]?.details?.join('\n') ?? '', /CONNECT to cluster main_internal/);
  assert.match(details.steps[1]?.details?.join('\n') ?? '', /original_dst: destination restored to 10\.96\.1\.201:9080/);
  // The VIP of a service whose chain the trimmed dump lacks: the matcher names a chain that is not there.
  const sleep = await trace(dump, ['--dst', '10.111.182.109:80', 'http://sleep.default/']);
  assert.equal(sleep.result.outcome, 'no_filter_chain');
  assert.match(sleep.result.detail, /names inbound-vip\|80\|\|sleep\.default\.svc\.cluster\.local-http, which the listener does not have/);
});
