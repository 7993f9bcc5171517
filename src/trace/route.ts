// The HTTP routing stage, as Envoy's router does it (`source/common/router/config_impl.cc`):
// virtual host by Host (exact, then suffix wildcards, then prefix wildcards, longest first, then `*`),
// `require_tls`, then the first route whose every condition holds, then its action (cluster,
// weighted clusters, cluster_header, redirect, direct response) with its path and host rewrites.
import { isObj, type Obj, type Route, type RouteConfiguration, type RouteMatch, type StringMatcher, type VirtualHost } from '../envoy/model.ts';
import {
  describeStringMatcher,
  fullMatchRegex,
  jsSubstitution,
  matchHeader,
  matchMetadata,
  matchString,
  regexOf,
  searchRegex,
  type HeaderMap,
} from './match.ts';

/** One HTTP request as the router sees it (after the connection manager's host/path fixes). */
export interface HttpRequest {
  /** Host / `:authority`; undefined when the request has none. */
  authority: string | undefined;
  /** `:path` including the query string. */
  path: string;
  method: string;
  /** `x-forwarded-proto` as the router reads it: `https` when the downstream connection is TLS. */
  forwardedProto: string;
  /** Other headers, lowercased names. */
  headers: HeaderMap;
  /** The request's random value: weighted clusters and runtime fractions (router_check_tool's random_value). */
  random: number;
  /** Dynamic metadata set by earlier filters (namespace → Struct). */
  dynamicMetadata: ReadonlyMap<string, Obj>;
  /** Whether the downstream connection is TLS (route `tls_context` match). */
  tls: boolean;
}

/** Runtime lookups (router_check_tool mocks them; a real Envoy uses its default values). */
export interface Runtime {
  /** Is the fraction `numerator/denominator` on for this request? */
  fractionEnabled(runtimeKey: string | undefined, numerator: number, denominator: number, random: number): boolean;
}

/** Envoy's own rule when no runtime override exists: `random % denominator < numerator`. */
export const DEFAULT_RUNTIME: Runtime = {
  fractionEnabled: (_key, numerator, denominator, random) => random % denominator < numerator,
};

/** A candidate that lost, and why: the "nearest candidates that did not match" of each step. */
export interface Candidate {
  name: string;
  reason: string;
}

export interface VirtualHostDecision {
  vhost: VirtualHost | undefined;
  /** The Host as compared (lowercased, port stripped when the config says so). */
  host: string;
  /** The domain that matched. */
  domain?: string;
  reason: string;
  candidates: Candidate[];
}

export type RouteAction =
  | {
      kind: 'cluster';
      /** Undefined when cluster_header names a header the request lacks. */
      cluster: string | undefined;
      reason: string;
      pathRewrite: string;
      hostRewrite: string;
      /** When there is no cluster: the code the router answers with (cluster_not_found_response_code). */
      noClusterStatus?: number;
    }
  | { kind: 'redirect'; url: string; status: number; reason: string }
  | { kind: 'direct_response'; status: number; body: string | undefined; reason: string }
  | { kind: 'unsupported'; reason: string };

export interface RouteDecision {
  vhost: VirtualHostDecision;
  /** The matched route; absent on no route (404) and on a require_tls redirect. */
  route?: Route;
  routeName?: string;
  routeReason?: string;
  /** Routes before the match (or all of them, on no match) and why each was passed over. */
  routeCandidates: Candidate[];
  action?: RouteAction;
  /** The vhost's virtual cluster for this request: "" when it defines none, "other" when none matches. */
  virtualCluster: string;
}

