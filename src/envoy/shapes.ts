// The JSON types of the fields envoyscope reads (the typed fields of model.ts). Valid JSON can
// hold anything anywhere: a decoded resource is checked against its shape once, so a number where
// a name should be is a data error naming its JSON path, never a crash in a view.
import { DataError } from '../errors.ts';
import { isObj } from './model.ts';

type Scalar = 'string' | 'number' | 'boolean' | 'object';
/** A field's shape: a scalar type, a port (an integer 0–65535), a message, a list or a map. */
type Shape = Scalar | 'port' | { fields: Record<string, Shape> } | { list: Shape } | { map: Shape };

const list = (shape: Shape): Shape => ({ list: shape });
const message = (fields: Record<string, Shape>): Shape => ({ fields });

const ANY = message({ '@type': 'string' });
const LOCALITY = message({ region: 'string', zone: 'string', sub_zone: 'string' });
const SOCKET_ADDRESS = message({ address: 'string', port_value: 'port', named_port: 'string', protocol: 'string', ipv4_compat: 'boolean' });
const ADDRESS = message({
  socket_address: SOCKET_ADDRESS,
  pipe: message({ path: 'string', mode: 'number' }),
  envoy_internal_address: message({ server_listener_name: 'string', endpoint_id: 'string' }),
});
const ADDITIONAL_ADDRESSES = list(message({ address: ADDRESS }));
const METADATA = message({ filter_metadata: { map: 'object' }, typed_filter_metadata: { map: ANY } });
const CIDR = list(message({ address_prefix: 'string', prefix_len: 'number' }));

const ROUTE_MATCH = message({
  prefix: 'string',
  path: 'string',
  safe_regex: message({ regex: 'string' }),
  regex: 'string',
  path_separated_prefix: 'string',
  connect_matcher: 'object',
  path_match_policy: 'object',
  case_sensitive: 'boolean',
  headers: list('object'),
  query_parameters: list('object'),
  runtime_fraction: 'object',
  grpc: 'object',
});
const ROUTE = message({
  name: 'string',
  match: ROUTE_MATCH,
  route: message({
    cluster: 'string',
    cluster_header: 'string',
    weighted_clusters: message({ clusters: list(message({ name: 'string', weight: 'number' })), total_weight: 'number' }),
    cluster_specifier_plugin: 'string',
    timeout: 'string',
  }),
  redirect: 'object',
  direct_response: message({ status: 'number', body: 'object' }),
  metadata: METADATA,
  decorator: 'object',
});
const ROUTE_CONFIGURATION = message({
  name: 'string',
  virtual_hosts: list(message({ name: 'string', domains: list('string'), routes: list(ROUTE), require_tls: 'string' })),
  ignore_port_in_host_matching: 'boolean',
});

/** A network filter's config: what the listener table reads of an HTTP connection manager or tcp_proxy. */
const FILTER_CONFIG = message({ '@type': 'string', route_config: ROUTE_CONFIGURATION, rds: message({ route_config_name: 'string' }) });
const NETWORK_FILTERS = list(message({ name: 'string', typed_config: FILTER_CONFIG, config: FILTER_CONFIG }));
const FILTER_CHAIN = message({
  name: 'string',
  filter_chain_match: message({
    destination_port: 'port',
    prefix_ranges: CIDR,
    server_names: list('string'),
    transport_protocol: 'string',
    application_protocols: list('string'),
    source_type: 'string',
    source_prefix_ranges: CIDR,
    direct_source_prefix_ranges: CIDR,
    source_ports: list('port'),
  }),
  filters: NETWORK_FILTERS,
  transport_socket: 'object',
});

const CLUSTER_LOAD_ASSIGNMENT = message({
  cluster_name: 'string',
  endpoints: list(
    message({
      locality: LOCALITY,
      lb_endpoints: list(
        message({
          endpoint: message({ address: ADDRESS, additional_addresses: ADDITIONAL_ADDRESSES, hostname: 'string', health_check_config: 'object' }),
          health_status: 'string',
          metadata: METADATA,
          load_balancing_weight: 'number',
        }),
      ),
      load_balancing_weight: 'number',
      priority: 'number',
    }),
  ),
  named_endpoints: { map: 'object' },
  policy: 'object',
});

