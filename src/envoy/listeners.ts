// Facts about listeners: addresses, binding, filter chains and their terminal network filters,
// plus the MATCH / DESTINATION / TYPE texts of istioctl's listener table
// (`istioctl/pkg/writer/envoy/configdump/listener.go`). Every Envoy generation is understood:
// v2 Struct `config`, `hidden_envoy_deprecated_config`, legacy filter names and v2 type URLs.
import { isObj, type Address, type FilterChain, type FilterChainMatch, type Listener, type NetworkFilter, type Obj, type RouteConfiguration } from './model.ts';
import { describeRouteMatch } from './routes.ts';

export const HTTP_CONNECTION_MANAGER = 'envoy.filters.network.http_connection_manager';
export const TCP_PROXY = 'envoy.filters.network.tcp_proxy';

/** Old names and config type URLs (v2 and v3) that also identify the two terminal filters. */
const NETWORK_FILTER_ALIASES: ReadonlyMap<string, string> = new Map([
  ['envoy.http_connection_manager', HTTP_CONNECTION_MANAGER],
  ['envoy.tcp_proxy', TCP_PROXY],
  ['envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager', HTTP_CONNECTION_MANAGER],
  ['envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', HTTP_CONNECTION_MANAGER],
  ['envoy.config.filter.network.tcp_proxy.v2.TcpProxy', TCP_PROXY],
  ['envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', TCP_PROXY],
]);

// ---- addresses and binding ----------------------------------------------------------------

/** A socket address's IP or host, a pipe's path, or "" (internal listener address, none). */
export function addressText(address: Address | undefined): string {
  return address?.socket_address?.address ?? address?.pipe?.path ?? '';
}

/** The main address followed by the additional ones (dual-stack listeners). */
export function listenerAddresses(listener: Listener): string[] {
  const additional = (listener.additional_addresses ?? []).map((extra) => addressText(extra.address));
  return [addressText(listener.address), ...additional];
}

/** The main address's port; 0 for pipes and internal listeners. */
export function listenerPort(listener: Listener): number {
  return listener.address?.socket_address?.port_value ?? 0;
}

/**
 * Whether the listener binds its own socket. Listeners that don't (Istio's per-port outbound
 * listeners) only get connections handed off by a `use_original_dst` listener.
 */
export function bindsToPort(listener: Listener): boolean {
  return listener.bind_to_port ?? listener.deprecated_v1?.bind_to_port ?? true;
}

/** The chains Envoy chooses among, the default chain last. */
export function listenerFilterChains(listener: Listener): FilterChain[] {
  const chains = listener.filter_chains ?? [];
  return listener.default_filter_chain ? [...chains, listener.default_filter_chain] : chains;
}

// ---- network filters ----------------------------------------------------------------------

/**
 * The filter's current well-known name: legacy names (`envoy.http_connection_manager`) and
 * filters recognisable only by their config type URL map to the modern name; others are kept.
 */
export function networkFilterName(filter: NetworkFilter): string {
  return canonicalFilterName(filter, NETWORK_FILTER_ALIASES);
}

/** A filter's name as `aliases` (old names and config type URLs → current name) give it, else its own. */
export function canonicalFilterName(filter: NetworkFilter, aliases: ReadonlyMap<string, string>): string {
  const name = filter.name ?? '';
  const typeUrl = filter.typed_config?.['@type'] ?? '';
  return aliases.get(name) ?? aliases.get(typeUrl.slice(typeUrl.lastIndexOf('/') + 1)) ?? name;
}

/**
 * The filter's configuration: the typed Any (fields inline), or a v2 Struct `config` (snake_case
 * keys as Istio wrote them), which Envoy 1.14–1.17 dumps call `hidden_envoy_deprecated_config`.
 */
export function networkFilterConfig(filter: NetworkFilter): Obj | undefined {
  const hidden = filter['hidden_envoy_deprecated_config'];
  return filter.typed_config ?? filter.config ?? (isObj(hidden) ? hidden : undefined);
}

