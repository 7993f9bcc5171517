// What Envoy's admin does to a config dump for `/config_dump?include_eds&resource=…&mask=…` and
// what it shows on `/clusters?format=json`, computed from a captured dump (ENVOY.md §1.1, §1.7).
// Captured dumps come in snake_case or camelCase; field lookups accept both spellings.

type Json = Record<string, unknown>;

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const ENDPOINTS_DUMP = `${ADMIN}EndpointsConfigDump`;
const CLA_TYPE = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

export class AdminRequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The key of `object` that spells the proto field `name` (snake_case or lowerCamelCase). */
function keyOf(object: Json, name: string): string | undefined {
  return Object.keys(object).find((key) => key === name || snakeCase(key) === name);
}

function field(object: unknown, name: string): unknown {
  if (!isObject(object)) return undefined;
  const key = keyOf(object, name);
  return key === undefined ? undefined : object[key];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const typeOf = (config: unknown) => String(field(config, '@type') ?? '');

/** Repeated fields of each top-level dump and the message type of their elements (`?resource=`). */
const RESOURCE_TYPES: Record<string, Record<string, string>> = {
  ClustersConfigDump: { static_clusters: 'StaticCluster', dynamic_active_clusters: 'DynamicCluster', dynamic_warming_clusters: 'DynamicCluster' },
  ListenersConfigDump: { static_listeners: 'StaticListener', dynamic_listeners: 'DynamicListener' },
  RoutesConfigDump: { static_route_configs: 'StaticRouteConfig', dynamic_route_configs: 'DynamicRouteConfig' },
  ScopedRoutesConfigDump: { inline_scoped_route_configs: 'InlineScopedRouteConfigs', dynamic_scoped_route_configs: 'DynamicScopedRouteConfigs' },
  SecretsConfigDump: { static_secrets: 'StaticSecret', dynamic_active_secrets: 'DynamicSecret', dynamic_warming_secrets: 'DynamicSecret' },
  EndpointsConfigDump: { static_endpoint_configs: 'StaticEndpointConfig', dynamic_endpoint_configs: 'DynamicEndpointConfig' },
  EcdsConfigDump: { ecds_filters: 'EcdsFilterConfig' },
};

interface MaskTree {
  [field: string]: MaskTree;
}

function parseMask(mask: string): MaskTree {
  const tree: MaskTree = {};
  for (const path of mask
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    let node = tree;
    for (const name of path.split('.')) node = node[name] ??= {};
  }
  return tree;
}

/**
 * protobuf's FieldMaskUtil::TrimMessage: keep only the masked fields (`@type` stays, since it is
 * the Any wrapper). Sub-paths apply to singular messages only; masks cannot index repeated fields.
 */
function trim(message: Json, mask: MaskTree): Json {
  const kept: Json = {};
  for (const [key, value] of Object.entries(message)) {
    if (key === '@type') {
      kept[key] = value;
      continue;
    }
    const sub = mask[snakeCase(key)] ?? mask[key];
    if (!sub) continue;
    kept[key] = Object.keys(sub).length > 0 && isObject(value) ? trim(value, sub) : value;
  }
  return kept;
}

/** The endpoints of every cluster of the dump that has any, keyed by cluster name. */
function endpointsByCluster(dump: Json, extraEds: readonly Json[]): Map<string, Json> {
  const byName = new Map<string, Json>();
  const endpointsDump = list(dump.configs).find((config) => typeOf(config) === ENDPOINTS_DUMP);
  for (const config of [...list(field(endpointsDump, 'static_endpoint_configs')), ...list(field(endpointsDump, 'dynamic_endpoint_configs'))]) {
    const assignment = field(config, 'endpoint_config');
    if (isObject(assignment)) byName.set(String(field(assignment, 'cluster_name')), assignment);
  }
  const eds = new Map(extraEds.map((assignment) => [String(field(assignment, 'cluster_name')), assignment]));
  for (const { cluster } of clustersOf(dump)) {
    const name = String(field(cluster, 'name'));
    if (byName.has(name)) continue;
    const serviceName = field(field(cluster, 'eds_cluster_config'), 'service_name');
    const assignment = field(cluster, 'type') === 'EDS' ? eds.get(String(serviceName ?? name)) : field(cluster, 'load_assignment');
    if (isObject(assignment)) byName.set(name, assignment);
  }
  return byName;
}

function clustersOf(dump: Json): { cluster: Json; dynamic: boolean }[] {
  const clustersDump = list(dump.configs).find((config) => typeOf(config) === `${ADMIN}ClustersConfigDump`);
  const entries = (name: string, dynamic: boolean) =>
    list(field(clustersDump, name))
      .map((entry) => field(entry, 'cluster'))
      .filter(isObject)
      .map((cluster) => ({ cluster, dynamic }));
  return [...entries('static_clusters', false), ...entries('dynamic_active_clusters', true)];
}

/**
 * The EndpointsConfigDump Envoy would add for `include_eds`: the dump's own if it has one, else one
 * built from `extraEds` (e.g. Pilot's /debug/edsz for the same mesh) for the dump's clusters.
 */
function endpointsDumpFor(dump: Json, extraEds: readonly Json[]): Json | undefined {
  const own = list(dump.configs).find((config) => typeOf(config) === ENDPOINTS_DUMP);
  if (isObject(own)) return own;
  if (extraEds.length === 0) return undefined;
  const endpoints = endpointsByCluster(dump, extraEds);
  const section = (dynamic: boolean) =>
    clustersOf(dump).flatMap(({ cluster, dynamic: isDynamic }) => {
      const assignment = endpoints.get(String(field(cluster, 'name')));
      return isDynamic === dynamic && assignment ? [{ endpoint_config: { '@type': CLA_TYPE, ...(snakeKeys(assignment) as Json) } }] : [];
    });
  return { '@type': ENDPOINTS_DUMP, static_endpoint_configs: section(false), dynamic_endpoint_configs: section(true) };
}

/** Proto JSON as Envoy prints it (proto field names); map keys under filter_metadata stay as given. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const name = key === '@type' ? key : snakeCase(key);
      return [name, name === 'filter_metadata' ? inner : snakeKeys(inner)];
    }),
  );
}

/** `/config_dump` with Envoy's query parameters `include_eds`, `resource` and `mask`. */
export function renderConfigDump(dump: Json, extraEds: readonly Json[], query: URLSearchParams): Json {
  const sections = list(dump.configs)
    .filter((config) => typeOf(config) !== ENDPOINTS_DUMP)
    .filter(isObject);
  if (query.has('include_eds')) {
    const endpoints = endpointsDumpFor(dump, extraEds);
    // Envoy's tracker order puts endpoints right after clusters (and ECDS).
    const after = sections.findLastIndex((config) => /(Clusters|Ecds)ConfigDump$/.test(typeOf(config)));
    if (endpoints) sections.splice(after + 1, 0, endpoints);
  }
  const mask = query.get('mask');
  const maskTree = mask === null ? undefined : parseMask(mask);
  const applyMask = (message: Json) => (maskTree ? trim(message, maskTree) : message);

  const resource = query.get('resource');
  if (resource === null) return { configs: sections.map(applyMask) };

  const configs: Json[] = [];
  let found = false;
  for (const section of sections) {
    const dumpType = typeOf(section).slice(ADMIN.length);
    const key = keyOf(section, resource);
    if (key === undefined) continue;
    const elementType = RESOURCE_TYPES[dumpType]?.[resource];
    if (!elementType || !Array.isArray(section[key])) {
      throw new AdminRequestError(400, `${resource} is not a repeated field. Use ?mask=${resource} to get only this field`);
    }
    found = true;
    for (const element of section[key].filter(isObject)) {
      configs.push(applyMask({ '@type': `${ADMIN}${dumpType}.${elementType}`, ...element }));
    }
  }
  if (!found) throw new AdminRequestError(404, `${resource} not found in config dump`);
  return { configs };
}

const HOST_STATS = [
  { name: 'cx_connect_fail' },
  { name: 'cx_total' },
  { name: 'rq_error' },
  { name: 'rq_success' },
  { name: 'rq_timeout' },
  { name: 'rq_total' },
  { type: 'GAUGE', name: 'cx_active' },
  { type: 'GAUGE', name: 'rq_active' },
];

/** `/clusters?format=json` (envoy.admin.v3.Clusters) for the dump's clusters and endpoints. */
export function renderClusterStatuses(dump: Json, extraEds: readonly Json[]): Json {
  const endpoints = endpointsByCluster(dump, extraEds);
  const clusterStatuses = clustersOf(dump).map(({ cluster, dynamic }) => {
    const name = String(field(cluster, 'name'));
    const hostStatuses = list(field(endpoints.get(name), 'endpoints')).flatMap((locality) =>
      list(field(locality, 'lb_endpoints')).map((lbEndpoint) => {
        const socketAddress = field(field(field(lbEndpoint, 'endpoint'), 'address'), 'socket_address');
        return {
          address: { socket_address: { address: field(socketAddress, 'address'), port_value: field(socketAddress, 'port_value') } },
          stats: HOST_STATS,
          health_status: { eds_health_status: field(lbEndpoint, 'health_status') ?? 'HEALTHY' },
          weight: field(lbEndpoint, 'load_balancing_weight') ?? 1,
          locality: snakeKeys(field(locality, 'locality') ?? {}),
        };
      }),
    );
    return {
      name,
      ...(dynamic ? { added_via_api: true } : {}),
      ...(hostStatuses.length > 0 ? { host_statuses: hostStatuses } : {}),
    };
  });
  return { cluster_statuses: clusterStatuses };
}

/** `/server_info`, from the bootstrap's node: enough for `pilot-agent request GET server_info`. */
export function renderServerInfo(dump: Json, uptimeSeconds: number): Json {
  const bootstrapDump = list(dump.configs).find((config) => typeOf(config) === `${ADMIN}BootstrapConfigDump`);
  const node = field(field(bootstrapDump, 'bootstrap'), 'node');
  const semver = field(field(node, 'user_agent_build_version'), 'version');
  const version = isObject(semver)
    ? `0000000000000000000000000000000000000000/${[field(semver, 'major_number'), field(semver, 'minor_number'), field(semver, 'patch')].map((part) => part ?? 0).join('.')}/Clean/RELEASE/BoringSSL`
    : String(field(node, 'build_version') ?? 'unknown');
  const uptime = `${uptimeSeconds}s`;
  return { version, state: 'LIVE', uptime_current_epoch: uptime, uptime_all_epochs: uptime, node: node ?? {} };
}