/** Shapes of the resources, by the v3 message name they are decoded as. */
const RESOURCES: Record<string, Shape> = {
  'envoy.config.listener.v3.Listener': message({
    name: 'string',
    address: ADDRESS,
    additional_addresses: ADDITIONAL_ADDRESSES,
    filter_chains: list(FILTER_CHAIN),
    default_filter_chain: FILTER_CHAIN,
    filter_chain_matcher: 'object',
    listener_filters: NETWORK_FILTERS,
    use_original_dst: 'boolean',
    bind_to_port: 'boolean',
    deprecated_v1: message({ bind_to_port: 'boolean' }),
    traffic_direction: 'string',
    internal_listener: 'object',
  }),
  'envoy.config.cluster.v3.Cluster': message({
    name: 'string',
    type: 'string',
    cluster_type: message({ name: 'string', typed_config: ANY }),
    eds_cluster_config: message({ service_name: 'string', eds_config: 'object' }),
    lb_policy: 'string',
    load_assignment: CLUSTER_LOAD_ASSIGNMENT,
    hosts: list(ADDRESS),
    metadata: METADATA,
    transport_socket: 'object',
  }),
  'envoy.config.route.v3.RouteConfiguration': ROUTE_CONFIGURATION,
  'envoy.config.endpoint.v3.ClusterLoadAssignment': CLUSTER_LOAD_ASSIGNMENT,
  'envoy.extensions.transport_sockets.tls.v3.Secret': message({
    name: 'string',
    tls_certificate: 'object',
    validation_context: 'object',
    session_ticket_keys: 'object',
    generic_secret: 'object',
  }),
  'envoy.config.core.v3.TypedExtensionConfig': message({ name: 'string', typed_config: ANY }),
  'envoy.config.bootstrap.v3.Bootstrap': message({
    node: message({
      id: 'string',
      cluster: 'string',
      metadata: 'object',
      locality: LOCALITY,
      user_agent_name: 'string',
      user_agent_build_version: message({ version: message({ major_number: 'number', minor_number: 'number', patch: 'number' }), metadata: 'object' }),
      build_version: 'string',
    }),
    static_resources: 'object',
    dynamic_resources: 'object',
    admin: 'object',
  }),
  'envoy.admin.v3.ScopedRoutesConfigDump.InlineScopedRouteConfigs': message({ name: 'string', scoped_route_configs: list(ANY) }),
  'envoy.admin.v3.ScopedRoutesConfigDump.DynamicScopedRouteConfigs': message({ name: 'string', scoped_route_configs: list(ANY) }),
  'envoy.admin.v3.ClusterStatus': message({
    name: 'string',
    added_via_api: 'boolean',
    host_statuses: list(
      message({
        address: ADDRESS,
        stats: list('object'),
        health_status: message({
          failed_active_health_check: 'boolean',
          failed_outlier_check: 'boolean',
          failed_active_degraded_check: 'boolean',
          pending_dynamic_removal: 'boolean',
          pending_active_hc: 'boolean',
          excluded_via_immediate_hc_fail: 'boolean',
          active_hc_timeout: 'boolean',
          eds_health_status: 'string',
        }),
        weight: 'number',
        hostname: 'string',
        priority: 'number',
        locality: LOCALITY,
      }),
    ),
  }),
};

/**
 * Throws a DataError (`<source>: <path>: expected …, found …`) when a field envoyscope reads has
 * the wrong JSON type or a number out of its range. Fields of unknown message types, and
 * fields not read, may hold anything.
 */
export function checkShape(value: unknown, messageType: string, path: string, source: string): void {
  const check = Object.hasOwn(RESOURCES, messageType) ? checkerOf(RESOURCES[messageType] as Shape) : undefined;
  try {
    check?.(value);
  } catch (error) {
    if (error instanceof ShapeFault) throw new DataError(source, `${path}${error.path}: ${error.message}`);
    throw error;
  }
}