/** Where an HTTP connection manager gets its routes from. */
export type HttpRouteSource =
  | { kind: 'inline'; routeConfig: RouteConfiguration }
  | { kind: 'rds'; routeConfigName: string }
  /** Scoped RDS, or an RDS source without a name. */
  | { kind: 'other' };

/** The HCM's `route_specifier`, from its config (v3/v2 typed Any or v2 Struct alike). */
export function httpRouteSource(hcmConfig: Obj | undefined): HttpRouteSource {
  const inline = hcmConfig?.['route_config'];
  if (isObj(inline)) return { kind: 'inline', routeConfig: inline };
  const rds = hcmConfig?.['rds'];
  const name = isObj(rds) ? rds['route_config_name'] : undefined;
  return typeof name === 'string' && name !== '' ? { kind: 'rds', routeConfigName: name } : { kind: 'other' };
}

/** A tcp_proxy's single `cluster` ("" when it uses weighted_clusters or a v1 route table). */
export function tcpProxyCluster(tcpProxyConfig: Obj | undefined): string {
  const cluster = tcpProxyConfig?.['cluster'];
  return typeof cluster === 'string' ? cluster : '';
}

/** Istio's cluster that drops what it gets (REGISTRY_ONLY, loop guards). */
export const BLACK_HOLE_CLUSTER = 'BlackHoleCluster';

/**
 * istioctl ignores a tcp_proxy whose serialized config mentions BlackHoleCluster anywhere (the
 * loop guards and REGISTRY_ONLY catch-alls): the JSON equivalent is any string or map key.
 */
export function isBlackHoleTcpProxy(filter: NetworkFilter): boolean {
  return mentions(networkFilterConfig(filter), BLACK_HOLE_CLUSTER);
}

