// Follows one request through a proxy's config, stage by stage, the way Envoy would handle it:
// capture listener → original-destination hand-off → listener filters → filter chain → network
// filter → route configuration → virtual host → route → cluster → endpoints. Every stage says what
// matched, why, and which nearest candidates did not; every way the walk can end is an outcome.
import { hostPort } from '../util/hostPort.ts';
import type { Cluster, ClusterLoadAssignment, ClusterStatus, Entry, FilterChain, Listener, NetworkFilter, Obj, RouteConfiguration } from '../envoy/model.ts';
import { discoveryType } from '../envoy/clusterType.ts';
import { isObj } from '../envoy/model.ts';
import {
  BLACK_HOLE_CLUSTER,
  HTTP_CONNECTION_MANAGER,
  httpRouteSource,
  networkFilterConfig,
  networkFilterName,
  TCP_PROXY,
  tcpProxyCluster,
} from '../envoy/listeners.ts';
import { healthStatusName } from '../filters/endpoint.ts';
import { findByName, type TraceConfig } from './config.ts';
import {
  captureListener,
  handOff,
  hboneTunnel,
  matchFilterChain,
  runListenerFilters,
  type Connection,
  type Detected,
  type TunnelDecision,
} from './listener.ts';
import { inCidr } from './match.ts';
import { describeMatch, DEFAULT_RUNTIME, pathOnly, pickWeighted, routeRequest, withoutPort, type Candidate, type HttpRequest } from './route.ts';

export type Stage = 'listener' | 'filter_chain' | 'network_filter' | 'route_config' | 'virtual_host' | 'route' | 'cluster' | 'endpoints';

export interface TraceStep {
  stage: Stage;
  name: string;
  /** What the chosen object's conditions are, when its name does not say (filter chains). */
  match?: string;
  reason: string;
  /** The nearest candidates that did not match, and why not. */
  candidates?: Candidate[];
  /** Further facts of the stage (listener filters run, rewrites, endpoint health …). */
  details?: string[];
}

export type Outcome =
  | 'forwarded'
  | 'passthrough'
  | 'blackhole'
  | 'no_healthy_endpoints'
  | 'no_listener'
  | 'no_filter_chain'
  | 'no_route_config'
  | 'no_virtual_host'
  | 'no_route'
  | 'redirect'
  | 'direct_response'
  | 'no_cluster'
  | 'cluster_not_found'
  | 'protocol_error'
  | 'not_simulated';

/** Outcomes where the request reaches no destination: `--exit-code` makes them exit 1. */
export const UNROUTED_OUTCOMES: ReadonlySet<Outcome> = new Set([
  'blackhole',
  'no_healthy_endpoints',
  'no_listener',
  'no_filter_chain',
  'no_route_config',
  'no_virtual_host',
  'no_route',
  'no_cluster',
  'cluster_not_found',
  'protocol_error',
]);

export interface TraceResult {
  outcome: Outcome;
  cluster: string | null;
  endpoints: string[];
  /** The HTTP status Envoy answers with itself (404 no route, 503 BlackHole, a redirect's code …). */
  status?: number;
  /** A redirect's Location. */
  location?: string;
  detail: string;
}

/** The request as given (after defaults), for the report. */
export interface TraceRequest {
  protocol: 'http' | 'tcp';
  direction: 'inbound' | 'outbound';
  method: string;
  /** Scheme of the URL (`http`, `https`) or `tcp`. */
  scheme: string;
  authority: string | undefined;
  path: string;
  headers: [string, string][];
  dstIp: string;
  dstPort: number;
  /** How the destination was chosen (`--dst`, or the VIP the host resolved to and where it was found). */
  dstSource: string;
  srcIp: string | undefined;
  srcPort: number | undefined;
  tls: boolean;
  sni: string | undefined;
  alpn: string[];
  random: number;
}

export interface Trace {
  request: Obj;
  steps: TraceStep[];
  result: TraceResult;
}

/** What the trace reads: the dump (listeners, routes, clusters, EDS), Pilot's edsz, or live host health. */
export interface TraceSources {
  config: TraceConfig;
  /** Pilot `/debug/edsz` assignments, used when the dump has no EDS for a cluster. */
  edsz?: readonly ClusterLoadAssignment[];
  /** Live `/clusters?format=json` statuses: endpoints with their health, preferred over EDS. */
  live?: readonly ClusterStatus[];
}

