// The connection stages, as Envoy's listener manager does them: which listener accepts the
// connection (`connection_handler_impl.cc`), the original-destination hand-off
// (`active_tcp_socket.cc`: exact IP:port, then 0.0.0.0:port, else stay), the listener filters and
// what they detect, and the filter-chain match (`filter_chain_manager_impl.cc`): nine criteria in
// a fixed precedence, the most specific bucket at each level, no backtracking, default chain last.
import { hostPort } from '../util/hostPort.ts';
import type { Entry, FilterChain, Listener, NetworkFilter, Obj } from '../envoy/model.ts';
import { isObj } from '../envoy/model.ts';
import {
  addressText,
  bindsToPort,
  canonicalFilterName,
  describeFilterChainMatch,
  HTTP_CONNECTION_MANAGER,
  listenerAddresses,
  listenerPort,
  networkFilterConfig,
  networkFilterName,
} from '../envoy/listeners.ts';
import { evaluateChainMatcher, type MatcherConnection } from './chainMatcher.ts';
import { inCidr, parseIp } from './match.ts';
import type { Candidate } from './route.ts';

/** What the connection looks like from the outside, before any listener filter runs. */
export interface Connection {
  direction: 'inbound' | 'outbound';
  /** Original destination. */
  dstIp: string;
  dstPort: number;
  srcIp: string | undefined;
  srcPort: number | undefined;
  /** The client speaks TLS first (what tls_inspector would see), with this SNI and ALPN. */
  tls: boolean;
  sni: string | undefined;
  alpn: readonly string[];
  /** For plain-text HTTP: what http_inspector would detect (`http/1.1`, `http/1.0`, `h2c`); undefined for raw TCP. */
  httpProtocol: string | undefined;
}

/** What the listener filters of one listener found. */
export interface Detected {
  transport: string;
  sni: string | undefined;
  alpn: string[];
  destinationRestored: boolean;
  /** One line per listener filter: what it did. */
  filters: string[];
}

const ACTIVE_STATES = new Set(['active', 'static']);

/** Listeners that can hold connections now: active or static, with a socket address. */
function liveListeners(listeners: readonly Entry<Listener>[]): Listener[] {
  return listeners.filter((entry) => ACTIVE_STATES.has(entry.state) && entry.resource.address?.socket_address).map((entry) => entry.resource);
}

function label(listener: Listener): string {
  return listener.name ?? `${addressText(listener.address)}:${listenerPort(listener)}`;
}

export function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || ip === '[::]';
}

export interface CaptureDecision {
  listener: Listener | undefined;
  reason: string;
  candidates: Candidate[];
}

const OUTBOUND_CAPTURE_PORT = 15001;
const INBOUND_CAPTURE_PORT = 15006;

/**
 * The listener whose socket gets the connection. In a sidecar iptables redirects outbound
 * connections to 15001 and inbound ones to 15006 (Istio ≤ 1.2 sent both to 15001, the listener
 * named `virtual`). Without such a listener (a gateway) the OS picks a bound listener by
 * destination: an exact IP:port bind before 0.0.0.0:port.
 */