/** Routes one request through a route configuration. */
export function routeRequest(config: RouteConfiguration, request: HttpRequest, runtime: Runtime = DEFAULT_RUNTIME): RouteDecision {
  const vhost = findVirtualHost(config, request.authority);
  const decision: RouteDecision = { vhost, routeCandidates: [], virtualCluster: '' };
  const vh = vhost.vhost;
  if (!vh) return decision;
  const headers = withPseudoHeaders(request);
  const tlsRedirect = requireTlsRedirect(vh, request, headers);
  if (tlsRedirect) {
    decision.action = tlsRedirect;
    return decision;
  }
  const routes = vh.routes ?? [];
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index] ?? {};
    const verdict = matchRoute(route.match ?? {}, request, headers, runtime);
    const name = routeLabel(route, index);
    if (!verdict.ok) {
      decision.routeCandidates.push({ name, reason: verdict.why });
      continue;
    }
    decision.route = route;
    decision.routeName = name;
    decision.routeReason = `first matching route (of ${routes.length}): ${verdict.why}`;
    decision.action = routeAction(route, verdict.matchedLength, request, headers);
    if (decision.action.kind === 'cluster') decision.virtualCluster = virtualClusterOf(vh, headers);
    return decision;
  }
  return decision;
}

/** `name` if the route has one, else `#index match`. */
function routeLabel(route: Route, index: number): string {
  return route.name ? route.name : `#${index} ${describeMatch(route.match ?? {})}`;
}

// ---- virtual hosts -----------------------------------------------------------------------------

interface VirtualHostIndex {
  exact: Map<string, VirtualHost>;
  /** Wildcards without the `*`, longest first. */
  suffixes: { key: string; vhost: VirtualHost }[];
  prefixes: { key: string; vhost: VirtualHost }[];
  fallback: VirtualHost | undefined;
}

const indexes = new WeakMap<RouteConfiguration, VirtualHostIndex>();

function indexOf(config: RouteConfiguration): VirtualHostIndex {
  let index = indexes.get(config);
  if (index) return index;
  index = { exact: new Map(), suffixes: [], prefixes: [], fallback: undefined };
  for (const vhost of config.virtual_hosts ?? []) {
    for (const raw of vhost.domains ?? []) {
      const domain = raw.toLowerCase();
      if (domain === '*') index.fallback ??= vhost;
      else if (domain.startsWith('*')) index.suffixes.push({ key: domain.slice(1), vhost });
      else if (domain.endsWith('*')) index.prefixes.push({ key: domain.slice(0, -1), vhost });
      else if (!index.exact.has(domain)) index.exact.set(domain, vhost);
    }
  }
  // Longest first; a stable sort keeps config order between equal lengths (Envoy rejects duplicates).
  index.suffixes.sort((a, b) => b.key.length - a.key.length);
  index.prefixes.sort((a, b) => b.key.length - a.key.length);
  indexes.set(config, index);
  return index;
}

/** `RouteMatcher::findVirtualHost`. */
function findVirtualHost(config: RouteConfiguration, authority: string | undefined): VirtualHostDecision {
  const index = indexOf(config);
  const total = (config.virtual_hosts ?? []).length;
  if (index.fallback && index.exact.size === 0 && index.suffixes.length === 0 && index.prefixes.length === 0) {
    return {
      vhost: index.fallback,
      host: authority?.toLowerCase() ?? '',
      domain: '*',
      reason: 'the only domain of the route configuration is "*"',
      candidates: [],
    };
  }
  if (authority === undefined || authority === '') {
    return { vhost: undefined, host: '', reason: 'the request has no Host, and the route configuration is not a single "*"', candidates: [] };
  }
  const stripPort = config.ignore_port_in_host_matching === true;
  const host = stripPort ? withoutPort(authority.toLowerCase()) : authority.toLowerCase();
  const portNote = stripPort && host !== authority.toLowerCase() ? ' (port ignored: ignore_port_in_host_matching)' : '';
  const exact = index.exact.get(host);
  if (exact) return { vhost: exact, host, domain: host, reason: `exact domain "${host}"${portNote}`, candidates: [] };
  const candidates: Candidate[] = nearDomains(index, host);
  for (const { key, vhost } of index.suffixes) {
    if (host.length > key.length && host.endsWith(key)) {
      return { vhost, host, domain: `*${key}`, reason: `suffix wildcard "*${key}" (no exact domain "${host}")${portNote}`, candidates };
    }
  }
  for (const { key, vhost } of index.prefixes) {
    if (host.length > key.length && host.startsWith(key)) {
      return { vhost, host, domain: `${key}*`, reason: `prefix wildcard "${key}*" (no exact or suffix-wildcard domain)${portNote}`, candidates };
    }
  }
  if (index.fallback) {
    return {
      vhost: index.fallback,
      host,
      domain: '*',
      reason: `default "*": none of the ${total} virtual hosts has "${host}" as a domain or wildcard${portNote}`,
      candidates,
    };
  }
  return { vhost: undefined, host, reason: `no virtual host has "${host}" as a domain, no wildcard matches, and there is no "*"${portNote}`, candidates };
}

