// Texts of the `-o wide` columns: what a route matches beyond its path and where it sends the
// request, which workload an endpoint is, how many endpoints a cluster has. Pure functions of the
// decoded models (canonical snake_case field names), shared by the views.
import { isObj, type LbEndpoint, type Obj, type Route, type RouteMatch } from '../../envoy/model.ts';
import { healthStatusName } from '../../filters/endpoint.ts';

/** Written in a wide cell that has nothing to say, so columns stay countable with awk. */
export const NONE = '-';

/**
 * Everything a route matches besides its path, in Envoy's order: headers (`:method` is how
 * methods are matched), query parameters, gRPC, and case-insensitive paths.
 * e.g. `end-user: jason`, `:method: GET|POST (regex)`, `?debug`, `!x-canary: true`.
 */
export function describeRouteConditions(match: RouteMatch | undefined): string {
  if (!match) return NONE;
  const conditions = [
    ...(match.headers ?? []).map((header) => describeKeyMatch(header, '', ': ')),
    ...(match.query_parameters ?? []).map((param) => describeKeyMatch(param, '?', '=')),
  ];
  if (match.grpc) conditions.push('grpc');
  if (match.case_sensitive === false) conditions.push('path in any case');
  return conditions.length === 0 ? NONE : conditions.join(', ');
}

/** One header or query-parameter matcher (v3 `string_match`, v3 deprecated and v2 `*_match` fields). */
function describeKeyMatch(matcher: Obj, lead: string, separator: string): string {
  const name = `${matcher['invert_match'] === true ? '!' : ''}${lead}${String(matcher['name'] ?? '')}`;
  const stringMatch = isObj(matcher['string_match']) ? matcher['string_match'] : undefined;
  const value = stringMatch ? describeStringMatch(stringMatch) : describeLegacyMatch(matcher);
  return value === undefined ? name : `${name}${separator}${value}`;
}

function describeStringMatch(match: Obj): string | undefined {
  const text = (key: string): string | undefined => (typeof match[key] === 'string' ? (match[key] as string) : undefined);
  const anyCase = match['ignore_case'] === true ? ' (any case)' : '';
  const regex = isObj(match['safe_regex']) ? match['safe_regex']['regex'] : undefined;
  if (text('exact') !== undefined) return `${text('exact')}${anyCase}`;
  if (text('prefix') !== undefined) return `${text('prefix')}*${anyCase}`;
  if (text('suffix') !== undefined) return `*${text('suffix')}${anyCase}`;
  if (text('contains') !== undefined) return `*${text('contains')}*${anyCase}`;
  if (typeof regex === 'string') return `${regex} (regex)`;
  return undefined;
}

/** HeaderMatcher's pre-`string_match` fields and v2 QueryParameterMatcher's `value`/`regex`. */
function describeLegacyMatch(matcher: Obj): string | undefined {
  const text = (key: string): string | undefined => (typeof matcher[key] === 'string' ? (matcher[key] as string) : undefined);
  const exact = text('exact_match') ?? text('value');
  const regex = isObj(matcher['safe_regex_match']) ? matcher['safe_regex_match']['regex'] : text('regex_match');
  const range = isObj(matcher['range_match']) ? matcher['range_match'] : undefined;
  if (exact !== undefined) return matcher['regex'] === true ? `${exact} (regex)` : exact;
  if (typeof regex === 'string') return `${regex} (regex)`;
  if (text('prefix_match') !== undefined) return `${text('prefix_match')}*`;
  if (text('suffix_match') !== undefined) return `*${text('suffix_match')}`;
  if (text('contains_match') !== undefined) return `*${text('contains_match')}*`;
  if (range) return `[${String(range['start'] ?? '')},${String(range['end'] ?? '')})`;
  if (matcher['present_match'] === false) return 'absent';
  return undefined; // present_match, or nothing: the name alone says "is present"
}

