// istiod's view of which proxies are connected and how far each xDS type has reached them, decoded
// from either shape istiod serves it in into one model:
// - HTTP `/debug/syncz` (Istio 1.1–1.2x): `[{proxy, cluster_id, istio_version, cluster_sent,
//   cluster_acked, …, resources: {<typeUrl>: {sent, acked, sentTime, lastError}}}]`, nonces only;
// - xDS `istio.io/debug/syncz`: a DiscoveryResponse of `envoy.service.status.v3.ClientConfig`
//   (node id and metadata, `generic_xds_configs[]` with a `config_status` per type URL), in either
//   JSON spelling.
import { DataError } from '../errors.ts';
import { isObj, type Obj } from '../envoy/model.ts';
import { compareGoStrings } from '../util/goString.ts';
import { at } from '../util/at.ts';
import { protoField } from '../util/protoField.ts';

/** `envoy.service.status.v3.ConfigStatus` as istiod reports it (UNKNOWN: the type is not subscribed). */
export const SYNC_STATES = ['SYNCED', 'NOT_SENT', 'STALE', 'ERROR', 'UNKNOWN'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export interface XdsTypeSync {
  typeUrl: string;
  state: SyncState;
  /** RFC 3339 time of the last push or ack, where the answer carries one. */
  lastUpdated?: string;
  /** Set when the proxy never acknowledged what was sent (HTTP shape: a sent nonce, no acked one). */
  neverAcked?: boolean;
  error?: string;
}

export interface ProxySync {
  /** Node id as istiod knows the proxy: `pod.namespace` for sidecars and gateways. */
  id: string;
  namespace?: string;
  clusterId?: string;
  /** ISTIO_VERSION of the proxy; the HTTP shape's `proxy_version` with a `*` when that is all there is. */
  version?: string;
  /** The istiod replica that holds the proxy's connection. */
  istiod: string;
  /** `sidecar`, `router`, `ztunnel`, … when the answer says. */
  proxyType?: string;
  /** In the order the answer gave them. */
  types: XdsTypeSync[];
}

/** One replica's answer: the raw document (for -o json/yaml) and the proxies decoded from it. */
export interface SyncAnswer {
  /** The replica as the answer or the caller names it (pod name, or the control plane identifier's ID). */
  istiod: string;
  shape: 'http' | 'xds';
  raw: unknown;
  proxies: ProxySync[];
}

export const TYPE_URL = {
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  extension: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

/** istioctl's short names (GetShortType), by message name so v2 URLs get them too. */
const SHORT_TYPES: Record<string, string> = {
  Cluster: 'CDS',
  Listener: 'LDS',
  RouteConfiguration: 'RDS',
  ClusterLoadAssignment: 'EDS',
  Secret: 'SDS',
  TypedExtensionConfig: 'ECDS',
  'istio.mesh.v1alpha1.ProxyConfig': 'PCDS',
  'istio.networking.nds.v1.NameTable': 'NDS',
  'istio.security.Authorization': 'WADS',
  'istio.workload.Address': 'WDS',
};

export function shortType(typeUrl: string): string {
  const message = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const envoyName = /^envoy\./.test(message) ? message.slice(message.lastIndexOf('.') + 1) : message;
  return SHORT_TYPES[envoyName] ?? typeUrl;
}

/** The fields of the HTTP shape, each an xDS type: `<prefix>_sent` / `<prefix>_acked`. */
const HTTP_TYPES: [prefix: string, typeUrl: string][] = [
  ['cluster', TYPE_URL.cluster],
  ['listener', TYPE_URL.listener],
  ['route', TYPE_URL.route],
  ['endpoint', TYPE_URL.endpoint],
  ['extensionconfig', TYPE_URL.extension],
];

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Decodes one replica's syncz answer (either shape). `istiod` names the replica when the answer
 * does not (the HTTP shape never does). Throws DataError for anything that is not a syncz answer.
 */
export function decodeSyncz(json: unknown, source: string, istiod?: string): SyncAnswer {
  if (Array.isArray(json)) {
    if (!json.every((item) => isObj(item) && ('proxy' in item || Object.keys(item).length === 0))) {
      throw new DataError(source, 'is a JSON array but not istiod\'s /debug/syncz (its elements have no "proxy")');
    }
    const name = istiod ?? 'istiod';
    return { istiod: name, shape: 'http', raw: json, proxies: (json as Obj[]).filter((item) => 'proxy' in item).map((item) => fromHttp(item, name)) };
  }
  if (isXdsAnswer(json)) {
    // istioctl names the replica by the ID in the answer's control plane identifier.
    const name = controlPlaneId(json) ?? istiod ?? 'MISSING';
    const resources = Array.isArray(json['resources']) ? json['resources'] : [];
    const proxies = resources.filter(isObj).map((resource) => fromClientConfig(resource, name));
    return { istiod: name, shape: 'xds', raw: json, proxies };
  }
  throw new DataError(source, "is not a syncz answer (expected /debug/syncz's array or a DiscoveryResponse of ClientConfig)");
}

/** A DiscoveryResponse of ClientConfig; proto3 leaves `resources` out when no proxy is connected. */
function isXdsAnswer(json: unknown): json is Obj {
  const typeUrl = isObj(json) ? String(protoField(json, 'type_url')) : '';
  return isObj(json) && (Array.isArray(json['resources']) || typeUrl === 'istio.io/debug/syncz' || typeUrl.endsWith('envoy.service.status.v3.ClientConfig'));
}

/**
 * A saved file may hold one answer, or several keyed by replica (`istiod debug syncz` with more than
 * one replica prints `{<pod>: <answer>, …}`).
 */
export function decodeSynczDocument(json: unknown, source: string): SyncAnswer[] {
  if (isObj(json) && !isXdsAnswer(json) && Object.keys(json).length > 0) {
    const entries = Object.entries(json);
    if (entries.every(([, value]) => Array.isArray(value) || isXdsAnswer(value))) {
      return entries.map(([pod, value]) => decodeSyncz(value, `${source} (${pod})`, pod));
    }
  }
  return [decodeSyncz(json, source)];
}

/** `control_plane.identifier` is JSON: `{"Component":"istiod","ID":"istiod-…","Info":{…}}`. */
function controlPlaneId(response: Obj): string | undefined {
  const controlPlane = protoField(response, 'control_plane');
  const identifier = isObj(controlPlane) ? text(controlPlane['identifier']) : undefined;
  if (identifier === undefined) return undefined;
  try {
    const parsed = JSON.parse(identifier) as unknown;
    return isObj(parsed) && typeof parsed['ID'] === 'string' ? parsed['ID'] : 'INVALID';
  } catch {
    return 'INVALID';
  }
}

function fromHttp(item: Obj, istiod: string): ProxySync {
  const resources = isObj(item['resources']) ? item['resources'] : {};
  // ECDS exists since Istio 1.10: only an answer that mentions it says anything about it.
  const mentioned = ([prefix, typeUrl]: [string, string]) =>
    prefix !== 'extensionconfig' || typeUrl in resources || `${prefix}_sent` in item || `${prefix}_acked` in item;
  const types: XdsTypeSync[] = HTTP_TYPES.filter(mentioned).map(([prefix, typeUrl]) => {
    const detail = resources[typeUrl];
    if (isObj(detail)) return httpTypeSync(typeUrl, text(detail['sent']), text(detail['acked']), text(detail['lastError']), text(detail['sentTime']));
    return httpTypeSync(typeUrl, text(item[`${prefix}_sent`]), text(item[`${prefix}_acked`]), undefined, undefined);
  });
  // Types only the `resources` map knows (SDS, NDS, …), in type URL order.
  for (const typeUrl of Object.keys(resources).sort(compareGoStrings)) {
    const detail = resources[typeUrl];
    if (HTTP_TYPES.some(([, known]) => known === typeUrl) || !isObj(detail)) continue;
    types.push(httpTypeSync(typeUrl, text(detail['sent']), text(detail['acked']), text(detail['lastError']), text(detail['sentTime'])));
  }
  const id = text(item['proxy']) ?? '';
  const istioVersion = text(item['istio_version']);
  const proxyVersion = text(item['proxy_version']);
  return {
    id,
    ...optional('namespace', namespaceOfId(id)),
    ...optional('clusterId', text(item['cluster_id'])),
    ...optional('version', istioVersion ?? (proxyVersion === undefined ? undefined : `${proxyVersion}*`)),
    istiod,
    ...optional('proxyType', text(item['proxy_type'])),
    types,
  };
}

/** istiod's rule (pilot/pkg/xds/debug.go): an error wins; nothing sent; acked what was sent; else stale. */
function httpTypeSync(typeUrl: string, sent?: string, acked?: string, error?: string, sentTime?: string): XdsTypeSync {
  const base = { typeUrl, ...optional('lastUpdated', sentTime) };
  if (error !== undefined) return { ...base, state: 'ERROR', error };
  if (sent === undefined) return { ...base, state: 'NOT_SENT' };
  if (acked === sent) return { ...base, state: 'SYNCED' };
  return { ...base, state: 'STALE', ...(acked === undefined ? { neverAcked: true } : {}) };
}

function fromClientConfig(resource: Obj, istiod: string): ProxySync {
  const node = isObj(resource['node']) ? resource['node'] : {};
  const metadata = isObj(node['metadata']) ? node['metadata'] : {};
  const id = text(node['id']) ?? '';
  const generic = protoField(resource, 'generic_xds_configs');
  const types = (Array.isArray(generic) ? generic : []).filter(isObj).map((config): XdsTypeSync => {
    const status = text(protoField(config, 'config_status'));
    const errorState = protoField(config, 'error_state');
    const error = isObj(errorState) ? text(protoField(errorState, 'details')) : undefined;
    return {
      typeUrl: text(protoField(config, 'type_url')) ?? '',
      state: SYNC_STATES.find((s) => s === status) ?? 'UNKNOWN',
      ...optional('lastUpdated', text(protoField(config, 'last_updated'))),
      ...optional('error', error),
    };
  });
  return {
    id,
    ...optional('namespace', text(metadata['NAMESPACE']) ?? namespaceOfId(id)),
    ...optional('clusterId', text(metadata['CLUSTER_ID'])),
    ...optional('version', text(metadata['ISTIO_VERSION'])),
    istiod,
    ...optional('proxyType', /^ztunnel/.test(id) || metadata['PROXY_TYPE'] === 'ztunnel' ? 'ztunnel' : undefined),
    types,
  };
}

/** `pod.namespace`, or Envoy's `sidecar~10.0.0.1~pod.namespace~namespace.svc.cluster.local`. */
function namespaceOfId(id: string): string | undefined {
  const parts = id.split('~');
  const podPart = parts.length === 4 ? at(parts, 2) : id;
  const dot = podPart.lastIndexOf('.');
  return dot > 0 ? podPart.slice(dot + 1) : undefined;
}

/**
 * The answers of every replica as one list: each proxy once, with the replica that holds its
 * connection (a proxy that moved keeps the replica with the newest update), sorted by id.
 */
export function mergeAnswers(answers: readonly SyncAnswer[]): ProxySync[] {
  const byId = new Map<string, ProxySync>();
  for (const answer of answers) {
    for (const proxy of answer.proxies) {
      const seen = byId.get(proxy.id);
      if (!seen || newestUpdate(proxy) > newestUpdate(seen)) byId.set(proxy.id, proxy);
    }
  }
  return [...byId.values()].sort((a, b) => compareGoStrings(a.id, b.id));
}

function newestUpdate(proxy: ProxySync): string {
  let newest = '';
  for (const type of proxy.types) if (type.lastUpdated !== undefined && type.lastUpdated > newest) newest = type.lastUpdated;
  return newest;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
