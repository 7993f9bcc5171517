// `proxy-config route` table, cell for cell as istioctl's PrintRouteSummary prints it.
import type { Entry, RouteConfiguration } from '../../envoy/model.ts';
import { describeManagement, describeRouteDomains, describeRouteMatch, isPassthroughRoute } from '../../envoy/routes.ts';
import type { Table } from '../tabwriter.ts';
import { describeRouteAction, describeRouteConditions, NONE } from './wide.ts';

export interface RouteTableOptions {
  /** One row per route (VHOST NAME, DOMAINS, MATCH, VIRTUAL SERVICE) instead of one per config. */
  verbose: boolean;
  /** `proxy-config all`: names printed as `route/<name>` (the header keeps saying NAME). */
  namePrefix: boolean;
  /** `-o wide`: per route, also its other conditions (headers, query parameters…) and its action. */
  wide?: boolean;
}

/**
 * Route configs named by an integer (Istio's outbound port routes, `"9080"`) in numeric order;
 * every other config keeps its dump position, and the numeric ones fill the numeric positions.
 *
 * istioctl's comparator (`Atoi(i) < Atoi(j)`, false when either name is not an integer) is not an
 * ordering, so its output is whatever Go's pdqsort makes of it: with ≤ 12 configs (insertion sort)
 * a numeric name never moves past a non-numeric one, e.g. `[9080, http.80, 80]` stays as is where
 * this sort gives `[80, http.80, 9080]`; above 12 it depends on pdqsort's pivots. With ≤ 12
 * configs both agree whenever the numeric names are already in order or stand next to each other.
 */
export function sortRoutes(entries: readonly Entry<RouteConfiguration>[]): Entry<RouteConfiguration>[] {
  const slots: number[] = [];
  const numeric: { entry: Entry<RouteConfiguration>; value: bigint }[] = [];
  entries.forEach((entry, i) => {
    const value = goAtoi(entry.resource.name ?? '');
    if (value === undefined) return;
    slots.push(i);
    numeric.push({ entry, value });
  });
  numeric.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const sorted = [...entries];
  slots.forEach((slot, i) => {
    const item = numeric[i];
    if (item) sorted[slot] = item.entry;
  });
  return sorted;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.Atoi on a 64-bit platform: optional sign, decimal digits, int64 range. */
function goAtoi(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

/** Renders already filtered and sorted route configs (tabwriter padding 5, like istioctl). */
export function routeTable(entries: readonly Entry<RouteConfiguration>[], options: RouteTableOptions): Table {
  const wide = options.wide === true;
  const verbose = options.verbose || wide;
  const rows = [
    wide
      ? ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'CONDITIONS', 'ACTION', 'VIRTUAL SERVICE']
      : verbose
        ? ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE']
        : ['NAME', 'VIRTUAL HOSTS'],
  ];
  for (const { resource: routeConfig } of entries) {
    const name = options.namePrefix ? `route/${routeConfig.name ?? ''}` : (routeConfig.name ?? '');
    const vhosts = routeConfig.virtual_hosts ?? [];
    if (!verbose) {
      rows.push([name, String(vhosts.length)]);
      continue;
    }
    for (const vhost of vhosts) {
      const lead = [name, vhost.name ?? '', describeRouteDomains(vhost.domains)];
      const routes = vhost.routes ?? [];
      for (const route of routes) {
        // The `allow_any` catch-all to PassthroughCluster is noise in every sidecar's table.
        if (isPassthroughRoute(route)) continue;
        const match = describeRouteMatch(route.match);
        const wideCells = wide ? [describeRouteConditions(route.match), describeRouteAction(route)] : [];
        rows.push([...lead, match, ...wideCells, describeManagement(route.metadata)]);
      }
      // istioctl shows a vhost without routes (e.g. a gateway's `blackhole` vhost) as a 404 catch-all.
      if (routes.length === 0) rows.push([...lead, '/*', ...(wide ? [NONE, NONE] : []), '404']);
    }
  }
  return { rows: rows, padding: 5 };
}