export function traceRequest(sources: TraceSources, request: TraceRequest): Trace {
  const walk = new Walk(sources, request);
  const result = walk.run();
  return { request: summarize(request), steps: walk.steps, result };
}

function summarize(request: TraceRequest): Obj {
  return {
    protocol: request.protocol,
    direction: request.direction,
    ...(request.protocol === 'http'
      ? { method: request.method, scheme: request.scheme, authority: request.authority ?? null, path: request.path, headers: joinedHeaders(request.headers) }
      : {}),
    destination: hostPort(request.dstIp, request.dstPort),
    destination_source: request.dstSource,
    source: request.srcIp === undefined ? null : request.srcPort === undefined ? request.srcIp : `${request.srcIp}:${request.srcPort}`,
    tls: request.tls,
    sni: request.sni ?? null,
    alpn: request.alpn,
    random: request.random,
  };
}

/** Headers as one object; a repeated header's values joined with `,`, as Envoy's matchers see them. */
function joinedHeaders(headers: readonly [string, string][]): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of headers) joined[name] = name in joined ? `${joined[name]},${value}` : value;
  return joined;
}

class Walk {
  readonly steps: TraceStep[] = [];
  private readonly conn: Connection;
  private readonly sources: TraceSources;
  private readonly request: TraceRequest;

  constructor(sources: TraceSources, request: TraceRequest) {
    this.sources = sources;
    this.request = request;
    this.conn = {
      direction: request.direction,
      dstIp: request.dstIp,
      dstPort: request.dstPort,
      srcIp: request.srcIp,
      srcPort: request.srcPort,
      tls: request.tls,
      sni: request.sni,
      alpn: request.alpn,
      httpProtocol: request.protocol === 'http' && !request.tls ? 'http/1.1' : undefined,
    };
  }

  private step(stage: Stage, name: string, reason: string, extra: { match?: string; candidates?: Candidate[]; details?: string[] } = {}): void {
    const step: TraceStep = { stage, name, ...(extra.match ? { match: extra.match } : {}), reason };
    if (extra.candidates && extra.candidates.length > 0) step.candidates = extra.candidates;
    if (extra.details && extra.details.length > 0) step.details = extra.details;
    this.steps.push(step);
  }

  run(): TraceResult {
    const { listeners } = this.sources.config;
    const capture = captureListener(listeners, this.conn);
    if (!capture.listener) {
      const tunnel = hboneTunnel(listeners, this.conn);
      if (tunnel) return this.throughTunnel(tunnel);
      this.step('listener', '', capture.reason, { candidates: capture.candidates });
      return end('no_listener', capture.reason);
    }
    const implicitTls = isPre117(listeners, capture.listener);
    const accepted = runListenerFilters(capture.listener, this.conn, implicitTls);
    const moved = handOff(listeners, capture.listener, this.conn, accepted.destinationRestored);
    this.step('listener', capture.listener.name ?? '', capture.reason, {
      candidates: capture.candidates,
      details: [...accepted.filters, moved.handedOff ? `use_original_dst: hands the connection off to ${moved.listener.name ?? ''}` : moved.reason],
    });
    let listener = capture.listener;
    let detected = accepted;
    if (moved.handedOff) {
      listener = moved.listener;
      detected = runListenerFilters(listener, this.conn, isPre117(listeners, listener));
      this.step('listener', listener.name ?? '', moved.reason, { candidates: moved.candidates, details: detected.filters });
    }
    return this.filterChain(listener, detected);
  }

  /** HBONE: the CONNECT on the tunnel listener, then the internal listener with the tunnelled connection. */
  private throughTunnel(tunnel: TunnelDecision): TraceResult {
    this.step('listener', tunnel.tunnel.name ?? '', tunnel.reason, { details: tunnel.details });
    const detected = runListenerFilters(tunnel.internal, this.conn, false);
    this.step('listener', tunnel.internal.name ?? '', 'the internal listener gets the tunnelled connection', { details: detected.filters });
    return this.filterChain(tunnel.internal, detected);
  }