/** Domains that differ from the host only by port: the usual near miss (`ratings:80` vs `ratings:9080`). */
function nearDomains(index: VirtualHostIndex, host: string): Candidate[] {
  const bare = withoutPort(host);
  const near: Candidate[] = [];
  for (const [domain, vhost] of index.exact) {
    if (domain !== host && withoutPort(domain) === bare) {
      near.push({ name: vhost.name ?? '', reason: `domain "${domain}" differs in port from "${host}"` });
      if (near.length >= 3) break;
    }
  }
  for (const { key, vhost } of index.suffixes) {
    if (`.${bare}` === key || bare === key) near.push({ name: vhost.name ?? '', reason: `"*${key}" needs at least one character before "${key}"` });
  }
  return near;
}

/** `host:port` → `host`; `[v6]:port` → `[v6]`; a bare IPv6 literal is left alone. */
export function withoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.indexOf(':') !== colon) return host;
  return /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

// ---- route match ---------------------------------------------------------------------------------

/** Request headers plus the pseudo-headers route matchers can name. */
function withPseudoHeaders(request: HttpRequest): Map<string, readonly string[]> {
  const headers = new Map(request.headers);
  if (request.authority !== undefined) headers.set(':authority', [request.authority]);
  headers.set(':path', [request.path]);
  headers.set(':method', [request.method]);
  headers.set(':scheme', [request.forwardedProto]);
  if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', [request.forwardedProto]);
  return headers;
}

function requireTlsRedirect(vh: VirtualHost, request: HttpRequest, headers: HeaderMap): RouteAction | undefined {
  const mode = vh.require_tls ?? 'NONE';
  if (mode !== 'ALL' && mode !== 'EXTERNAL_ONLY') return undefined;
  if (request.forwardedProto === 'https') return undefined;
  if (mode === 'EXTERNAL_ONLY' && headers.get('x-envoy-internal')?.[0] === 'true') return undefined;
  return {
    kind: 'redirect',
    url: `https://${request.authority ?? ''}${request.path}`,
    status: 301,
    reason: `virtual host requires TLS (require_tls ${mode}) and the request is not https`,
  };
}

interface RouteVerdict {
  ok: boolean;
  why: string;
  /** How much of the path the path specifier matched (for prefix_rewrite). */
  matchedLength: number;
}

/** `RouteEntryImplBase::matchRoute` then the path specifier; the first failing condition is the reason. */
function matchRoute(match: RouteMatch, request: HttpRequest, headers: HeaderMap, runtime: Runtime): RouteVerdict {
  const fail = (why: string): RouteVerdict => ({ ok: false, why, matchedLength: 0 });
  const fraction = runtimeFraction(match);
  if (fraction && !runtime.fractionEnabled(fraction.key, fraction.numerator, fraction.denominator, request.random)) {
    return fail(
      `runtime fraction ${fraction.numerator}/${fraction.denominator}${fraction.key ? ` (${fraction.key})` : ''} is off for random value ${request.random}`,
    );
  }
  if (match.grpc !== undefined && !isGrpc(headers)) return fail('not a gRPC request (content-type is not application/grpc)');
  for (const header of match.headers ?? []) {
    const verdict = matchHeader(header, headers);
    if (!verdict.ok) return fail(`header ${verdict.why}`);
  }
  const query = parseQuery(request.path);
  for (const param of match.query_parameters ?? []) {
    const verdict = matchQueryParameter(param, query);
    if (!verdict.ok) return fail(verdict.why);
  }
  if (isObj(match['tls_context'])) {
    const wanted = match['tls_context'];
    for (const key of ['presented', 'validated'] as const) {
      if (typeof wanted[key] === 'boolean' && wanted[key] !== request.tls) {
        return fail(`tls_context.${key} is ${wanted[key]} but the downstream connection is ${request.tls ? '' : 'not '}TLS`);
      }
    }
  }
  const metadata = match['dynamic_metadata'];
  if (Array.isArray(metadata)) {
    for (const matcher of metadata) {
      const verdict = isObj(matcher) ? matchMetadata(matcher, request.dynamicMetadata) : { ok: false, why: 'bad metadata matcher' };
      if (!verdict.ok) return fail(verdict.why);
    }
  }
  if (Array.isArray(match['filter_state']) && match['filter_state'].length > 0) return fail('filter_state matches are not simulated');
  return matchPath(match, request);
}

