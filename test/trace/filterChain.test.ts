// Envoy's filter-chain selection rules that the corpus dumps do not exercise: SNI wildcards from
// most to least specific, no backtracking out of a destination-port subtree, source type and
// source ranges after everything else, listener filters switched off by filter_disabled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterChain, FilterChainMatch, Listener } from '../../src/envoy/model.ts';
import { matchFilterChain, runListenerFilters, type Connection } from '../../src/trace/listener.ts';

const conn = (over: Partial<Connection> = {}): Connection => ({
  direction: 'outbound',
  dstIp: '10.0.0.1',
  dstPort: 443,
  srcIp: '10.1.1.1',
  srcPort: 40000,
  tls: true,
  sni: 'api.prod.example.com',
  alpn: ['h2', 'http/1.1'],
  httpProtocol: undefined,
  ...over,
});

const chain = (name: string, filter_chain_match: FilterChainMatch): FilterChain => ({ name, filter_chain_match, filters: [] });

function pick(listener: Listener, c: Connection = conn()): string {
  const detected = runListenerFilters(listener, c, false);
  return matchFilterChain(listener, c, detected).name;
}

const withTls = (chains: FilterChain[], extra: Partial<Listener> = {}): Listener => ({
  listener_filters: [{ name: 'envoy.filters.listener.tls_inspector' }],
  filter_chains: chains,
  ...extra,
});

test('SNI: exact, then the longest wildcard suffix, then chains without server_names', () => {
  const chains = [
    chain('any', {}),
    chain('example', { server_names: ['*.example.com'] }),
    chain('prod', { server_names: ['*.prod.example.com'] }),
    chain('exact', { server_names: ['api.prod.example.com'] }),
  ];
  assert.equal(pick(withTls(chains)), 'exact');
  assert.equal(pick(withTls(chains.slice(0, 3))), 'prod');
  assert.equal(pick(withTls(chains.slice(0, 2))), 'example');
  assert.equal(pick(withTls(chains.slice(0, 1))), 'any');
  // Without tls_inspector there is no SNI: only the chain without server_names can match.
  assert.equal(pick({ filter_chains: chains.slice(1, 3) }), '');
});

test('no backtracking: a destination-port subtree that fails ends in the default chain, not in a port-less chain', () => {
  const listener = withTls([chain('port-443-h2c', { destination_port: 443, transport_protocol: 'raw_buffer' }), chain('portless', {})], {
    default_filter_chain: { name: 'fallback', filters: [] },
  });
  const decision = matchFilterChain(listener, conn(), runListenerFilters(listener, conn(), false));
  assert.equal(decision.isDefault, true);
  assert.deepEqual([decision.name, decision.match], ['fallback', 'default_filter_chain']);
  assert.deepEqual(
    decision.candidates.map((c) => c.reason),
    ['transport_protocol raw_buffer ≠ tls', 'any destination port, but chains for port 443 exist and are more specific'],
  );
});

test("ALPN: the client's first protocol that some chain lists wins; source criteria come after it", () => {
  const listener = withTls([
    chain('http11', { application_protocols: ['http/1.1'] }),
    chain('h2-local', { application_protocols: ['h2'], source_type: 'SAME_IP_OR_LOOPBACK' }),
    chain('h2-ranged', { application_protocols: ['h2'], source_prefix_ranges: [{ address_prefix: '10.1.0.0', prefix_len: 16 }] }),
    chain('h2', { application_protocols: ['h2'] }),
  ]);
  assert.equal(pick(listener), 'h2-ranged');
  assert.equal(pick(listener, conn({ srcIp: '192.168.0.1' })), 'h2');
  assert.equal(pick(listener, conn({ srcIp: '127.0.0.1' })), 'h2-local');
  assert.equal(pick(listener, conn({ alpn: ['http/1.1', 'h2'] })), 'http11');
});

test('filter_disabled turns a listener filter off for matching destination ports (range end exclusive)', () => {
  const listener: Listener = {
    listener_filters: [
      { name: 'envoy.filters.listener.http_inspector', filter_disabled: { or_match: { rules: [{ destination_port_range: { start: 9080, end: 9081 } }] } } },
    ],
    filter_chains: [],
  };
  const plain = conn({ tls: false, sni: undefined, alpn: [], httpProtocol: 'http/1.1' });
  assert.deepEqual(runListenerFilters(listener, { ...plain, dstPort: 9080 }, false).alpn, []);
  assert.deepEqual(runListenerFilters(listener, { ...plain, dstPort: 9081 }, false).alpn, ['http/1.1']);
});
