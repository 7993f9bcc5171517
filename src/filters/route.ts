// istioctl's `proxy-config route` filter (`RouteFilter.Verify`).
import type { Entry, RouteConfiguration } from '../envoy/model.ts';

/** An unset or "" name matches everything. */
export interface RouteFilter {
  /** Exact, case-sensitive route configuration name. */
  name?: string;
}

export function matchRoute(filter: RouteFilter, entry: Entry<RouteConfiguration>): boolean {
  return !filter.name || filter.name === (entry.resource.name ?? '');
}
