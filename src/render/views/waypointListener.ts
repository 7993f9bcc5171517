// `pc listener` on a waypoint (or with --chains): one row per filter chain and the path through the
// listener's filter_chain_matcher that selects it, so `main_internal`'s per-service chains read
// as "VIP 10.96.1.2, port 9080 → inbound-vip|9080|http|reviews…".
import { describeFilterChainDestination, describeFilterChainMatch, listenerAddresses, listenerFilterChains, listenerPort } from '../../envoy/listeners.ts';
import { isObj, type Entry, type Listener } from '../../envoy/model.ts';
import { matcherPaths } from '../../waypoint/chains.ts';
import type { Table } from '../tabwriter.ts';

/** Where a listener listens: `internal` for Envoy internal listeners, else its addresses and port. */
function whereText(listener: Listener): string {
  if (isObj(listener.internal_listener)) return 'internal';
  const addresses = listenerAddresses(listener).join(',');
  return `${addresses || '*'}:${listenerPort(listener)}`;
}

export function waypointListenerTable(entries: readonly Entry<Listener>[]): Table {
  const rows: string[][] = [['LISTENER', 'ADDRESS', 'CHAIN', 'MATCH', 'DESTINATION']];
  for (const { resource: listener } of entries) {
    const lead = [listener.name ?? '', whereText(listener)];
    const chains = listenerFilterChains(listener);
    const paths = isObj(listener.filter_chain_matcher) ? matcherPaths(listener.filter_chain_matcher) : undefined;
    for (const chain of chains) {
      const name = chain.name ?? '';
      const destination = describeFilterChainDestination(chain);
      // Without a matcher, a chain's filter_chain_match says when it applies; with one, the matcher's paths do.
      const matches = paths ? paths.filter((p) => p.chain === name).map((p) => p.match) : [describeFilterChainMatch(chain.filter_chain_match)];
      for (const match of matches.length > 0 ? matches : ['NONE']) rows.push([...lead, name, match, destination]);
    }
  }
  return { rows, padding: 1 };
}
