// The decoded form of an Envoy admin dump. Every resource is kept whole, in the order Envoy gave it,
// with its field names in one canonical spelling: the proto field names (snake_case), whatever
// spelling the input used. Only the fields envoyscope reads are typed; everything else stays
// reachable through the index signatures, so later features (trace, diff) can use it.

/** A JSON object whose known fields are typed and whose other fields are kept as they came. */
export interface Obj {
  [field: string]: unknown;
}

/** Is this JSON value an object (not an array, not null)? */
export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a resource sits in the dump. */
export type ResourceState = 'static' | 'active' | 'warming' | 'draining' | 'error';

/** One resource and the bookkeeping the admin dump keeps beside it. */
export interface Entry<R> {
  state: ResourceState;
  resource: R;
  /** `@type` of the resource as given (e.g. `type.googleapis.com/envoy.api.v2.Cluster`); absent in v2alpha dumps. */
  typeUrl?: string;
  /** The proto message name the resource was decoded as (v3 name, e.g. `envoy.config.cluster.v3.Cluster`). */
  messageType: string;
  versionInfo?: string;
  lastUpdated?: string;
  /** The wrapper's own fields (DynamicListener.name, error_state, client_status, …), canonical spelling. */
  wrapper: Obj;
}

export interface SocketAddress extends Obj {
  address?: string;
  port_value?: number;
  named_port?: string;
  protocol?: string;
  ipv4_compat?: boolean;
}

export interface Address extends Obj {
  socket_address?: SocketAddress;
  pipe?: { path?: string; mode?: number } & Obj;
  envoy_internal_address?: { server_listener_name?: string; endpoint_id?: string } & Obj;
}

/** An Any: `@type` plus the message fields inline (or `value` for well-known types). */
export interface AnyMessage extends Obj {
  '@type'?: string;
}

export interface NetworkFilter extends Obj {
  name?: string;
  typed_config?: AnyMessage;
  /** v2 Struct config (also `hidden_envoy_deprecated_config` in Envoy 1.14–1.17 dumps, mapped here). */
  config?: Obj;
}

export interface CidrRange extends Obj {
  address_prefix?: string;
  prefix_len?: number;
}

export interface FilterChainMatch extends Obj {
  destination_port?: number;
  prefix_ranges?: CidrRange[];
  server_names?: string[];
  transport_protocol?: string;
  application_protocols?: string[];
  source_type?: string;
  source_prefix_ranges?: CidrRange[];
  direct_source_prefix_ranges?: CidrRange[];
  source_ports?: number[];
}

export interface FilterChain extends Obj {
  name?: string;
  filter_chain_match?: FilterChainMatch;
  filters?: NetworkFilter[];
  transport_socket?: Obj;
}

export interface Listener extends Obj {
  name?: string;
  address?: Address;
  additional_addresses?: { address?: Address }[];
  filter_chains?: FilterChain[];
  default_filter_chain?: FilterChain;
  filter_chain_matcher?: Obj;
  listener_filters?: NetworkFilter[];
  use_original_dst?: boolean;
  bind_to_port?: boolean;
  deprecated_v1?: { bind_to_port?: boolean } & Obj;
  traffic_direction?: string;
  internal_listener?: Obj;
}

export interface Metadata extends Obj {
  filter_metadata?: Record<string, Obj>;
  typed_filter_metadata?: Record<string, AnyMessage>;
}

export interface Locality extends Obj {
  region?: string;
  zone?: string;
  sub_zone?: string;
}

export interface LbEndpoint extends Obj {
  endpoint?: {
    address?: Address;
    additional_addresses?: { address?: Address }[];
    hostname?: string;
    health_check_config?: Obj;
  } & Obj;
  health_status?: string;
  metadata?: Metadata;
  load_balancing_weight?: number;
}

export interface LocalityLbEndpoints extends Obj {
  locality?: Locality;
  lb_endpoints?: LbEndpoint[];
  load_balancing_weight?: number;
  priority?: number;
}

export interface ClusterLoadAssignment extends Obj {
  cluster_name?: string;
  endpoints?: LocalityLbEndpoints[];
  named_endpoints?: Record<string, Obj>;
  policy?: Obj;
}

export interface Cluster extends Obj {
  name?: string;
  type?: string;
  cluster_type?: { name?: string; typed_config?: AnyMessage } & Obj;
  eds_cluster_config?: { service_name?: string; eds_config?: Obj } & Obj;
  lb_policy?: string;
  load_assignment?: ClusterLoadAssignment;
  /** v2 only (`hidden_envoy_deprecated_hosts` in Envoy 1.14–1.17 dumps, mapped here). */
  hosts?: Address[];
  metadata?: Metadata;
  transport_socket?: Obj;
}

