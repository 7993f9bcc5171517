// `proxy-config listener` table, cell for cell as istioctl's PrintListenerSummary prints it.
import {
  addressText,
  describeFilterChainDestination,
  describeFilterChainMatch,
  listenerAddresses,
  listenerFilterChains,
  listenerPort,
  listenerType,
  networkFilterName,
} from '../../envoy/listeners.ts';
import type { Entry, Listener } from '../../envoy/model.ts';
import { compareGoStrings } from '../../util/goString.ts';
import type { Table } from '../tabwriter.ts';
import { NONE } from './wide.ts';

export interface ListenerTableOptions {
  /** One row per filter chain (MATCH, DESTINATION) instead of one per listener (TYPE). */
  verbose: boolean;
  /** `proxy-config all`: a leading NAME column holding `listener/<name>`. */
  namePrefix: boolean;
  /** `-o wide`: one row per chain, with its network filters in order. */
  wide?: boolean;
}

/**
 * Table order: port, then main address, then type, ascending. istioctl uses Go's unstable
 * sort.Slice, so listeners that tie (internal listeners: port 0, no address) come out in whatever
 * order pdqsort leaves them; this sort is stable, so ties keep their dump order.
 */
export function sortListeners(entries: readonly Entry<Listener>[]): Entry<Listener>[] {
  return entries
    .map((entry) => ({
      entry,
      port: listenerPort(entry.resource),
      address: addressText(entry.resource.address),
      type: listenerType(entry.resource),
    }))
    .sort((a, b) => a.port - b.port || compareGoStrings(a.address, b.address) || compareGoStrings(a.type, b.type))
    .map(({ entry }) => entry);
}

/** Renders already filtered and sorted listeners (tabwriter padding 1, like istioctl). */
export function listenerTable(entries: readonly Entry<Listener>[], options: ListenerTableOptions): Table {
  const wide = options.wide === true;
  const verbose = options.verbose || wide;
  const header = wide
    ? ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION', 'NETWORK FILTERS']
    : verbose
      ? ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION']
      : ['ADDRESSES', 'PORT', 'TYPE'];
  const rows = [options.namePrefix ? ['NAME', ...header] : header];
  for (const { resource: listener } of entries) {
    const lead = [listenerAddresses(listener).join(','), String(listenerPort(listener))];
    if (options.namePrefix) lead.unshift(`listener/${listener.name ?? ''}`);
    if (!verbose) {
      rows.push([...lead, listenerType(listener)]);
      continue;
    }
    const chains = listenerFilterChains(listener).map((chain) => ({
      match: describeFilterChainMatch(chain.filter_chain_match),
      destination: describeFilterChainDestination(chain),
      filters: (chain.filters ?? []).map(networkFilterName).join(', ') || NONE,
    }));
    // istioctl orders a listener's chains by DESTINATION, descending (unstably; ties keep chain order here).
    chains.sort((a, b) => compareGoStrings(b.destination, a.destination));
    for (const chain of chains) rows.push([...lead, chain.match, chain.destination, ...(wide ? [chain.filters] : [])]);
  }
  return { rows: rows, padding: 1 };
}
