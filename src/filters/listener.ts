// istioctl's `proxy-config listener` filters (`ListenerFilter.Verify`).
import { listenerAddresses, listenerPort, listenerType } from '../envoy/listeners.ts';
import type { Entry, Listener } from '../envoy/model.ts';

/** Unset, "" and 0 fields match everything. */
export interface ListenerFilter {
  /** Case-insensitive equality with the main address or any additional address. */
  address?: string;
  /** The main address's port. */
  port?: number;
  /** `HTTP`, `TCP`, `HTTP+TCP` or `UNKNOWN`, case-insensitive. */
  type?: string;
}

export function matchListener(filter: ListenerFilter, entry: Entry<Listener>): boolean {
  const listener = entry.resource;
  const { address, port, type } = filter;
  if (address && !listenerAddresses(listener).some((candidate) => equalFold(candidate, address))) return false;
  if (port && listenerPort(listener) !== port) return false;
  if (type && !equalFold(listenerType(listener), type)) return false;
  return true;
}

/** Go's strings.EqualFold, close enough for addresses and type names. */
function equalFold(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
