// Facts about route configurations, rendered the way istioctl's route table
// (`istioctl/pkg/writer/envoy/configdump/route.go`) describes them.
import { parseClusterName } from './clusterName.ts';
import type { Metadata, Route, RouteMatch } from './model.ts';

/** The cluster Istio's `allow_any` vhost forwards to; istioctl hides routes to it. */
const PASSTHROUGH_CLUSTER = 'PassthroughCluster';

/**
 * A route's path condition: `prefix*`, `PathPrefix:p`, the exact path, `regex r`, joined by spaces.
 * Headers and query parameters are not shown. Unlike istioctl, the v2 `regex` field (dropped in v3)
 * is shown like `safe_regex` instead of vanishing.
 */
export function describeRouteMatch(match: RouteMatch | undefined): string {
  if (!match) return '';
  const conditions: string[] = [];
  if (match.prefix) conditions.push(`${match.prefix}*`);
  if (match.path_separated_prefix) conditions.push(`PathPrefix:${match.path_separated_prefix}`);
  if (match.path) conditions.push(match.path);
  if (match.safe_regex) conditions.push(`regex ${match.safe_regex.regex ?? ''}`);
  if (match.regex !== undefined) conditions.push(`regex ${match.regex}`);
  return conditions.join(' ');
}

/** How many domains the DOMAINS column spells out before `+ N more...`. */
const SHOWN_DOMAINS = 2;

/**
 * The DOMAINS column: a lone domain as is; otherwise the domains without a port (bracketed IPv6
 * literals count as port-less), without the long forms of names also present in short form,
 * in their original order, the first two then `+ N more...`.
 */
export function describeRouteDomains(domains: readonly string[] | undefined): string {
  if (!domains || domains.length === 0) return '';
  if (domains.length === 1) return domains[0] ?? '';
  const withoutPort = domains.filter((d) => !d.includes(':') || (colonCount(d) > 2 && d.endsWith(']')));
  const shown = unexpandDomains(withoutPort);
  if (shown.length > SHOWN_DOMAINS) {
    return `${shown.slice(0, SHOWN_DOMAINS).join(', ')} + ${shown.length - SHOWN_DOMAINS} more...`;
  }
  return shown.join(', ');
}

function colonCount(text: string): number {
  return text.split(':').length - 1;
}

/**
 * Drops `x.svc.cluster.local` and `x.svc` when `x` is present too. The suffix is hard-coded as in
 * istioctl, so a custom cluster domain is not shortened.
 */
function unexpandDomains(domains: readonly string[]): string[] {
  const present = new Set(domains);
  const isLongForm = (domain: string): boolean =>
    ['.svc.cluster.local', '.svc'].some((suffix) => domain.endsWith(suffix) && present.has(domain.slice(0, -suffix.length)));
  return domains.filter((domain) => !isLongForm(domain));
}

/** `/apis/networking.istio.io/…` since Istio 1.5; `/apis/networking/v1alpha3/…` before. */
const ISTIO_CONFIG_PATH = /^\/apis\/networking(?:\.istio\.io)?\//;

/**
 * The Istio config a route or cluster came from: `filter_metadata.istio.config`, a path like
 * `/apis/networking.istio.io/v1/namespaces/<ns>/virtual-service/<name>`, as `name.namespace`.
 * No such key → ""; a networking path of another shape → ""; anything else (non-strings,
 * other APIs) → `<unknown>`. istioctl reads only the networking.istio.io spelling and shows the
 * pre-1.5 `/apis/networking/v1alpha3/…` paths of older proxies as `<unknown>`; they name their
 * VirtualService just as well.
 */
export function describeManagement(metadata: Metadata | undefined): string {
  const istio = metadata?.filter_metadata?.['istio'];
  if (!istio || !Object.hasOwn(istio, 'config')) return '';
  const path = istio['config'];
  if (typeof path !== 'string' || !ISTIO_CONFIG_PATH.test(path)) return '<unknown>';
  const pieces = path.split('/');
  return pieces.length === 8 ? `${pieces[7]}.${pieces[5]}` : '';
}

/** Does the route forward to Istio's PassthroughCluster (the `allow_any` catch-all)? */
export function isPassthroughRoute(route: Route): boolean {
  return route.route?.cluster === PASSTHROUGH_CLUSTER;
}

/**
 * The port a route configuration serves, read from the name Istio gives it: `9080` (sidecar
 * outbound), `inbound|9080||` (sidecar inbound), `http.8080` / `https.443.<server>.<gateway>.<ns>`
 * (gateways). Undefined for other names (`InboundPassthroughCluster`, custom RDS names).
 */
export function routeConfigPort(name: string): number | undefined {
  const text = /^\d+$/.test(name) ? name : /^https?\.(\d+)(?:\.|$)/.exec(name)?.[1];
  if (text !== undefined) {
    const port = Number(text);
    return port >= 1 && port <= 65535 ? port : undefined;
  }
  return parseClusterName(name)?.port;
}