export function captureListener(listeners: readonly Entry<Listener>[], conn: Connection): CaptureDecision {
  const live = liveListeners(listeners);
  const bound = live.filter(bindsToPort);
  const boundAt = (port: number): Listener | undefined => bound.find((l) => listenerPort(l) === port && isWildcard(addressText(l.address)));
  const notBinding = live
    .filter((l) => !bindsToPort(l) && listenerPort(l) === conn.dstPort)
    .map((l) => ({
      name: label(l),
      reason: 'bind_to_port=false: it only receives connections handed off by a use_original_dst listener',
    }));
  if (conn.direction === 'inbound') {
    const inbound = boundAt(INBOUND_CAPTURE_PORT);
    if (inbound) return { listener: inbound, reason: `inbound connections are redirected by iptables to port ${INBOUND_CAPTURE_PORT}`, candidates: [] };
    // Other meshes (OSM: 15003) redirect inbound traffic to their own INBOUND listener that restores the destination.
    const other = bound.find((l) => l.traffic_direction === 'INBOUND' && isWildcard(addressText(l.address)) && restoresDestination(l));
    if (other) {
      return {
        listener: other,
        reason: `no listener binds ${INBOUND_CAPTURE_PORT}: inbound connections go to the INBOUND listener that restores the original destination (port ${listenerPort(other)})`,
        candidates: [],
      };
    }
    const legacy = boundAt(OUTBOUND_CAPTURE_PORT);
    if (legacy) {
      return {
        listener: legacy,
        reason: `no listener binds ${INBOUND_CAPTURE_PORT}: as before Istio 1.3, iptables redirects inbound connections to ${OUTBOUND_CAPTURE_PORT} too`,
        candidates: [],
      };
    }
  } else {
    const outbound = boundAt(OUTBOUND_CAPTURE_PORT);
    if (outbound) return { listener: outbound, reason: `outbound connections are redirected by iptables to port ${OUTBOUND_CAPTURE_PORT}`, candidates: [] };
  }
  const key = hostPort(conn.dstIp, conn.dstPort);
  const exact = bound.find((l) => listenerPort(l) === conn.dstPort && addressText(l.address) === conn.dstIp);
  if (exact)
    return {
      listener: exact,
      reason: `no capture listener on ${conn.direction === 'inbound' ? INBOUND_CAPTURE_PORT : OUTBOUND_CAPTURE_PORT}: the connection lands on the listener bound to ${key}`,
      candidates: notBinding,
    };
  const wildcard = bound.find((l) => listenerPort(l) === conn.dstPort && isWildcard(addressText(l.address)));
  if (wildcard)
    return {
      listener: wildcard,
      reason: `no capture listener and no listener bound to ${key}: the connection lands on ${addressText(wildcard.address)}:${conn.dstPort}`,
      candidates: notBinding,
    };
  return {
    listener: undefined,
    reason: `no listener accepts the connection: nothing binds ${conn.direction === 'inbound' ? INBOUND_CAPTURE_PORT : OUTBOUND_CAPTURE_PORT}, ${key} or 0.0.0.0:${conn.dstPort}`,
    candidates: notBinding,
  };
}

const HBONE_PORT = 15008;

export interface TunnelDecision {
  /** The listener on the HBONE port that terminates the CONNECT. */
  tunnel: Listener;
  /** The internal listener its CONNECT route leads to, which gets the tunnelled connection. */
  internal: Listener;
  reason: string;
  details: string[];
}

/**
 * Istio's HBONE, where nothing else takes the connection (a waypoint binds neither 15001 nor the
 * destination): the request arrives tunnelled in an HTTP/2 CONNECT to its destination on port
 * 15008, whose listener routes every CONNECT to a cluster of the same name as an internal listener
 * (`main_internal`) and records the CONNECT authority as that connection's original destination.
 */
export function hboneTunnel(listeners: readonly Entry<Listener>[], conn: Connection): TunnelDecision | undefined {
  const tunnel = liveListeners(listeners).find((l) => listenerPort(l) === HBONE_PORT && bindsToPort(l));
  const hcm = tunnel?.filter_chains?.[0]?.filters?.find((filter) => networkFilterName(filter) === HTTP_CONNECTION_MANAGER);
  const config = hcm ? networkFilterConfig(hcm) : undefined;
  const cluster = connectCluster(config?.['route_config']);
  const internal = listeners.find(
    (entry) => ACTIVE_STATES.has(entry.state) && entry.resource.name === cluster && entry.resource.internal_listener !== undefined,
  );
  if (!tunnel || cluster === undefined || !internal) return undefined;
  // Istio's `connect_authority` (set_filter_state): the key the internal listener's original_dst reads.
  const authority = ((config?.['http_filters'] as unknown[] | undefined) ?? []).some((filter) => {
    const keys = (isObj(filter) && isObj(filter['typed_config']) ? (filter['typed_config']['on_request_headers'] as unknown[] | undefined) : undefined) ?? [];
    return keys.some((key) => isObj(key) && key['object_key'] === 'envoy.filters.listener.original_dst.local_ip');
  });
  return {
    tunnel,
    internal: internal.resource,
    reason: `no listener takes ${hostPort(conn.dstIp, conn.dstPort)} itself: HBONE traffic arrives tunnelled, an HTTP/2 CONNECT to ${hostPort(conn.dstIp, conn.dstPort)} on port ${HBONE_PORT}`,
    details: [
      `its route sends every CONNECT to cluster ${cluster}, the internal listener ${cluster}`,
      ...(authority ? ["a set_filter_state filter records the CONNECT authority as the tunnelled connection's original destination"] : []),
    ],
  };
}

