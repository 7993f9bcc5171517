// Turns `pc trace`'s arguments into the request to trace: the URL (or `tcp`), the headers, and the
// original destination, which defaults to the VIP the host resolves to in the dump itself.
import { UsageError } from '../errors.ts';
import { parseClusterName } from '../envoy/clusterName.ts';
import { addressText, listenerPort, networkFilterConfig, networkFilterName, tcpProxyCluster, TCP_PROXY } from '../envoy/listeners.ts';
import { isObj } from '../envoy/model.ts';
import { matcherPaths } from '../waypoint/chains.ts';
import type { TraceConfig } from './config.ts';
import { isWildcard } from './listener.ts';
import { parseIp } from './match.ts';
import { withoutPort } from './route.ts';
import type { TraceRequest } from './trace.ts';

export interface TraceArgs {
  /** A URL (`http://host:port/path?query`, `https://…`, `tcp://host:port`) or `tcp`. */
  target: string;
  dst?: string;
  inbound: boolean;
  method?: string;
  headers: string[];
  src?: string;
  sni?: string;
  alpn?: string;
  tls: boolean;
  random?: string;
}

/** What the arguments say before the dump is consulted; the destination may still be open. */
export interface ParsedTarget {
  protocol: 'http' | 'tcp';
  scheme: string;
  /** Host as written (no port); undefined for bare `tcp`. */
  host: string | undefined;
  port: number | undefined;
  /** Host header: host[:port] as written in the URL. */
  authority: string | undefined;
  path: string;
}

const URL_FORM = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^#]*)/;

/** Parses the URL (or `tcp`). The path is kept as written: Envoy sees it unnormalised. */
export function parseTarget(target: string): ParsedTarget {
  if (target === 'tcp') return { protocol: 'tcp', scheme: 'tcp', host: undefined, port: undefined, authority: undefined, path: '' };
  const match = URL_FORM.exec(target);
  if (!match) throw new UsageError(`"${target}" is not a URL (http://host[:port]/path, https://…, tcp://host:port) or "tcp"`);
  const scheme = (match[1] ?? '').toLowerCase();
  if (!['http', 'https', 'tcp'].includes(scheme)) throw new UsageError(`URL scheme "${scheme}" not supported (use http, https or tcp)`);
  const authority = (match[2] ?? '').replace(/^.*@/, '');
  const hostPort = /^(\[[^\]]+\]|[^:]+)(?::(\d*))?$/.exec(authority);
  if (!hostPort || hostPort[1] === undefined || hostPort[1] === '') throw new UsageError(`"${target}" has no host`);
  const portText = hostPort[2];
  const port = portText ? Number(portText) : scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`"${target}" has a bad port`);
  if (scheme === 'tcp' && port === undefined) throw new UsageError(`"${target}" needs a port (tcp://host:port)`);
  const host = hostPort[1];
  const path = match[3] === '' || match[3] === undefined ? '/' : match[3];
  return {
    protocol: scheme === 'tcp' ? 'tcp' : 'http',
    scheme,
    host: host.startsWith('[') ? host.slice(1, -1) : host,
    port,
    authority: scheme === 'tcp' ? undefined : authority,
    path: scheme === 'tcp' ? '' : path,
  };
}

/** `IP:PORT` or `[IPv6]:PORT`. */
function parseIpPort(text: string, flag: string): { ip: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const ip = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || ip === undefined || !parseIp(ip) || port < 1 || port > 65535)
    throw new UsageError(`${flag} "${text}" is not IP:PORT (e.g. 10.96.0.1:443 or [fd00::1]:443)`);
  return { ip, port };
}

/** `name: value`; the name is lowercased, as HTTP/2 sends it. */
function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':', text.startsWith(':') ? 1 : 0);
  const name = colon < 0 ? '' : text.slice(0, colon).trim();
  if (colon < 0 || name === '') throw new UsageError(`-H "${text}" is not "name: value"`);
  return [name.toLowerCase(), text.slice(colon + 1).trim()];
}