export interface StringMatcher extends Obj {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: { regex?: string } & Obj;
  ignore_case?: boolean;
}

export interface RouteMatch extends Obj {
  prefix?: string;
  path?: string;
  safe_regex?: { regex?: string } & Obj;
  /** v2 `regex` (ECMAScript, full match). */
  regex?: string;
  path_separated_prefix?: string;
  connect_matcher?: Obj;
  path_match_policy?: Obj;
  case_sensitive?: boolean;
  headers?: Obj[];
  query_parameters?: Obj[];
  runtime_fraction?: Obj;
  grpc?: Obj;
}

export interface WeightedCluster extends Obj {
  clusters?: ({ name?: string; weight?: number } & Obj)[];
  total_weight?: number;
}

export interface RouteAction extends Obj {
  cluster?: string;
  cluster_header?: string;
  weighted_clusters?: WeightedCluster;
  cluster_specifier_plugin?: string;
  timeout?: string;
}

export interface Route extends Obj {
  name?: string;
  match?: RouteMatch;
  route?: RouteAction;
  redirect?: Obj;
  direct_response?: { status?: number; body?: Obj } & Obj;
  metadata?: Metadata;
  decorator?: Obj;
}

export interface VirtualHost extends Obj {
  name?: string;
  domains?: string[];
  routes?: Route[];
  require_tls?: string;
}

export interface RouteConfiguration extends Obj {
  name?: string;
  virtual_hosts?: VirtualHost[];
  ignore_port_in_host_matching?: boolean;
}

export interface Secret extends Obj {
  name?: string;
  tls_certificate?: Obj;
  validation_context?: Obj;
  session_ticket_keys?: Obj;
  generic_secret?: Obj;
}

export interface TypedExtensionConfig extends Obj {
  name?: string;
  typed_config?: AnyMessage;
}

export interface Node extends Obj {
  id?: string;
  cluster?: string;
  metadata?: Obj;
  locality?: Locality;
  user_agent_name?: string;
  user_agent_build_version?: {
    version?: { major_number?: number; minor_number?: number; patch?: number };
    metadata?: Obj;
  } & Obj;
  /** v2 only: `<sha>/<x.y.z>/<status>/<type>/<ssl>`. */
  build_version?: string;
}

export interface Bootstrap extends Obj {
  node?: Node;
  static_resources?: Obj;
  dynamic_resources?: Obj;
  admin?: Obj;
}

export interface ScopedRouteConfigs extends Obj {
  name?: string;
  scoped_route_configs?: AnyMessage[];
}

/** The kinds of section an admin dump can hold. */
export const SECTION_KINDS = ['bootstrap', 'clusters', 'listeners', 'routes', 'scopedRoutes', 'endpoints', 'secrets', 'ecds'] as const;
export type SectionKind = (typeof SECTION_KINDS)[number];

/** A decoded `/config_dump` (any generation, any field spelling). */
export interface ConfigDump {
  /** Which sections the input had, even when empty. A command on an absent section is an error. */
  sections: Set<SectionKind>;
  bootstrap?: Entry<Bootstrap>;
  listeners: Entry<Listener>[];
  clusters: Entry<Cluster>[];
  routes: Entry<RouteConfiguration>[];
  scopedRoutes: Entry<ScopedRouteConfigs>[];
  endpoints: Entry<ClusterLoadAssignment>[];
  secrets: Entry<Secret>[];
  ecds: Entry<TypedExtensionConfig>[];
  /** Sections of a type envoyscope does not know, kept as given. */
  unknown: AnyMessage[];
}

/** `/clusters?format=json` (envoy.admin.v3.Clusters), canonical spelling. */
export interface HostHealthStatus extends Obj {
  failed_active_health_check?: boolean;
  failed_outlier_check?: boolean;
  failed_active_degraded_check?: boolean;
  pending_dynamic_removal?: boolean;
  pending_active_hc?: boolean;
  excluded_via_immediate_hc_fail?: boolean;
  active_hc_timeout?: boolean;
  eds_health_status?: string;
}

export interface HostStatus extends Obj {
  address?: Address;
  stats?: Obj[];
  health_status?: HostHealthStatus;
  weight?: number;
  hostname?: string;
  priority?: number;
  locality?: Locality;
}

export interface ClusterStatus extends Obj {
  name?: string;
  /** The EDS name its endpoints come under (the ClusterLoadAssignment's cluster_name). */
  eds_service_name?: string;
  added_via_api?: boolean;
  host_statuses?: HostStatus[];
}

export interface ClustersStatus {
  cluster_statuses: ClusterStatus[];
}