/** The cluster an inline route configuration sends CONNECT requests to (a `connect_matcher` route). */
function connectCluster(routeConfig: unknown): string | undefined {
  for (const vhost of (isObj(routeConfig) ? (routeConfig['virtual_hosts'] as unknown[] | undefined) : undefined) ?? []) {
    for (const route of (isObj(vhost) ? (vhost['routes'] as unknown[] | undefined) : undefined) ?? []) {
      if (!isObj(route) || !isObj(route['match']) || route['match']['connect_matcher'] === undefined) continue;
      const cluster = isObj(route['route']) ? route['route']['cluster'] : undefined;
      if (typeof cluster === 'string') return cluster;
    }
  }
  return undefined;
}

function restoresDestination(listener: Listener): boolean {
  return listener.use_original_dst === true || (listener.listener_filters ?? []).some((f) => listenerFilterName(f) === ORIGINAL_DST);
}

export interface HandOffDecision {
  /** The listener that handles the connection after the hand-off (maybe the accepting one). */
  listener: Listener;
  handedOff: boolean;
  reason: string;
  candidates: Candidate[];
}

/**
 * With `use_original_dst`, and once the destination has been restored, the connection moves to
 * the listener at exactly the original `IP:port` (bound or not), else the one at `0.0.0.0:port`
 * (`[::]:port` for IPv6); with neither it stays. The target does not hand off again.
 */
export function handOff(listeners: readonly Entry<Listener>[], accepting: Listener, conn: Connection, restored: boolean): HandOffDecision {
  if (accepting.use_original_dst !== true) {
    return { listener: accepting, handedOff: false, reason: 'the listener does not set use_original_dst: no hand-off', candidates: [] };
  }
  if (!restored) {
    return { listener: accepting, handedOff: false, reason: 'use_original_dst is set but no original destination was restored', candidates: [] };
  }
  const live = liveListeners(listeners);
  const at = (ip: string): Listener | undefined => live.find((l) => listenerPort(l) === conn.dstPort && listenerAddresses(l).includes(ip));
  const v6 = parseIp(conn.dstIp)?.v6 === true;
  const key = hostPort(conn.dstIp, conn.dstPort);
  const wildcardIp = v6 ? '::' : '0.0.0.0';
  const wildcardKey = `${v6 ? '[::]' : '0.0.0.0'}:${conn.dstPort}`;
  const binding = (l: Listener): string => (bindsToPort(l) ? '' : ' (bind_to_port=false)');
  const samePort = live.filter((l) => listenerPort(l) === conn.dstPort);
  const near = (chosen: Listener | undefined): Candidate[] =>
    samePort
      .filter((l) => l !== chosen && l !== accepting)
      .slice(0, 5)
      .map((l) => ({
        name: label(l),
        reason: isWildcard(addressText(l.address))
          ? 'the wildcard listener is used only when no listener has exactly the destination address'
          : `address ${addressText(l.address)} is not the destination ${conn.dstIp}`,
      }));
  const exact = at(conn.dstIp);
  if (exact && exact !== accepting) {
    return {
      listener: exact,
      handedOff: true,
      reason: `original destination ${key}: a listener has exactly that address${binding(exact)}`,
      candidates: near(exact),
    };
  }
  const wildcard = exact ?? at(wildcardIp) ?? (v6 ? undefined : at('::'));
  if (wildcard && wildcard !== accepting) {
    return {
      listener: wildcard,
      handedOff: true,
      reason: `original destination ${key}: no listener at exactly that address, so the one at ${wildcardKey}${binding(wildcard)}`,
      candidates: near(wildcard),
    };
  }
  if (wildcard === accepting) {
    return {
      listener: accepting,
      handedOff: false,
      reason: `the original destination ${key} is this listener's own address: it keeps the connection`,
      candidates: [],
    };
  }
  return {
    listener: accepting,
    handedOff: false,
    reason: `no listener at ${key} or ${wildcardKey}: the connection stays on ${label(accepting)} and matches its filter chains`,
    candidates: near(undefined),
  };
}

// ---- listener filters ---------------------------------------------------------------------------

const ORIGINAL_DST = 'envoy.filters.listener.original_dst';
const TLS_INSPECTOR = 'envoy.filters.listener.tls_inspector';
const HTTP_INSPECTOR = 'envoy.filters.listener.http_inspector';

