// istioctl's `proxy-config route` filter (`RouteFilter.Verify`), plus `--port`.
import type { Entry, RouteConfiguration } from '../envoy/model.ts';
import { routeConfigPort } from '../envoy/routes.ts';

/** Unset fields match everything. */
export interface RouteFilter {
  /** Exact, case-sensitive route configuration name. */
  name?: string;
  /** The port the configuration serves, as its Istio name spells it (`9080`, `inbound|9080||`, `http.8080`). */
  port?: number;
}

export function matchRoute(filter: RouteFilter, entry: Entry<RouteConfiguration>): boolean {
  const name = entry.resource.name ?? '';
  if (filter.name && filter.name !== name) return false;
  if (filter.port !== undefined && routeConfigPort(name) !== filter.port) return false;
  return true;
}