function matchPath(match: RouteMatch, request: HttpRequest): RouteVerdict {
  const path = pathOnly(request.path);
  const sensitive = match.case_sensitive !== false;
  const same = (a: string, b: string): boolean => (sensitive ? a === b : a.toLowerCase() === b.toLowerCase());
  const caseNote = sensitive ? '' : ' (ignoring case)';
  const result = (ok: boolean, why: string, matchedLength: number): RouteVerdict => ({ ok, why, matchedLength });
  if (match.prefix !== undefined) {
    const ok = same(path.slice(0, match.prefix.length), match.prefix);
    return result(ok, `path "${path}" ${ok ? 'starts' : 'does not start'} with prefix "${match.prefix}"${caseNote}`, match.prefix.length);
  }
  if (match.path !== undefined) {
    const ok = same(path, match.path);
    return result(ok, `path "${path}" ${ok ? 'is' : 'is not'} "${match.path}"${caseNote}`, path.length);
  }
  if (match.path_separated_prefix !== undefined) {
    const p = match.path_separated_prefix;
    const ok = same(path, p) || (path.length > p.length && path[p.length] === '/' && same(path.slice(0, p.length), p));
    return result(ok, `path "${path}" ${ok ? 'is' : 'is not'} "${p}" or under "${p}/"${caseNote}`, p.length);
  }
  const regex = match.safe_regex !== undefined ? regexOf(match.safe_regex) : match.regex;
  if (regex !== undefined) {
    const compiled = fullMatchRegex(regex);
    if (!compiled) return result(false, `regex "${regex}" cannot be evaluated here (not JavaScript-compatible)`, 0);
    const ok = compiled.test(path);
    return result(ok, `path "${path}" ${ok ? 'matches' : 'does not match'} regex "${regex}"`, path.length);
  }
  if (match.connect_matcher !== undefined) {
    const ok = request.method === 'CONNECT';
    return result(ok, ok ? 'CONNECT request' : 'not a CONNECT request', 0);
  }
  if (match.path_match_policy !== undefined) return result(false, 'path_match_policy (URI template) is not simulated', 0);
  return result(false, 'the route has no path specifier', 0);
}

/** A route's path condition in a few words. */
export function describeMatch(match: RouteMatch): string {
  const sensitive = match.case_sensitive === false ? ' (any case)' : '';
  let text = 'no path condition';
  if (match.prefix !== undefined) text = `prefix ${match.prefix}`;
  else if (match.path !== undefined) text = `path ${match.path}`;
  else if (match.path_separated_prefix !== undefined) text = `path_separated_prefix ${match.path_separated_prefix}`;
  else if (match.safe_regex !== undefined || match.regex !== undefined) text = `regex ${regexOf(match.safe_regex) ?? match.regex ?? ''}`;
  else if (match.connect_matcher !== undefined) text = 'CONNECT';
  const extras = [
    (match.headers ?? []).length > 0 && `${(match.headers ?? []).length} header matcher(s)`,
    (match.query_parameters ?? []).length > 0 && `${(match.query_parameters ?? []).length} query matcher(s)`,
    match.runtime_fraction !== undefined && 'runtime fraction',
  ].filter((x): x is string => typeof x === 'string');
  return `${text}${sensitive}${extras.length > 0 ? ` + ${extras.join(', ')}` : ''}`;
}