const LISTENER_FILTER_ALIASES: ReadonlyMap<string, string> = new Map([
  ['envoy.listener.original_dst', ORIGINAL_DST],
  ['envoy.listener.tls_inspector', TLS_INSPECTOR],
  ['envoy.listener.http_inspector', HTTP_INSPECTOR],
  ['envoy.extensions.filters.listener.original_dst.v3.OriginalDst', ORIGINAL_DST],
  ['envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', TLS_INSPECTOR],
  ['envoy.extensions.filters.listener.http_inspector.v3.HttpInspector', HTTP_INSPECTOR],
  ['envoy.config.filter.listener.original_dst.v2.OriginalDst', ORIGINAL_DST],
  ['envoy.config.filter.listener.tls_inspector.v2.TlsInspector', TLS_INSPECTOR],
  ['envoy.config.filter.listener.http_inspector.v2.HttpInspector', HTTP_INSPECTOR],
]);

function listenerFilterName(filter: NetworkFilter): string {
  return canonicalFilterName(filter, LISTENER_FILTER_ALIASES);
}

/** A ListenerFilterChainMatchPredicate on the destination port (`filter_disabled`). */
function predicateHolds(predicate: Obj, port: number): boolean {
  if (predicate['any_match'] === true) return true;
  const range = predicate['destination_port_range'];
  if (isObj(range)) return port >= Number(range['start'] ?? 0) && port < Number(range['end'] ?? 0);
  const rules = (key: string): Obj[] => {
    const set = predicate[key];
    return isObj(set) && Array.isArray(set['rules']) ? set['rules'].filter(isObj) : [];
  };
  if (isObj(predicate['or_match'])) return rules('or_match').some((r) => predicateHolds(r, port));
  if (isObj(predicate['and_match'])) return rules('and_match').every((r) => predicateHolds(r, port));
  if (isObj(predicate['not_match'])) return !predicateHolds(predicate['not_match'], port);
  return false;
}

/**
 * Runs a listener's filters over the connection. Before Envoy 1.17 a tls_inspector was added
 * implicitly when a chain matched on SNI, transport `tls` or ALPN; `implicitTlsInspector` says
 * whether this listener is of that age. `use_original_dst` implies an original_dst filter.
 */
export function runListenerFilters(listener: Listener, conn: Connection, implicitTlsInspector: boolean): Detected {
  const detected: Detected = { transport: '', sni: undefined, alpn: [], destinationRestored: false, filters: [] };
  const filters = [...(listener.listener_filters ?? [])];
  const names = filters.map(listenerFilterName);
  if (listener.use_original_dst === true && !names.includes(ORIGINAL_DST)) {
    detected.destinationRestored = true;
    detected.filters.push(`original_dst (implied by use_original_dst): destination restored to ${hostPort(conn.dstIp, conn.dstPort)}`);
  }
  if (implicitTlsInspector && !names.includes(TLS_INSPECTOR) && chainsNeedTlsInspector(listener)) {
    filters.push({ name: TLS_INSPECTOR });
    names.push(TLS_INSPECTOR);
    detected.filters.push('tls_inspector added implicitly (Envoy < 1.17 does so when a chain matches on SNI, transport or ALPN)');
  }
  filters.forEach((filter, i) => {
    const name = names[i] ?? '';
    const disabled = isObj(filter['filter_disabled']) && predicateHolds(filter['filter_disabled'], conn.dstPort);
    if (disabled) {
      detected.filters.push(`${name}: skipped (filter_disabled matches destination port ${conn.dstPort})`);
      return;
    }
    if (name === ORIGINAL_DST) {
      detected.destinationRestored = true;
      detected.filters.push(`${name}: destination restored to ${hostPort(conn.dstIp, conn.dstPort)}`);
    } else if (name === TLS_INSPECTOR) {
      if (conn.tls) {
        detected.transport = 'tls';
        detected.sni = conn.sni?.toLowerCase();
        detected.alpn = [...conn.alpn];
        detected.filters.push(
          `${name}: TLS ClientHello${conn.sni ? `, SNI ${conn.sni}` : ', no SNI'}${conn.alpn.length > 0 ? `, ALPN ${conn.alpn.join(',')}` : ''}`,
        );
      } else {
        detected.filters.push(`${name}: not TLS, nothing detected`);
      }
    } else if (name === HTTP_INSPECTOR) {
      if (detected.transport === 'tls' || conn.tls) {
        detected.filters.push(`${name}: TLS traffic, not inspected`);
      } else if (conn.httpProtocol) {
        detected.alpn = [conn.httpProtocol];
        detected.filters.push(`${name}: plain-text HTTP, protocol ${conn.httpProtocol}`);
      } else {
        detected.filters.push(`${name}: not HTTP, nothing detected`);
      }
    } else {
      detected.filters.push(`${name}: not simulated`);
    }
  });
  if (detected.transport === '') detected.transport = 'raw_buffer';
  return detected;
}