/** A mismatch deep inside a resource; each level on the way out adds its step to `path`. */
class ShapeFault extends Error {
  path = '';
}

type Checker = (value: unknown) => void;

const CHECKERS = new WeakMap<object, Checker>();
const SCALAR_CHECKERS = new Map<string, Checker>();

/**
 * A checker compiled from a shape: plain closures the JIT optimises well, called as deep as the
 * shape is (a fixed, small depth), never as deep as the data.
 */
function checkerOf(shape: Shape): Checker {
  const cache = typeof shape === 'string' ? SCALAR_CHECKERS.get(shape) : CHECKERS.get(shape);
  if (cache) return cache;
  let check: Checker;
  if (typeof shape === 'string') {
    check = (value) => {
      const problem = mismatch(value, shape);
      if (problem !== undefined) throw new ShapeFault(problem);
    };
    SCALAR_CHECKERS.set(shape, check);
    return check;
  }
  if ('fields' in shape) {
    const fields = Object.entries(shape.fields).map(([name, fieldShape]) => ({ name, step: `.${name}`, check: checkerOf(fieldShape) }));
    check = (value) => {
      if (!isObj(value)) throw new ShapeFault(`expected an object, found ${describeJsonValue(value)}`);
      for (const field of fields) {
        // No field name read here is also a property of Object.prototype.
        const fieldValue = value[field.name];
        if (fieldValue !== undefined) within(field.step, field.check, fieldValue);
      }
    };
  } else if ('list' in shape) {
    const element = checkerOf(shape.list);
    check = (value) => {
      if (!Array.isArray(value)) throw new ShapeFault(`expected an array, found ${describeJsonValue(value)}`);
      for (let index = 0; index < value.length; index++) within(index, element, value[index]);
    };
  } else {
    const entry = checkerOf(shape.map);
    check = (value) => {
      if (!isObj(value)) throw new ShapeFault(`expected an object, found ${describeJsonValue(value)}`);
      for (const key in value) within(key, entry, value[key], true);
    };
  }
  CHECKERS.set(shape, check);
  return check;
}

/** `step` is a field's `.name`, an index, or (`mapKey`) a map key, spelled out only for a fault. */
function within(step: string | number, check: Checker, value: unknown, mapKey = false): void {
  try {
    check(value);
  } catch (error) {
    if (error instanceof ShapeFault) error.path = (typeof step === 'number' ? `[${step}]` : mapKey ? `[${JSON.stringify(step)}]` : step) + error.path;
    throw error;
  }
}

/** What is wrong with `value` for `shape`, or undefined. */
function mismatch(value: unknown, shape: Shape): string | undefined {
  const expected =
    shape === 'string'
      ? 'a string'
      : shape === 'number' || shape === 'port'
        ? 'a number'
        : shape === 'boolean'
          ? 'true or false'
          : typeof shape === 'object' && 'list' in shape
            ? 'an array'
            : 'an object';
  const fits =
    shape === 'string'
      ? typeof value === 'string'
      : shape === 'number' || shape === 'port'
        ? typeof value === 'number'
        : shape === 'boolean'
          ? typeof value === 'boolean'
          : typeof shape === 'object' && 'list' in shape
            ? Array.isArray(value)
            : isObj(value);
  if (!fits) return `expected ${expected}, found ${describeJsonValue(value)}`;
  if (typeof value === 'number') {
    // JSON.parse reads 1e400 as Infinity: no field of Envoy's holds that.
    if (!Number.isFinite(value)) return `the number is out of range (${String(value)})`;
    if (shape === 'port' && (!Number.isInteger(value) || value < 0 || value > 65535)) return `expected a port (0-65535), found ${value}`;
  }
  return undefined;
}

/** `a string`, `a number (7)`, `null`…: how a message names what it found. */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return `a number (${String(value)})`;
    case 'boolean':
      return `${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