/** The request to trace, resolving the destination in `dump` when --dst is not given. */
export function buildTraceRequest(args: TraceArgs, dump: TraceConfig): TraceRequest {
  const target = parseTarget(args.target);
  const headers = args.headers.map(parseHeader);
  const random = args.random === undefined ? 0 : /^\d+$/.test(args.random) ? Number(args.random) : NaN;
  if (!Number.isSafeInteger(random)) throw new UsageError(`--random "${args.random ?? ''}" is not a non-negative integer`);
  const src = args.src === undefined ? undefined : parseSource(args.src);
  const alpn =
    args.alpn === undefined
      ? []
      : args.alpn
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== '');
  const tls = args.tls || args.sni !== undefined || alpn.length > 0 || target.scheme === 'https';
  const sni = args.sni ?? (target.scheme === 'https' && target.host !== undefined && !parseIp(target.host) ? target.host : undefined);
  const dst = args.dst !== undefined ? { ...parseIpPort(args.dst, '--dst'), source: '--dst' } : resolveDestination(target, args.inbound, dump);
  return {
    protocol: target.protocol,
    direction: args.inbound ? 'inbound' : 'outbound',
    method: (args.method ?? 'GET').toUpperCase(),
    scheme: target.scheme,
    authority: target.authority,
    path: target.path,
    headers,
    dstIp: dst.ip,
    dstPort: dst.port,
    dstSource: dst.source,
    srcIp: src?.ip,
    srcPort: src?.port,
    tls,
    sni,
    alpn,
    random,
  };
}

function parseSource(text: string): { ip: string; port: number | undefined } {
  if (parseIp(text)) return { ip: text, port: undefined };
  return parseIpPort(text, '--src');
}

/**
 * The original destination when --dst is not given: an IP host as is; a name resolved to the
 * service VIP the dump knows it by (an IP domain of the virtual host serving the name, or the
 * `<VIP>_<port>` listener proxying to its cluster), else the first EDS endpoint of its cluster.
 * `--inbound` without a host IP goes to the pod's own IP.
 */
function resolveDestination(target: ParsedTarget, inbound: boolean, dump: TraceConfig): { ip: string; port: number; source: string } {
  const { host, port } = target;
  if (host === undefined || port === undefined) throw new UsageError('tcp needs --dst IP:PORT (the original destination)');
  if (parseIp(host)) return { ip: host, port, source: "the URL's IP" };
  if (inbound) {
    const podIp = podIpOf(dump);
    if (podIp) return { ip: podIp.ip, port, source: `the pod's IP (${podIp.source})` };
    throw new UsageError(`cannot tell the pod's IP from the dump: give --dst <pod IP>:${port}`);
  }
  const name = host.toLowerCase();
  const fromRoutes = vipFromRoutes(dump, name, port);
  if (fromRoutes) return { ip: fromRoutes.ip, port, source: `VIP of ${name} in route ${fromRoutes.where}` };
  const fromListeners = vipFromListeners(dump, name, port);
  if (fromListeners) return { ip: fromListeners.ip, port, source: `VIP of ${name} from listener ${fromListeners.where}` };
  const fromChains = vipFromChainMatchers(dump, name, port);
  if (fromChains) return { ip: fromChains.ip, port, source: `VIP of ${name} in ${fromChains.where}` };
  const fromEndpoints = ipFromEndpoints(dump, name, port);
  if (fromEndpoints) return { ip: fromEndpoints.ip, port, source: `endpoint of ${fromEndpoints.where}` };
  throw new UsageError(`cannot resolve "${host}" to an IP from the dump's routes, listeners or endpoints: give --dst IP:${port}`);
}