function chainsNeedTlsInspector(listener: Listener): boolean {
  return (listener.filter_chains ?? []).some((chain) => {
    const m = chain.filter_chain_match ?? {};
    return (m.server_names ?? []).length > 0 || m.transport_protocol === 'tls' || (m.application_protocols ?? []).length > 0;
  });
}

// ---- filter-chain match -----------------------------------------------------------------------

export interface FilterChainDecision {
  chain: FilterChain | undefined;
  /** The chain's name, or `#index` for an unnamed one. */
  name: string;
  /** Its conditions as istioctl's MATCH column words them, or `default_filter_chain`. */
  match: string;
  /** The criteria that chose the chain, most significant first. */
  reason: string;
  candidates: Candidate[];
  isDefault: boolean;
  /** The listener's `filter_chain_matcher` uses something that is not simulated. */
  unsupported?: string;
}

interface Live {
  chain: FilterChain;
  index: number;
}

/** `name`, or `#index (conditions)`. */
function chainLabel(chain: FilterChain, index: number): string {
  return chain.name
    ? `${chain.name} (${describeFilterChainMatch(chain.filter_chain_match)})`
    : `#${index} (${describeFilterChainMatch(chain.filter_chain_match)})`;
}

type Level = (alive: Live[]) => { keep: Live[]; chose: string; drop: (live: Live) => string };

/** Envoy's filter-chain selection for a connection whose listener filters found `detected`. */
export function matchFilterChain(listener: Listener, conn: Connection, detected: Detected): FilterChainDecision {
  const local = conn.srcIp !== undefined && (conn.srcIp === conn.dstIp || isLoopback(conn.srcIp));
  if (listener.filter_chain_matcher !== undefined) return matcherChain(listener, listener.filter_chain_matcher, { ...conn, ...detected, local });
  const levels: Level[] = [
    portLevel(conn.dstPort),
    ipLevel('prefix_ranges', 'destination', conn.dstIp),
    sniLevel(detected.sni),
    exactOrEmptyLevel('transport_protocol', detected.transport),
    alpnLevel(detected.alpn),
    ipLevel('direct_source_prefix_ranges', 'direct source', conn.srcIp),
    sourceTypeLevel(local),
    ipLevel('source_prefix_ranges', 'source', conn.srcIp),
    sourcePortLevel(conn.srcPort),
  ];
  let alive: Live[] = (listener.filter_chains ?? []).map((chain, index) => ({ chain, index }));
  const dropped: Candidate[] = [];
  const chose: string[] = [];
  for (const level of levels) {
    if (alive.length === 0) break;
    const result = level(alive);
    for (const live of alive) {
      if (!result.keep.includes(live)) dropped.push({ name: chainLabel(live.chain, live.index), reason: result.drop(live) });
    }
    if (result.chose !== '') chose.push(result.chose);
    alive = result.keep;
  }
  // Nearest first: the chains that survived the longest were eliminated last.
  const candidates = dropped.reverse();
  const [winner] = alive;
  if (winner) {
    const ambiguity = alive.length > 1 ? ` (${alive.length} chains match equally; Envoy refuses such a config, the first is shown)` : '';
    return {
      chain: winner.chain,
      name: winner.chain.name ?? `#${winner.index}`,
      match: describeFilterChainMatch(winner.chain.filter_chain_match),
      reason: `${chose.join('; ') || 'no criteria: matches every connection'}${ambiguity}`,
      candidates,
      isDefault: false,
    };
  }
  const fallback = listener.default_filter_chain;
  if (fallback) {
    return {
      chain: fallback,
      name: fallback.name ?? 'default_filter_chain',
      match: 'default_filter_chain',
      reason: "no filter chain matches (no backtracking to less specific ones): the listener's default_filter_chain",
      candidates,
      isDefault: true,
    };
  }
  return {
    chain: undefined,
    name: '',
    match: '',
    reason: 'no filter chain matches and the listener has no default_filter_chain: Envoy closes the connection',
    candidates,
    isDefault: false,
  };
}

