// A listener's `filter_chain_matcher` (the xDS unified matcher, Envoy ≈1.23+; Istio's waypoints
// pick `main_internal`'s chains with it): a tree of inputs (destination IP, port, ALPN …) whose
// leaves name a filter chain. Evaluated as Envoy documents it: a map finds its branch by the input's
// value; an IP matcher tries the ranges holding the address, longest prefix first (only that one
// when it is `exclusive`); a nested matcher that does not match makes its parent not match, so the
// most specific `on_no_match` decides.
import { isObj, type Obj } from '../envoy/model.ts';
import { protoField } from '../util/protoField.ts';
import { actionChain, asObj, cidrOf, inputKind, inputLabel, noMatchLabel } from '../waypoint/chains.ts';
import { inCidr, parseIp } from './match.ts';

/** What the inputs read from the connection after its listener filters ran. */
export interface MatcherConnection {
  dstIp: string;
  dstPort: number;
  srcIp: string | undefined;
  srcPort: number | undefined;
  /** The connection comes from the same host (SourceTypeInput). */
  local: boolean;
  sni: string | undefined;
  transport: string;
  alpn: readonly string[];
}

export type ChainMatch =
  /** `chain` is the action's chain name; `path` the conditions that led to it (`ip=10.0.0.1/32`, `port=80`). */
  { kind: 'chain'; chain: string; path: string[] } | { kind: 'no_match'; path: string[] } | { kind: 'unsupported'; reason: string };

type Outcome = { matched: true; chain: string; path: string[] } | { matched: false };

class Unsupported extends Error {}

/** Follows `matcher` for the connection to the chain it names, or to no match. */
export function evaluateChainMatcher(matcher: Obj, conn: MatcherConnection): ChainMatch {
  try {
    const outcome = evaluate(matcher, conn, []);
    return outcome.matched ? { kind: 'chain', chain: outcome.chain, path: outcome.path } : { kind: 'no_match', path: [] };
  } catch (error) {
    if (error instanceof Unsupported) return { kind: 'unsupported', reason: error.message };
    throw error;
  }
}

function evaluate(matcher: Obj, conn: MatcherConnection, path: string[]): Outcome {
  const tree = protoField(matcher, 'matcher_tree');
  if (isObj(tree)) {
    const found = evaluateTree(tree, conn, path);
    if (found.matched) return found;
  } else if (protoField(matcher, 'matcher_list') !== undefined) {
    throw new Unsupported('the listener selects chains with a matcher_list, which is not simulated (only matcher trees are)');
  }
  const noMatch = protoField(matcher, 'on_no_match');
  return isObj(noMatch) ? onMatch(noMatch, conn, [...path, noMatchLabel(path.length)]) : { matched: false };
}

function evaluateTree(tree: Obj, conn: MatcherConnection, path: string[]): Outcome {
  const input = asObj(protoField(tree, 'input'));
  const { label, value } = inputValue(input, conn);
  if (value === undefined) return { matched: false };
  const exact = asObj(protoField(asObj(protoField(tree, 'exact_match_map')), 'map'));
  const entry = exact[value];
  if (Object.hasOwn(exact, value) && isObj(entry)) return onMatch(entry, conn, [...path, `${label}=${value}`]);
  const prefixes = asObj(protoField(asObj(protoField(tree, 'prefix_match_map')), 'map'));
  const longestFirst = Object.keys(prefixes)
    .filter((prefix) => value.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const prefix of longestFirst) {
    const found = onMatch(asObj(prefixes[prefix]), conn, [...path, `${label}^${prefix}`]);
    if (found.matched) return found;
  }
  const custom = protoField(tree, 'custom_match');
  if (isObj(custom)) return ipMatcher(asObj(protoField(custom, 'typed_config')), value, label, conn, path);
  return { matched: false };
}

/** xds.type.matcher.v3.IPMatcher: the range matchers holding the address, the longest prefix first. */
function ipMatcher(config: Obj, ip: string, label: string, conn: MatcherConnection, path: string[]): Outcome {
  const type = String(config['@type'] ?? '');
  if (!type.endsWith('.IPMatcher'))
    throw new Unsupported(`the listener's chain matcher uses the custom matcher ${type || '(unnamed)'}, which is not simulated`);
  if (parseIp(ip) === undefined) return { matched: false };
  const holding: { length: number; range: string; exclusive: boolean; onMatch: Obj }[] = [];
  for (const rangeMatcher of (protoField(config, 'range_matchers') as unknown[] | undefined) ?? []) {
    const matcher = asObj(rangeMatcher);
    for (const range of (protoField(matcher, 'ranges') as unknown[] | undefined) ?? []) {
      const { prefix, length } = cidrOf(asObj(range));
      if (inCidr(ip, prefix, length)) {
        holding.push({
          length,
          range: `${prefix}/${length}`,
          exclusive: protoField(matcher, 'exclusive') === true,
          onMatch: asObj(protoField(matcher, 'on_match')),
        });
      }
    }
  }
  holding.sort((a, b) => b.length - a.length);
  for (const candidate of holding) {
    const found = onMatch(candidate.onMatch, conn, [...path, `${label}=${ip} (in ${candidate.range})`]);
    if (found.matched || candidate.exclusive) return found;
  }
  return { matched: false };
}

/** An OnMatch: its action names the chain (a StringValue), or its nested matcher decides. */
function onMatch(entry: Obj, conn: MatcherConnection, path: string[]): Outcome {
  const nested = protoField(entry, 'matcher');
  if (isObj(nested)) return evaluate(nested, conn, path);
  const chain = actionChain(entry);
  return chain === undefined ? { matched: false } : { matched: true, chain, path };
}

/** The input's short label (`ip`, `port` …) and its value for the connection; undefined when it has none. */
function inputValue(input: Obj, conn: MatcherConnection): { label: string; value: string | undefined } {
  const kind = inputKind(input);
  const label = inputLabel(input);
  switch (kind) {
    case 'DestinationIPInput':
      return { label, value: conn.dstIp };
    case 'DestinationPortInput':
      return { label, value: String(conn.dstPort) };
    case 'SourceIPInput':
    case 'DirectSourceIPInput':
      return { label, value: conn.srcIp };
    case 'SourcePortInput':
      return { label, value: conn.srcPort === undefined ? undefined : String(conn.srcPort) };
    case 'SourceTypeInput':
      return { label, value: conn.local ? 'local' : undefined };
    case 'ServerNameInput':
      return { label, value: conn.sni };
    case 'TransportProtocolInput':
      return { label, value: conn.transport };
    case 'ApplicationProtocolInput':
      // Envoy's form of the list: each protocol single-quoted, comma-separated (`'h2','http/1.1'`).
      return { label, value: conn.alpn.length > 0 ? conn.alpn.map((protocol) => `'${protocol}'`).join(',') : undefined };
    default:
      throw new Unsupported(`the listener's chain matcher reads the input ${kind || '(unnamed)'}, which is not simulated`);
  }
}