  private filterChain(listener: Listener, detected: Detected): TraceResult {
    const decision = matchFilterChain(listener, this.conn, detected);
    const seen = `connection: destination ${hostPort(this.conn.dstIp, this.conn.dstPort)}, transport ${detected.transport}${detected.sni ? `, SNI ${detected.sni}` : ''}${detected.alpn.length > 0 ? `, ALPN ${detected.alpn.join(',')}` : ''}`;
    if (decision.unsupported) {
      this.step('filter_chain', '', decision.unsupported);
      return end('not_simulated', decision.unsupported);
    }
    this.step('filter_chain', decision.name, decision.reason, { match: decision.match, candidates: decision.candidates, details: [seen] });
    if (!decision.chain) return end('no_filter_chain', `${listener.name ?? 'the listener'}: ${decision.reason}`);
    return this.networkFilters(decision.chain);
  }

  private networkFilters(chain: FilterChain): TraceResult {
    const filters = chain.filters ?? [];
    const before: string[] = [];
    let sniCluster = false;
    for (const filter of filters) {
      const name = networkFilterName(filter);
      if (name === HTTP_CONNECTION_MANAGER || name === TCP_PROXY) {
        const others = before.length > 0 ? `; before it ${before.join(', ')} (not simulated: they may reject or alter the connection)` : '';
        this.step('network_filter', name, `the chain's terminal filter${others}`);
        return name === TCP_PROXY ? this.tcpProxy(filter, sniCluster) : this.http(chain, filter);
      }
      if (name === 'envoy.filters.network.sni_cluster') sniCluster = true;
      before.push(name);
    }
    const last = before.at(-1);
    const reason =
      last === undefined
        ? 'the chain has no network filters'
        : `the chain ends in ${last}, which is not simulated (only http_connection_manager and tcp_proxy are)`;
    this.step('network_filter', last ?? '', reason);
    return end('not_simulated', reason);
  }

  // ---- TCP --------------------------------------------------------------------------------------