/** The chain a `filter_chain_matcher` names (Envoy ignores every chain's filter_chain_match then), else the default chain. */
function matcherChain(listener: Listener, matcher: Obj, conn: MatcherConnection): FilterChainDecision {
  const result = evaluateChainMatcher(matcher, conn);
  if (result.kind === 'unsupported') {
    return { chain: undefined, name: '', match: '', reason: '', candidates: [], isDefault: false, unsupported: result.reason };
  }
  const path = result.path.join(' -> ');
  const named = result.kind === 'chain' ? (listener.filter_chains ?? []).find((chain) => chain.name === result.chain) : undefined;
  if (result.kind === 'chain' && named) {
    return { chain: named, name: result.chain, match: path, reason: `filter_chain_matcher: ${path} names this chain`, candidates: [], isDefault: false };
  }
  const why = result.kind === 'chain' ? `filter_chain_matcher names ${result.chain}, which the listener does not have` : 'filter_chain_matcher matches nothing';
  const fallback = listener.default_filter_chain;
  if (fallback) {
    const name = fallback.name ?? 'default_filter_chain';
    return { chain: fallback, name, match: 'default_filter_chain', reason: `${why}: the listener's default_filter_chain`, candidates: [], isDefault: true };
  }
  return {
    chain: undefined,
    name: '',
    match: '',
    reason: `${why} and the listener has no default_filter_chain: Envoy closes the connection`,
    candidates: [],
    isDefault: false,
  };
}

function isLoopback(ip: string): boolean {
  return inCidr(ip, '127.0.0.0', 8) || ip === '::1';
}

function portLevel(port: number): Level {
  return (alive) => {
    const exact = alive.filter((l) => l.chain.filter_chain_match?.destination_port === port);
    if (exact.length > 0) {
      return {
        keep: exact,
        chose: `destination_port ${port}`,
        drop: (l) => {
          const p = l.chain.filter_chain_match?.destination_port;
          return p ? `destination_port ${p} ≠ ${port}` : `any destination port, but chains for port ${port} exist and are more specific`;
        },
      };
    }
    return {
      keep: alive.filter((l) => !l.chain.filter_chain_match?.destination_port),
      chose: '',
      drop: (l) => `destination_port ${l.chain.filter_chain_match?.destination_port ?? ''} ≠ ${port}`,
    };
  };
}

type RangeField = 'prefix_ranges' | 'direct_source_prefix_ranges' | 'source_prefix_ranges';

/** Longest prefix wins; a chain without ranges matches every address as a /0. */
function ipLevel(field: RangeField, what: string, ip: string | undefined): Level {
  return (alive) => {
    const best = (l: Live): number => {
      const ranges = l.chain.filter_chain_match?.[field] ?? [];
      if (ranges.length === 0) return 0;
      if (ip === undefined) return -1;
      let longest = -1;
      for (const r of ranges) {
        const len = r.prefix_len ?? 0;
        if (inCidr(ip, r.address_prefix ?? '', len)) longest = Math.max(longest, len);
      }
      return longest;
    };
    const scores = new Map(alive.map((l) => [l, best(l)]));
    const top = Math.max(...scores.values());
    const keep = top < 0 ? [] : alive.filter((l) => scores.get(l) === top);
    const ranged = alive.some((l) => (l.chain.filter_chain_match?.[field] ?? []).length > 0);
    const ranges = (l: Live): string => (l.chain.filter_chain_match?.[field] ?? []).map((r) => `${r.address_prefix ?? ''}/${r.prefix_len ?? 0}`).join(',');
    return {
      keep,
      chose: ranged && top >= 0 ? `${field} /${top} holds ${what} ${ip ?? ''}` : '',
      drop: (l) => {
        const score = scores.get(l) ?? -1;
        if (score < 0)
          return ip === undefined ? `${field} ${ranges(l)}: the ${what} address is unknown (give --src)` : `${field} ${ranges(l)} do not hold ${what} ${ip}`;
        return `${field} ${score === 0 && ranges(l) === '' ? '(any)' : ranges(l)} is less specific (/${score}) than /${top}`;
      },
    };
  };
}