/**
 * Where the route sends a request: `→ <cluster>`, weighted clusters with their share, the cluster
 * named by a header, a redirect, a direct response; then its timeout and retries when set.
 */
export function describeRouteAction(route: Route): string {
  const action = route.route;
  const parts: string[] = [];
  if (action) {
    const weighted = action.weighted_clusters?.clusters;
    if (action.cluster) parts.push(`→ ${action.cluster}`);
    else if (weighted) parts.push(`→ ${describeWeights(weighted)}`);
    else if (action.cluster_header) parts.push(`→ cluster named by header ${action.cluster_header}`);
    else if (action.cluster_specifier_plugin) parts.push(`→ cluster chosen by plugin ${action.cluster_specifier_plugin}`);
    if (action.timeout !== undefined) parts.push(action.timeout === '0s' ? 'no timeout' : `timeout ${action.timeout}`);
    const retries = isObj(action['retry_policy']) ? action['retry_policy']['num_retries'] : undefined;
    if (retries !== undefined) parts.push(`${String(retries)} retries`);
  } else if (route.redirect) {
    parts.push(`redirect ${describeRedirect(route.redirect)}`);
  } else if (route.direct_response) {
    const body = route.direct_response.body?.['inline_string'];
    parts.push(`direct response ${route.direct_response.status ?? ''}${typeof body === 'string' ? ` "${shorten(body)}"` : ''}`);
  } else if (route['non_forwarding_action'] !== undefined) {
    parts.push('non-forwarding');
  }
  return parts.length === 0 ? NONE : parts.join(', ');
}

function describeWeights(clusters: readonly ({ name?: string; weight?: number } & Obj)[]): string {
  const total = clusters.reduce((sum, cluster) => sum + Number(cluster.weight ?? 0), 0);
  return clusters
    .map((cluster) => {
      const weight = Number(cluster.weight ?? 0);
      const share = total > 0 ? `${Math.round((weight / total) * 1000) / 10}%` : String(weight);
      return `${cluster.name ?? ''} ${share}`;
    })
    .join(' + ');
}

/** `scheme://host:port/path (code)`, with `*` for the parts the redirect keeps from the request. */
function describeRedirect(redirect: Obj): string {
  const text = (key: string): string | undefined => (typeof redirect[key] === 'string' && redirect[key] !== '' ? (redirect[key] as string) : undefined);
  const scheme = redirect['https_redirect'] === true ? 'https' : (text('scheme_redirect') ?? '*');
  const port = redirect['port_redirect'] !== undefined ? `:${String(redirect['port_redirect'])}` : '';
  const rewrite = text('prefix_rewrite') !== undefined ? `${text('prefix_rewrite')}*` : undefined;
  const path = text('path_redirect') ?? rewrite ?? '/*';
  const code = text('response_code') ?? (typeof redirect['response_code'] === 'number' ? String(redirect['response_code']) : 'MOVED_PERMANENTLY');
  return `${scheme}://${text('host_redirect') ?? '*'}${port}${path} (${code})`;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

/**
 * Istio's `filter_metadata.istio.workload` of an endpoint: `name;namespace;canonical service;
 * canonical revision;cluster` → workload `name.namespace` and version (the canonical revision).
 */
export function endpointWorkload(lbEndpoint: LbEndpoint): { workload: string; version: string } {
  const value = lbEndpoint.metadata?.filter_metadata?.['istio']?.['workload'];
  if (typeof value !== 'string' || value === '') return { workload: NONE, version: NONE };
  const [name = '', namespace = '', , revision = ''] = value.split(';');
  return { workload: namespace ? `${name}.${namespace}` : name || NONE, version: revision || NONE };
}

/** Envoy routes to HEALTHY hosts and to those without a health status (UNKNOWN) alike. */
export function routesTraffic(healthStatus: unknown): boolean {
  const name = healthStatusName(healthStatus);
  return name === 'HEALTHY' || name === 'UNKNOWN';
}