/** The path without its query string and fragment. */
export function pathOnly(path: string): string {
  const cut = path.search(/[?#]/);
  return cut < 0 ? path : path.slice(0, cut);
}

function queryOf(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? '' : path.slice(q);
}

function isGrpc(headers: HeaderMap): boolean {
  const type = headers.get('content-type')?.[0] ?? '';
  return type === 'application/grpc' || type.startsWith('application/grpc+') || type.startsWith('application/grpc;');
}

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

function runtimeFraction(match: RouteMatch): { key: string | undefined; numerator: number; denominator: number } | undefined {
  const fraction = match.runtime_fraction;
  if (isObj(fraction)) {
    const value = isObj(fraction['default_value']) ? fraction['default_value'] : {};
    const denominator = DENOMINATORS[String(value['denominator'] ?? 'HUNDRED')] ?? [100, 10_000, 1_000_000][Number(value['denominator'])] ?? 100;
    const key = typeof fraction['runtime_key'] === 'string' ? fraction['runtime_key'] : undefined;
    return { key, numerator: Number(value['numerator'] ?? 0), denominator };
  }
  // v2 `runtime: {runtime_key, default_value}` (a percentage).
  const v2 = match['runtime'];
  if (isObj(v2))
    return { key: typeof v2['runtime_key'] === 'string' ? v2['runtime_key'] : undefined, numerator: Number(v2['default_value'] ?? 0), denominator: 100 };
  return undefined;
}

/** Query parameters of `:path`, decoded; for a repeated key only the first value counts. */
function parseQuery(path: string): Map<string, string> {
  const params = new Map<string, string>();
  const q = path.indexOf('?');
  if (q < 0) return params;
  const end = path.indexOf('#', q);
  for (const pair of path.slice(q + 1, end < 0 ? undefined : end).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (!params.has(key)) params.set(key, decode(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return params;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function matchQueryParameter(param: Obj, query: Map<string, string>): { ok: boolean; why: string } {
  const name = String(param['name'] ?? '');
  const value = query.get(name);
  if (param['present_match'] === true || (param['string_match'] === undefined && (param['value'] === undefined || param['value'] === ''))) {
    return { ok: value !== undefined, why: `query parameter ${name} is ${value === undefined ? 'absent' : 'present'}` };
  }
  if (value === undefined) return { ok: false, why: `query parameter ${name} is absent` };
  let ok: boolean;
  let wanted: string;
  if (isObj(param['string_match'])) {
    const sm = param['string_match'] as StringMatcher;
    ok = matchString(sm, value);
    wanted = describeStringMatcher(sm);
  } else {
    const v2 = String(param['value']);
    ok = param['regex'] === true ? (fullMatchRegex(v2)?.test(value) ?? false) : value === v2;
    wanted = `${param['regex'] === true ? 'regex' : 'exact'} ${JSON.stringify(v2)}`;
  }
  return { ok, why: `query parameter ${name}=${JSON.stringify(value)} ${ok ? 'matches' : 'does not match'} ${wanted}` };
}

// ---- actions ------------------------------------------------------------------------------------

const REDIRECT_CODES: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };
const NOT_FOUND_CODES: Record<string, number> = { SERVICE_UNAVAILABLE: 503, NOT_FOUND: 404, INTERNAL_SERVER_ERROR: 500 };

function routeAction(route: Route, matchedLength: number, request: HttpRequest, headers: HeaderMap): RouteAction {
  if (isObj(route.redirect)) return redirectAction(route.redirect, matchedLength, request);
  if (isObj(route.direct_response)) {
    const status = Number(route.direct_response.status ?? 0);
    const body = isObj(route.direct_response.body) ? route.direct_response.body['inline_string'] : undefined;
    return { kind: 'direct_response', status, body: typeof body === 'string' ? body : undefined, reason: `the route answers directly with ${status}` };
  }
  const action = route.route;
  if (!isObj(action)) {
    const kind = Object.keys(route).find((key) => ['filter_action', 'non_forwarding_action'].includes(key));
    return { kind: 'unsupported', reason: kind ? `${kind} routes are not simulated` : 'the route has no action' };
  }
  const picked = pickCluster(action, request, headers);
  if ('unsupported' in picked) return { kind: 'unsupported', reason: picked.unsupported };
  const pathRewrite = rewritePath(action, matchedLength, request.path);
  const hostRewrite = rewriteHost(action, picked.hostRewrite, request, headers);
  const result: RouteAction = { kind: 'cluster', cluster: picked.cluster, reason: picked.reason, pathRewrite, hostRewrite };
  if (picked.cluster === undefined) {
    result.noClusterStatus = NOT_FOUND_CODES[String(action['cluster_not_found_response_code'] ?? 'SERVICE_UNAVAILABLE')] ?? 503;
  }
  return result;
}

function pickCluster(
  action: Obj,
  request: HttpRequest,
  headers: HeaderMap,
): { cluster: string | undefined; reason: string; hostRewrite?: string } | { unsupported: string } {
  if (typeof action['cluster'] === 'string') return { cluster: action['cluster'], reason: `route.cluster is "${action['cluster']}"` };
  if (typeof action['cluster_header'] === 'string') return fromHeader(action['cluster_header'], headers);
  const weighted = action['weighted_clusters'];
  if (isObj(weighted) && Array.isArray(weighted['clusters'])) {
    const headerName = typeof weighted['header_name'] === 'string' ? weighted['header_name'] : undefined;
    const headerValue = headerName ? headers.get(headerName.toLowerCase()) : undefined;
    const fromHeaderValue = headerValue?.length === 1 && /^\d+$/.test(headerValue[0] ?? '') ? Number(headerValue[0]) : undefined;
    const hashed = weighted['use_hash_policy'] === true ? ' (use_hash_policy: the hash is not simulated, the random value stands in)' : '';
    const source = fromHeaderValue !== undefined ? `header ${headerName}=${fromHeaderValue}` : `random value ${request.random}${hashed}`;
    const picked = pickWeighted(weighted['clusters'].filter(isObj), fromHeaderValue ?? request.random, source);
    if (!picked.chosen) return { cluster: undefined, reason: picked.reason };
    const c = picked.chosen;
    const literal = typeof c['host_rewrite_literal'] === 'string' ? { hostRewrite: c['host_rewrite_literal'] } : {};
    if (typeof c['cluster_header'] === 'string') return { ...fromHeader(c['cluster_header'], headers), ...literal };
    return { cluster: String(c['name'] ?? ''), reason: picked.reason, ...literal };
  }
  if (action['cluster_specifier_plugin'] !== undefined || action['inline_cluster_specifier_plugin'] !== undefined) {
    return { unsupported: 'cluster specifier plugins are not simulated' };
  }
  return { cluster: undefined, reason: 'the route action names no cluster' };
}

/**
 * Envoy's weighted pick (`pickWeightedCluster`): `value % total` falls in one of the clusters'
 * consecutive weight intervals `[0, w1), [w1, w1 + w2), …`, in list order.
 */
export function pickWeighted(clusters: Obj[], value: number, source: string): { chosen?: Obj; reason: string } {
  const total = clusters.reduce((sum, c) => sum + Number(c['weight'] ?? 0), 0);
  if (total === 0) return { reason: 'weighted clusters have a total weight of 0' };
  const selected = value % total;
  const weights = clusters.map((c) => `${String(c['name'] ?? c['cluster_header'])}=${Number(c['weight'] ?? 0)}`).join(', ');
  let begin = 0;
  for (const chosen of clusters) {
    const end = begin + Number(chosen['weight'] ?? 0);
    if (selected >= begin && selected < end)
      return { chosen, reason: `weighted clusters (${weights}): ${source} % ${total} = ${selected} falls in [${begin}, ${end})` };
    begin = end;
  }
  return { reason: 'weighted clusters: no interval holds the selected value' };
}

function fromHeader(name: string, headers: HeaderMap): { cluster: string | undefined; reason: string } {
  const value = headers.get(name.toLowerCase())?.[0];
  return value === undefined
    ? { cluster: undefined, reason: `cluster_header ${name} is absent from the request` }
    : { cluster: value, reason: `cluster_header ${name} is "${value}"` };
}

/** `:path` after prefix_rewrite / regex_rewrite (the query string is kept). */
function rewritePath(action: Obj, matchedLength: number, path: string): string {
  const bare = pathOnly(path);
  const query = path.slice(bare.length);
  if (typeof action['prefix_rewrite'] === 'string') return action['prefix_rewrite'] + bare.slice(matchedLength) + query;
  const rewritten = regexRewrite(action['regex_rewrite'], bare);
  return rewritten === undefined ? path : rewritten + query;
}

/** A RegexMatchAndSubstitute applied to `subject`; undefined without one (or with a pattern JavaScript cannot run). */
function regexRewrite(rewrite: unknown, subject: string): string | undefined {
  if (!isObj(rewrite)) return undefined;
  const pattern = regexOf(rewrite['pattern']);
  const regex = pattern === undefined ? null : searchRegex(pattern);
  return regex ? subject.replace(regex, jsSubstitution(String(rewrite['substitution'] ?? ''))) : undefined;
}

function rewriteHost(action: Obj, weightedLiteral: string | undefined, request: HttpRequest, headers: HeaderMap): string {
  if (weightedLiteral !== undefined) return weightedLiteral;
  if (typeof action['host_rewrite_literal'] === 'string') return action['host_rewrite_literal'];
  if (typeof action['host_rewrite'] === 'string') return action['host_rewrite']; // v2 spelling
  if (typeof action['host_rewrite_header'] === 'string') {
    const value = headers.get(action['host_rewrite_header'].toLowerCase())?.[0];
    if (value !== undefined) return value;
  }
  return regexRewrite(action['host_rewrite_path_regex'], pathOnly(request.path)) ?? request.authority ?? '';
}

function redirectAction(redirect: Obj, matchedLength: number, request: HttpRequest): RouteAction {
  const originalScheme = request.forwardedProto;
  const scheme = redirect['https_redirect'] === true ? 'https' : typeof redirect['scheme_redirect'] === 'string' ? redirect['scheme_redirect'] : originalScheme;
  let host = typeof redirect['host_redirect'] === 'string' ? redirect['host_redirect'] : (request.authority ?? '');
  const portRedirect = redirect['port_redirect'];
  if (portRedirect !== undefined && Number(portRedirect) > 0) {
    host = `${withoutPort(host)}${Number(portRedirect) === defaultPort(scheme) ? '' : `:${Number(portRedirect)}`}`;
  } else if (scheme !== originalScheme && host.endsWith(`:${defaultPort(originalScheme)}`)) {
    host = withoutPort(host);
  }
  const bare = pathOnly(request.path);
  let query = queryOf(request.path);
  let path = bare;
  if (typeof redirect['path_redirect'] === 'string') {
    const target = redirect['path_redirect'];
    const q = target.indexOf('?');
    path = q < 0 ? target : target.slice(0, q);
    if (q >= 0) query = target.slice(q);
  } else if (typeof redirect['prefix_rewrite'] === 'string') {
    path = redirect['prefix_rewrite'] + bare.slice(matchedLength);
  } else {
    path = regexRewrite(redirect['regex_rewrite'], bare) ?? bare;
  }
  if (redirect['strip_query'] === true) query = '';
  const code = redirect['response_code'];
  const status = typeof code === 'number' ? ([301, 302, 303, 307, 308][code] ?? 301) : (REDIRECT_CODES[String(code ?? 'MOVED_PERMANENTLY')] ?? 301);
  return { kind: 'redirect', url: `${scheme}://${host}${path}${query}`, status, reason: `the route redirects (${status})` };
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}

/** The first virtual cluster whose header matchers all hold; "other" when none; "" when none are defined. */
function virtualClusterOf(vh: VirtualHost, headers: HeaderMap): string {
  const clusters = vh['virtual_clusters'];
  if (!Array.isArray(clusters) || clusters.length === 0) return '';
  for (const vc of clusters) {
    if (!isObj(vc)) continue;
    const matchers = Array.isArray(vc['headers']) ? vc['headers'].filter(isObj) : [];
    if (matchers.every((m) => matchHeader(m, headers).ok)) return String(vc['name'] ?? '');
  }
  return 'other';
}