function sniLevel(sni: string | undefined): Level {
  return (alive) => {
    const names = (l: Live): string[] => (l.chain.filter_chain_match?.server_names ?? []).map((n) => n.toLowerCase());
    const without = alive.filter((l) => names(l).length === 0);
    const dropFor =
      (chosen: string) =>
      (l: Live): string =>
        names(l).length === 0 ? `no server_names, but ${chosen} is more specific` : `server_names ${names(l).join(',')} do not match SNI ${sni ?? '(none)'}`;
    if (sni) {
      const exact = alive.filter((l) => names(l).includes(sni));
      if (exact.length > 0) return { keep: exact, chose: `server_names has SNI ${sni}`, drop: dropFor(`server name "${sni}"`) };
      for (let dot = sni.indexOf('.'); dot >= 0; dot = sni.indexOf('.', dot + 1)) {
        const wildcard = `*${sni.slice(dot)}`;
        const matching = alive.filter((l) => names(l).includes(wildcard));
        if (matching.length > 0) return { keep: matching, chose: `server_names wildcard ${wildcard} holds SNI ${sni}`, drop: dropFor(`"${wildcard}"`) };
      }
    }
    const anyNames = alive.length !== without.length;
    return {
      keep: without,
      chose: anyNames ? `no server_names (SNI ${sni ?? 'none'})` : '',
      drop: (l) => `server_names ${names(l).join(',')} do not match SNI ${sni ?? '(none)'}`,
    };
  };
}

function exactOrEmptyLevel(field: 'transport_protocol', value: string): Level {
  return (alive) => {
    const exact = alive.filter((l) => l.chain.filter_chain_match?.[field] === value);
    if (exact.length > 0) {
      return {
        keep: exact,
        chose: `${field} ${value}`,
        drop: (l) =>
          l.chain.filter_chain_match?.[field] ? `${field} ${l.chain.filter_chain_match[field]} ≠ ${value}` : `any ${field}, but ${value} is more specific`,
      };
    }
    return {
      keep: alive.filter((l) => !l.chain.filter_chain_match?.[field]),
      chose: '',
      drop: (l) => `${field} ${l.chain.filter_chain_match?.[field] ?? ''} ≠ ${value}`,
    };
  };
}

function alpnLevel(alpn: readonly string[]): Level {
  return (alive) => {
    const protocols = (l: Live): string[] => l.chain.filter_chain_match?.application_protocols ?? [];
    for (const protocol of alpn) {
      const matching = alive.filter((l) => protocols(l).includes(protocol));
      if (matching.length > 0) {
        return {
          keep: matching,
          chose: `application_protocols has ${protocol}`,
          drop: (l) =>
            protocols(l).length === 0
              ? `any ALPN, but "${protocol}" is more specific`
              : `application_protocols ${protocols(l).join(',')} lack ${alpn.join(',')}`,
        };
      }
    }
    const shown = alpn.length > 0 ? alpn.join(',') : 'none';
    return {
      keep: alive.filter((l) => protocols(l).length === 0),
      chose: '',
      drop: (l) => `application_protocols ${protocols(l).join(',')} do not include the connection's (${shown})`,
    };
  };
}

function sourceTypeLevel(local: boolean): Level {
  return (alive) => {
    const type = (l: Live): string => l.chain.filter_chain_match?.source_type ?? 'ANY';
    const wanted = local ? 'SAME_IP_OR_LOOPBACK' : 'EXTERNAL';
    const specific = alive.filter((l) => type(l) === wanted);
    if (specific.length > 0)
      return { keep: specific, chose: `source_type ${wanted}`, drop: (l) => `source_type ${type(l)} (the connection is ${local ? 'local' : 'external'})` };
    return {
      keep: alive.filter((l) => type(l) === 'ANY'),
      chose: '',
      drop: (l) => `source_type ${type(l)} does not fit a ${local ? 'local' : 'external'} connection`,
    };
  };
}

function sourcePortLevel(port: number | undefined): Level {
  return (alive) => {
    const ports = (l: Live): number[] => l.chain.filter_chain_match?.source_ports ?? [];
    const exact = port === undefined ? [] : alive.filter((l) => ports(l).includes(port));
    if (exact.length > 0)
      return { keep: exact, chose: `source_ports has ${port}`, drop: (l) => `source_ports ${ports(l).join(',') || 'any'}: ${port} is more specific` };
    return {
      keep: alive.filter((l) => ports(l).length === 0),
      chose: '',
      drop: (l) => `source_ports ${ports(l).join(',')} lack ${port ?? 'the (unknown) source port'}`,
    };
  };
}