/** Iterative: a config nested ten thousand levels deep must not overflow the stack. */
function mentions(root: unknown, text: string): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string' && value.includes(text)) return true;
    if (Array.isArray(value)) for (const item of value) pending.push(item);
    else if (isObj(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes(text)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

// ---- istioctl's listener table texts ------------------------------------------------------

/** The TYPE column's values, which `--type` accepts. */
export const LISTENER_TYPES = ['HTTP', 'TCP', 'HTTP+TCP', 'UNKNOWN'] as const;
export type ListenerType = (typeof LISTENER_TYPES)[number];

/**
 * HTTP if any chain has an HTTP connection manager, TCP if any has a tcp_proxy that is not a
 * BlackHole guard, both, or neither. Unlike istioctl (which since 1.7 knows only the modern
 * names), legacy-named filters count too.
 */
export function listenerType(listener: Listener): ListenerType {
  let http = false;
  let tcp = false;
  for (const chain of listenerFilterChains(listener)) {
    for (const filter of chain.filters ?? []) {
      const name = networkFilterName(filter);
      if (name === HTTP_CONNECTION_MANAGER) http = true;
      else if (name === TCP_PROXY && !isBlackHoleTcpProxy(filter)) tcp = true;
    }
  }
  if (http) return tcp ? 'HTTP+TCP' : 'HTTP';
  return tcp ? 'TCP' : 'UNKNOWN';
}

/** ALPN lists Istio generates, by the names istioctl gives them. */
const APP_PROTOCOL_ALIASES: readonly (readonly [string, readonly string[]])[] = [
  ['App: HTTP TLS', ['http/1.0', 'http/1.1', 'h2c', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: Istio HTTP Plain', ['istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: TCP TLS', ['istio-peer-exchange', 'istio']],
  ['App: HTTP', ['http/1.0', 'http/1.1', 'h2c']],
];

/**
 * The MATCH column: SNI, transport, ALPN and destination (`Addr:`) conditions joined by `; `,
 * or `ALL`. Source conditions are not shown, and neither is a listener's `filter_chain_matcher`.
 */
export function describeFilterChainMatch(match: FilterChainMatch | undefined): string {
  const conditions: string[] = [];
  const serverNames = match?.server_names ?? [];
  if (serverNames.length > 0) conditions.push(`SNI: ${serverNames.join(',')}`);
  if (match?.transport_protocol) conditions.push(`Trans: ${match.transport_protocol}`);
  const alpn = match?.application_protocols ?? [];
  if (alpn.length > 0) {
    const alias = APP_PROTOCOL_ALIASES.find(([, protocols]) => sameList(protocols, alpn));
    conditions.push(alias?.[0] ?? `App: ${alpn.join(',')}`);
  }
  const port = match?.destination_port !== undefined ? `:${match.destination_port}` : '';
  const prefixes = match?.prefix_ranges ?? [];
  if (prefixes.length > 0) {
    const ranges = prefixes.map((range) => `${range.address_prefix ?? ''}/${range.prefix_len ?? 0}`);
    conditions.push(`Addr: ${ranges.join(',')}${port}`);
  } else if (port) {
    conditions.push(`Addr: *${port}`);
  }
  return conditions.length > 0 ? conditions.join('; ') : 'ALL';
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * The DESTINATION column, from the first HTTP connection manager or (non-BlackHole) tcp_proxy of
 * the chain: an inline route's description, `Route: <rds name>`, `HTTP`, `Cluster: <name>` or an
 * Istio special cluster's bare name; `Non-HTTP/Non-TCP` when there is neither.
 */
export function describeFilterChainDestination(chain: FilterChain): string {
  for (const filter of chain.filters ?? []) {
    const name = networkFilterName(filter);
    if (name === HTTP_CONNECTION_MANAGER) {
      const source = httpRouteSource(networkFilterConfig(filter));
      if (source.kind === 'inline') return describeInlineRouteConfig(source.routeConfig);
      return source.kind === 'rds' ? `Route: ${source.routeConfigName}` : 'HTTP';
    }
    if (name === TCP_PROXY && !isBlackHoleTcpProxy(filter)) {
      return describeCluster(tcpProxyCluster(networkFilterConfig(filter)));
    }
  }
  return 'Non-HTTP/Non-TCP';
}

/** Istio's special clusters (`PassthroughCluster`, `InboundPassthroughClusterIpv4`, …) are shown bare. */
function describeCluster(cluster: string): string {
  return cluster.includes('Cluster') ? cluster : `Cluster: ${cluster}`;
}

/**
 * An inline route config as a DESTINATION: a catch-all (`*` → `/` → cluster) reads as its
 * cluster; otherwise `Inline Route: ` and, per vhost, its domains (unless just `*`) and route matches.
 */
export function describeInlineRouteConfig(routeConfig: RouteConfiguration): string {
  const catchAllCluster = matchAllCluster(routeConfig);
  if (catchAllCluster !== undefined) return describeCluster(catchAllCluster);
  const vhosts = (routeConfig.virtual_hosts ?? []).map((vhost) => {
    const domains = vhost.domains ?? [];
    const shownDomains = sameList(domains, ['*']) ? '' : domains.join('/');
    const matches = (vhost.routes ?? []).map((route) => describeRouteMatch(route.match)).join(', ');
    return shownDomains ? `${shownDomains} ${matches}` : matches;
  });
  return `Inline Route: ${vhosts.join('; ')}`;
}

/** The cluster of a route config that is one `*` vhost with one `/`-prefix route to one cluster. */
function matchAllCluster(routeConfig: RouteConfiguration): string | undefined {
  const vhosts = routeConfig.virtual_hosts ?? [];
  const vhost = vhosts[0];
  if (vhosts.length !== 1 || !vhost || !sameList(vhost.domains ?? [], ['*'])) return undefined;
  const routes = vhost.routes ?? [];
  const route = routes[0];
  if (routes.length !== 1 || route?.match?.prefix !== '/') return undefined;
  const cluster = route.route?.cluster;
  return typeof cluster === 'string' ? cluster : undefined;
}