function vipFromRoutes(dump: TraceConfig, name: string, port: number): { ip: string; where: string } | undefined {
  const wanted = new Set([name, `${name}:${port}`]);
  for (const entry of dump.routes) {
    for (const vhost of entry.resource.virtual_hosts ?? []) {
      const domains = (vhost.domains ?? []).map((d) => d.toLowerCase());
      if (!domains.some((d) => wanted.has(d))) continue;
      const ip = domains.map(withoutPort).find((d) => parseIp(d.replace(/^\[|\]$/g, '')));
      if (ip) return { ip: ip.replace(/^\[|\]$/g, ''), where: `${entry.resource.name ?? ''}, virtual host ${vhost.name ?? ''}` };
    }
  }
  return undefined;
}

/** Does the service FQDN answer to `name` (the FQDN itself or a prefix of whole labels: `ratings`, `ratings.default`)? */
function fqdnAnswers(fqdn: string, name: string): boolean {
  return fqdn === name || fqdn.startsWith(`${name}.`);
}

function vipFromListeners(dump: TraceConfig, name: string, port: number): { ip: string; where: string } | undefined {
  for (const { resource: listener } of dump.listeners) {
    if (listenerPort(listener) !== port) continue;
    const ip = addressText(listener.address);
    if (!parseIp(ip) || isWildcard(ip)) continue;
    for (const chain of listener.filter_chains ?? []) {
      for (const filter of chain.filters ?? []) {
        if (networkFilterName(filter) !== TCP_PROXY) continue;
        const fqdn = parseClusterName(tcpProxyCluster(networkFilterConfig(filter)))?.fqdn ?? '';
        if (fqdnAnswers(fqdn, name)) return { ip, where: listener.name ?? ip };
      }
    }
  }
  return undefined;
}

/**
 * A waypoint's VIP: the destination IP on the filter_chain_matcher path to a chain that serves the
 * name on that port (`main_internal`'s `inbound-vip|9080||details.default.svc.cluster.local-http`).
 */
function vipFromChainMatchers(dump: TraceConfig, name: string, port: number): { ip: string; where: string } | undefined {
  for (const { resource: listener } of dump.listeners) {
    if (!isObj(listener.filter_chain_matcher)) continue;
    for (const { chain, addresses } of matcherPaths(listener.filter_chain_matcher)) {
      const fields = parseClusterName(chain.replace(/-(http|tcp)$/, ''));
      if (fields?.port !== port || !fqdnAnswers(fields.fqdn, name)) continue;
      const [ip] = addresses;
      if (ip) return { ip, where: `listener ${listener.name ?? ''}, chain ${chain}` };
    }
  }
  return undefined;
}

function ipFromEndpoints(dump: TraceConfig, name: string, port: number): { ip: string; where: string } | undefined {
  for (const cla of dump.assignments()) {
    const parsed = parseClusterName(cla.cluster_name ?? '');
    if (parsed?.direction !== 'outbound' || parsed.port !== port || !fqdnAnswers(parsed.fqdn, name)) continue;
    const ip = cla.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address?.address;
    if (ip) return { ip, where: cla.cluster_name ?? '' };
  }
  return undefined;
}

/** The pod IP: the bootstrap's INSTANCE_IPS, else the address of a per-pod inbound listener (`<podIP>_<port>`). */
function podIpOf(dump: TraceConfig): { ip: string; source: string } | undefined {
  const ips = dump.bootstrap?.resource.node?.metadata?.['INSTANCE_IPS'];
  const first = typeof ips === 'string' ? ips.split(',')[0] : undefined;
  if (first && parseIp(first)) return { ip: first, source: 'bootstrap INSTANCE_IPS' };
  for (const { resource: listener } of dump.listeners) {
    const ip = addressText(listener.address);
    if (listener.traffic_direction === 'INBOUND' || /^inbound/.test(listener.name ?? '')) {
      if (parseIp(ip) && !isWildcard(ip)) return { ip, source: `listener ${listener.name ?? ''}` };
    }
  }
  return undefined;
}