  private tcpProxy(filter: NetworkFilter, sniCluster: boolean): TraceResult {
    const config = networkFilterConfig(filter) ?? {};
    const picked =
      sniCluster && this.request.sni
        ? { cluster: this.request.sni, why: `sni_cluster: the cluster is the SNI "${this.request.sni}"` }
        : tcpCluster(config, this.conn, this.request.random);
    if (!picked.cluster) {
      this.step('cluster', '', picked.why);
      return end('no_cluster', picked.why);
    }
    return this.cluster(picked.cluster, picked.why);
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  private http(chain: FilterChain, filter: NetworkFilter): TraceResult {
    const hcm = networkFilterConfig(filter) ?? {};
    if (this.request.protocol === 'tcp') {
      const why = 'the chain ends in an HTTP connection manager, but the connection carries raw TCP: Envoy fails to parse it and closes the connection';
      return end('protocol_error', why);
    }
    if (this.request.tls && !terminatesTls(chain)) {
      const why = 'the client speaks TLS but this chain has no TLS transport socket: the HTTP connection manager cannot parse the encrypted bytes';
      return end('protocol_error', why);
    }
    const routeConfig = this.routeConfig(hcm);
    if (!routeConfig) return end('no_route_config', 'the route configuration is not in the dump: Envoy answers 404 (NR)', 404);
    const request = this.httpRequest(hcm);
    const decision = routeRequest(routeConfig, request, DEFAULT_RUNTIME);
    const vh = decision.vhost;
    this.step('virtual_host', vh.vhost?.name ?? '', vh.reason, { candidates: vh.candidates });
    if (!vh.vhost) return end('no_virtual_host', `no virtual host for "${vh.host}": Envoy answers 404 (NR)`, 404);
    const action = decision.action;
    if (!decision.route) {
      if (action?.kind === 'redirect') {
        this.step('route', 'require_tls', action.reason);
        return { ...end('redirect', `${action.status} to ${action.url}`, action.status), location: action.url };
      }
      const count = (vh.vhost.routes ?? []).length;
      this.step('route', '', `none of the ${count} routes matches`, { candidates: decision.routeCandidates });
      return end('no_route', `no route of virtual host ${vh.vhost.name ?? ''} matches: Envoy answers 404 (NR)`, 404);
    }
    const details = [`match: ${describeMatch(decision.route.match ?? {})}`];
    if (action?.kind === 'cluster') {
      if (action.pathRewrite !== request.path) details.push(`path rewritten to ${action.pathRewrite}`);
      if (action.hostRewrite !== (request.authority ?? '')) details.push(`host rewritten to ${action.hostRewrite}`);
      if (decision.virtualCluster) details.push(`virtual cluster ${decision.virtualCluster}`);
      details.push(`action: ${action.reason}`);
    }
    this.step('route', decision.routeName ?? '', decision.routeReason ?? '', { candidates: decision.routeCandidates, details });
    switch (action?.kind) {
      case 'redirect':
        return { ...end('redirect', `${action.status} to ${action.url}`, action.status), location: action.url };
      case 'direct_response':
        return end('direct_response', `Envoy answers ${action.status} itself${action.body ? ` with body ${JSON.stringify(action.body)}` : ''}`, action.status);
      case 'cluster':
        if (action.cluster === undefined) {
          this.step('cluster', '', action.reason);
          return end('no_cluster', `${action.reason}: Envoy answers ${action.noClusterStatus ?? 503}`, action.noClusterStatus ?? 503);
        }
        return this.cluster(action.cluster, action.reason);
      default:
        return end('not_simulated', action?.reason ?? 'the route has no action');
    }
  }

  private routeConfig(hcm: Obj): RouteConfiguration | undefined {
    const source = httpRouteSource(hcm);
    if (source.kind === 'inline') {
      this.step('route_config', source.routeConfig.name ?? '', 'inline in the HTTP connection manager (route_config)');
      return source.routeConfig;
    }
    if (source.kind === 'rds') {
      const found = findByName(this.sources.config.routes, source.routeConfigName);
      this.step(
        'route_config',
        source.routeConfigName,
        found
          ? `RDS route_config_name "${source.routeConfigName}", found in the dump (${found.state})`
          : `RDS route_config_name "${source.routeConfigName}" is not in the dump's RoutesConfigDump`,
      );
      return found?.resource;
    }
    const scoped = hcm['scoped_routes'];
    if (isObj(scoped)) return this.scopedRouteConfig(scoped);
    this.step('route_config', '', 'the HTTP connection manager names no route configuration');
    return undefined;
  }

  /** Scoped RDS: the key is built from request headers, and the scope with that key names the route config. */
  private scopedRouteConfig(scoped: Obj): RouteConfiguration | undefined {
    const builder = isObj(scoped['scope_key_builder']) ? scoped['scope_key_builder'] : {};
    const fragments = Array.isArray(builder['fragments']) ? builder['fragments'].filter(isObj) : [];
    const headers = new Map(this.request.headers.map(([k, v]) => [k.toLowerCase(), v]));
    if (this.request.authority !== undefined) headers.set(':authority', this.request.authority);
    const key = fragments.map((fragment) => {
      const extractor = isObj(fragment['header_value_extractor']) ? fragment['header_value_extractor'] : {};
      const value = headers.get(String(extractor['name'] ?? '').toLowerCase());
      if (value === undefined) return undefined;
      const separator = typeof extractor['element_separator'] === 'string' ? extractor['element_separator'] : '';
      const elements = separator === '' ? [value] : value.split(separator);
      if (isObj(extractor['element'])) {
        const wanted = isObj(extractor['element']) ? extractor['element'] : {};
        const sep = String(wanted['separator'] ?? '=');
        const hit = elements.find((e) => e.split(sep)[0] === wanted['key']);
        return hit?.slice(hit.indexOf(sep) + sep.length);
      }
      return elements[Number(extractor['index'] ?? 0)];
    });
    const name = String(scoped['name'] ?? '');
    const scopes: Obj[] = [];
    for (const entry of this.sources.config.scopedRoutes) {
      if (entry.resource.name !== name && name !== '') continue;
      for (const config of entry.resource.scoped_route_configs ?? []) scopes.push(config);
    }
    const inline = isObj(scoped['scoped_route_configurations_list']) ? scoped['scoped_route_configurations_list']['scoped_route_configurations'] : undefined;
    if (Array.isArray(inline)) scopes.push(...inline.filter(isObj));
    const keyText = key.map((k) => k ?? '(absent)').join(', ');
    const scope = key.every((k) => k !== undefined)
      ? scopes.find((s) => {
          const fr = isObj(s['key']) && Array.isArray(s['key']['fragments']) ? s['key']['fragments'] : [];
          return fr.length === key.length && fr.every((f, i) => isObj(f) && f['string_key'] === key[i]);
        })
      : undefined;
    if (!scope) {
      this.step('route_config', name, `scoped routes: no scope has the key [${keyText}] built from the request headers`);
      return undefined;
    }
    if (isObj(scope['route_configuration'])) {
      this.step(
        'route_config',
        String(scope['name'] ?? ''),
        `scoped routes: scope ${String(scope['name'] ?? '')} has key [${keyText}] (inline route configuration)`,
      );
      return scope['route_configuration'] as RouteConfiguration;
    }
    const configName = String(scope['route_configuration_name'] ?? '');
    const found = findByName(this.sources.config.routes, configName);
    this.step(
      'route_config',
      configName,
      `scoped routes: scope ${String(scope['name'] ?? '')} has key [${keyText}] and names route configuration "${configName}"${found ? '' : ', which is not in the dump'}`,
    );
    return found?.resource;
  }

  /** The request as the router sees it, after the connection manager's Host and path fixes. */
  private httpRequest(hcm: Obj): HttpRequest {
    let authority = this.request.authority;
    if (authority !== undefined) {
      if (hcm['strip_trailing_host_dot'] === true) authority = authority.replace(/\.(?=(:\d+)?$)/, '');
      if (hcm['strip_any_host_port'] === true) authority = withoutPort(authority);
      else if (hcm['strip_matching_host_port'] === true && authority.endsWith(`:${this.conn.dstPort}`)) authority = withoutPort(authority);
    }
    let path = this.request.path;
    let bare = pathOnly(path);
    const rest = path.slice(bare.length);
    if (hcm['normalize_path'] === true) bare = removeDotSegments(bare);
    if (hcm['merge_slashes'] === true) bare = bare.replace(/\/{2,}/g, '/');
    path = bare + rest;
    const headers = new Map<string, string[]>();
    for (const [name, value] of this.request.headers) headers.set(name.toLowerCase(), [...(headers.get(name.toLowerCase()) ?? []), value]);
    const forwarded = headers.get('x-forwarded-proto')?.[0];
    return {
      authority,
      path,
      method: this.request.method,
      forwardedProto: forwarded ?? (this.request.tls || this.request.scheme === 'https' ? 'https' : 'http'),
      headers,
      random: this.request.random,
      dynamicMetadata: new Map(),
      tls: this.request.tls,
    };
  }

  // ---- clusters and endpoints -------------------------------------------------------------------

  private cluster(name: string, why: string): TraceResult {
    const entry = this.sources.config.cluster(name);
    if (!entry) {
      const detail =
        this.request.protocol === 'http'
          ? `cluster "${name}" is not in the dump: Envoy answers 503 (NC)`
          : `cluster "${name}" is not in the dump: Envoy closes the connection`;
      this.step('cluster', name, `${why}; but no such cluster exists`);
      return end('cluster_not_found', detail, this.request.protocol === 'http' ? 503 : undefined);
    }
    const cluster = entry.resource;
    const type = discoveryType(cluster);
    const warming = entry.state === 'warming' ? ' (still warming: Envoy does not use it yet)' : '';
    this.step('cluster', name, `${why}${warming}`, { details: [`type ${type}${explainSpecial(name, type)}`] });
    if (name === BLACK_HOLE_CLUSTER || (type === 'STATIC' && clusterHasNoHosts(cluster))) {
      const detail =
        this.request.protocol === 'http' ? `${name} has no endpoints: Envoy answers 503 (UH)` : `${name} has no endpoints: Envoy closes the connection`;
      this.step('endpoints', name, 'a static cluster without endpoints');
      return { ...end('blackhole', detail, this.request.protocol === 'http' ? 503 : undefined), cluster: name };
    }
    if (type === 'ORIGINAL_DST') {
      const target = hostPort(this.conn.dstIp, this.conn.dstPort);
      this.step('endpoints', target, "ORIGINAL_DST: the upstream is the connection's original destination");
      return { outcome: 'passthrough', cluster: name, endpoints: [target], detail: `forwarded to the original destination ${target} through ${name}` };
    }
    return this.endpoints(name, cluster, type);
  }

  private endpoints(name: string, cluster: Cluster, type: string): TraceResult {
    const found = this.findEndpoints(name, cluster, type);
    if (!found) {
      const why = this.sources.config.sections.has('endpoints')
        ? `the dump's EDS has no assignment for ${name}`
        : 'the dump has no EDS (save it with ?include_eds, give --eds, or trace a live pod)';
      const detail = `endpoints of ${name} are unknown: ${why}`;
      this.step('endpoints', name, detail);
      return { outcome: 'forwarded', cluster: name, endpoints: [], detail };
    }
    const usable = found.hosts.filter((h) => h.usable).map((h) => h.address);
    const details = found.hosts.map((h) => `${h.address} ${h.health}`);
    this.step('endpoints', name, `${found.hosts.length} endpoint(s) from ${found.source}, ${usable.length} usable`, { details });
    if (usable.length === 0) {
      const detail = found.hosts.length === 0 ? `${name} has no endpoints` : `every endpoint of ${name} is unhealthy or ejected`;
      return { ...end('no_healthy_endpoints', `${detail}: Envoy answers 503 (UH)`, this.request.protocol === 'http' ? 503 : undefined), cluster: name };
    }
    return { outcome: 'forwarded', cluster: name, endpoints: usable, detail: `forwarded to ${name}, one of ${usable.join(', ')}` };
  }

  private findEndpoints(name: string, cluster: Cluster, type: string): { source: string; hosts: Host[] } | undefined {
    const live = this.sources.live?.find((status) => status.name === name);
    if (live) return { source: 'live /clusters', hosts: (live.host_statuses ?? []).map(liveHost) };
    if (type === 'EDS') {
      const serviceName = cluster.eds_cluster_config?.service_name || name;
      const eds = this.sources.config.assignment(serviceName);
      if (eds) return { source: "the dump's EDS", hosts: assignmentHosts(eds) };
      const pilot = this.sources.edsz && findAssignment(this.sources.edsz, serviceName);
      if (pilot) return { source: 'Pilot edsz', hosts: assignmentHosts(pilot) };
      return undefined;
    }
    if (cluster.load_assignment) return { source: `the cluster's load_assignment (${type})`, hosts: assignmentHosts(cluster.load_assignment) };
    if (cluster.hosts)
      return { source: `the cluster's hosts (${type})`, hosts: cluster.hosts.map((a) => ({ address: socketText(a), health: 'UNKNOWN', usable: true })) };
    return undefined;
  }
}

interface Host {
  address: string;
  health: string;
  usable: boolean;
}

function end(outcome: Outcome, detail: string, status?: number): TraceResult {
  const result: TraceResult = { outcome, cluster: null, endpoints: [], detail };
  if (status !== undefined) result.status = status;
  return result;
}

function findAssignment(assignments: readonly ClusterLoadAssignment[], name: string): ClusterLoadAssignment | undefined {
  return assignments.find((a) => a.cluster_name === name);
}

/** Listeners delivered as v2 resources (or untyped v2alpha ones) come from an Envoy older than 1.17. */
function isPre117(listeners: readonly Entry<Listener>[], listener: Listener): boolean {
  const entry = listeners.find((e) => e.resource === listener);
  return entry !== undefined && (entry.typeUrl === undefined || entry.typeUrl.includes('envoy.api.v2.'));
}

function terminatesTls(chain: FilterChain): boolean {
  return chain.transport_socket !== undefined || chain['tls_context'] !== undefined;
}

function clusterHasNoHosts(cluster: Cluster): boolean {
  const assigned = (cluster.load_assignment?.endpoints ?? []).some((l) => (l.lb_endpoints ?? []).length > 0);
  return !assigned && (cluster.hosts ?? []).length === 0;
}

/** Istio's special clusters, in words. */
function explainSpecial(name: string, type: string): string {
  if (name === BLACK_HOLE_CLUSTER)
    return ": Istio's BlackHoleCluster has no endpoints, so Envoy drops what reaches it (REGISTRY_ONLY traffic, loops to the capture port)";
  if (name === 'PassthroughCluster')
    return ": Istio's PassthroughCluster sends the connection on to its original destination, outside the service registry (ALLOW_ANY)";
  if (name.startsWith('InboundPassthroughCluster'))
    return ": Istio's InboundPassthroughCluster hands inbound traffic to the application at its original destination, from 127.0.0.6";
  if (type === 'ORIGINAL_DST') return ": the upstream is the connection's original destination";
  if (type === 'EDS') return ': endpoints come from EDS';
  return '';
}

function socketText(address: { socket_address?: { address?: string; port_value?: number } } | undefined): string {
  const socket = address?.socket_address;
  return socket ? hostPort(socket.address ?? '', socket.port_value ?? 0) : '';
}

/** `ip:port`, an IPv6 address in brackets. */
/** Envoy routes to HEALTHY, UNKNOWN and DEGRADED endpoints, not to UNHEALTHY, DRAINING or TIMEOUT ones. */
const USABLE_HEALTH = new Set(['HEALTHY', 'UNKNOWN', 'DEGRADED']);

function assignmentHosts(cla: ClusterLoadAssignment): Host[] {
  return (cla.endpoints ?? []).flatMap((locality) =>
    (locality.lb_endpoints ?? []).map((lb) => {
      const health = healthStatusName(lb.health_status);
      return { address: socketText(lb.endpoint?.address), health, usable: USABLE_HEALTH.has(health) };
    }),
  );
}

/** A live host: EDS health plus what active health checks and outlier detection decided. */
function liveHost(host: ClusterStatus['host_statuses'] extends (infer H)[] | undefined ? H : never): Host {
  const status = host.health_status ?? {};
  const problems = [
    status.failed_outlier_check && 'ejected by outlier detection',
    status.failed_active_health_check && 'failed active health check',
    status.pending_dynamic_removal && 'pending removal',
    status.excluded_via_immediate_hc_fail && 'excluded (immediate health-check failure)',
    status.active_hc_timeout && 'health check timed out',
  ].filter((x): x is string => typeof x === 'string');
  const eds = healthStatusName(status.eds_health_status);
  const edsOk = USABLE_HEALTH.has(eds);
  const usable = edsOk && problems.length === 0;
  const health = [eds, ...problems].join(', ');
  return { address: socketText(host.address), health, usable };
}

/** tcp_proxy's cluster: `cluster`, `weighted_clusters` (by the random value), or v2 `deprecated_v1.routes` (first match). */
function tcpCluster(config: Obj, conn: Connection, random: number): { cluster: string | undefined; why: string } {
  const named = tcpProxyCluster(config);
  if (named !== '') return { cluster: named, why: `tcp_proxy cluster "${named}"` };
  const weighted = config['weighted_clusters'];
  if (isObj(weighted) && Array.isArray(weighted['clusters'])) {
    const picked = pickWeighted(weighted['clusters'].filter(isObj), random, `random value ${random}`);
    return { cluster: picked.chosen ? String(picked.chosen['name'] ?? '') : undefined, why: `tcp_proxy ${picked.reason}` };
  }
  const v1 = config['deprecated_v1'];
  const routes = isObj(v1) && Array.isArray(v1['routes']) ? v1['routes'].filter(isObj) : [];
  for (const [index, route] of routes.entries()) {
    if (v1RouteMatches(route, conn))
      return { cluster: String(route['cluster'] ?? ''), why: `tcp_proxy deprecated_v1 route #${index} is the first that matches` };
  }
  return {
    cluster: undefined,
    why: routes.length > 0 ? 'no tcp_proxy deprecated_v1 route matches: Envoy closes the connection' : 'the tcp_proxy names no cluster',
  };
}

function v1RouteMatches(route: Obj, conn: Connection): boolean {
  const ranges = (key: string): Obj[] => (Array.isArray(route[key]) ? (route[key] as unknown[]).filter(isObj) : []);
  const inRanges = (ip: string | undefined, list: Obj[]): boolean =>
    list.length === 0 || (ip !== undefined && list.some((r) => inCidr(ip, String(r['address_prefix'] ?? ''), Number(r['prefix_len'] ?? 0))));
  const inPorts = (port: number | undefined, spec: unknown): boolean => {
    if (typeof spec !== 'string' || spec === '') return true;
    if (port === undefined) return false;
    return spec.split(',').some((part) => {
      const [lo, hi] = part.trim().split('-').map(Number);
      return lo !== undefined && port >= lo && port <= (hi ?? lo);
    });
  };
  return (
    inRanges(conn.dstIp, ranges('destination_ip_list')) &&
    inPorts(conn.dstPort, route['destination_ports']) &&
    inRanges(conn.srcIp, ranges('source_ip_list')) &&
    inPorts(conn.srcPort, route['source_ports'])
  );
}

/** RFC 3986 remove_dot_segments, as `normalize_path` does. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '.') continue;
    if (segment === '..') {
      if (out.length > 1) out.pop();
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  return /\/\.\.?$/.test(path) ? `${joined}/` : joined || '/';
}
