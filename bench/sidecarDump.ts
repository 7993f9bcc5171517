// Builds the `/config_dump` of an Istio 1.22 sidecar (Envoy 1.30, admin v3, snake_case field names,
// fields in proto order, as Envoy prints them) for a mesh of any size, and the matching
// `/clusters?format=json`. Pure and deterministic: the same options always give the same objects.
// The bundled example, the benchmark's large dumps and the tests all come from here.

export interface SidecarDumpOptions {
  /** Service ports in the mesh: each is one outbound cluster and one EDS assignment. */
  services: number;
  /** Add the EndpointsConfigDump, as `/config_dump?include_eds` does. */
  includeEds: boolean;
  podName?: string;
  podIp?: string;
  namespace?: string;
  /** Seeds every random choice: protocols, ports, subsets, replicas, zones, counters. */
  seed?: number;
}

type Json = { [field: string]: unknown };

/** How Istio treats a port: `http` shares `0.0.0.0_<port>`, `auto` is sniffed on `<vip>_<port>`, `tcp` is proxied. */
type Protocol = 'http' | 'auto' | 'tcp';

interface PortDef {
  port: number;
  /** The container port behind the service port, when it differs. */
  targetPort?: number;
  protocol: Protocol;
  /** gRPC / h2 ports: the cluster speaks HTTP/2 upstream. */
  http2?: boolean;
}

interface WorkloadDef {
  version: string;
  ip: string;
}

interface DestinationRuleDef {
  name: string;
  subsets: string[];
  outlierDetection: boolean;
}

/** `header`: end-user jason → v2, others → v1; `weighted`: 90/10 over the first two subsets; `timeout`: one route with timeout and retries. */
type VirtualServiceRouting = 'header' | 'weighted' | 'timeout';

interface ServiceDef {
  name: string;
  /** null: the sidecar's own namespace (bookinfo lives next to the pod). */
  namespace: string | null;
  vip: string;
  serviceAccount: string;
  /** Its pods run a sidecar, so their endpoints carry `tlsMode: istio` and get mTLS. */
  inMesh: boolean;
  ports: PortDef[];
  workloads: WorkloadDef[];
  destinationRule: DestinationRuleDef | null;
  virtualService: { name: string; routing: VirtualServiceRouting } | null;
}

interface Workload extends WorkloadDef {
  zone: string;
}

interface MeshService extends Omit<ServiceDef, 'namespace' | 'workloads'> {
  namespace: string;
  fqdn: string;
  workloads: Workload[];
}

interface ServicePort extends PortDef {
  service: MeshService;
}

interface Proxy {
  podName: string;
  podIp: string;
  namespace: string;
  /** Deployment name: the pod name without the ReplicaSet hash and pod suffix. */
  workload: string;
  app: string;
  version: string;
  podTemplateHash: string;
  serviceAccount: string;
  zone: string;
}

const ISTIO_VERSION = '1.22.3';
const ENVOY_VERSION = { major_number: 1, minor_number: 30, patch: 4 };
const ISTIO_PROXY_SHA = '5c8e1f0b7d2a49c36e1b8f4d0a7c2e59b3d6f18a';
const REGION = 'us-west1';
const ZONES = ['us-west1-a', 'us-west1-b', 'us-west1-c'];
const TRUST_DOMAIN = 'cluster.local';
/** The port the sidecar's own application listens on (bookinfo serves everything on 9080). */
const APP_PORT = 9080;
const DUMP_TIME = Date.UTC(2026, 10, 28, 1, 12, 44, 0);
const XDS_VERSION = '2026-11-28T01:12:31Z/19';
/** Every dynamic resource comes over the one ADS stream. */
const ADS: Json = { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' };

/** bookinfo next to the pod, then the usual cluster and istio-system services (VIPs as in the seed article). */
const WELL_KNOWN_SERVICES: readonly ServiceDef[] = [
  bookinfo('details', '10.254.38.190', [{ version: 'v1', ip: '172.33.3.8' }]),
  bookinfo('productpage', '10.254.61.12', [{ version: 'v1', ip: '172.33.3.5' }]),
  {
    ...bookinfo('ratings', '10.254.234.130', [{ version: 'v1', ip: '172.33.100.2' }]),
    destinationRule: { name: 'ratings', subsets: [], outlierDetection: true },
  },
  {
    ...bookinfo('reviews', '10.254.19.143', [
      { version: 'v1', ip: '172.33.3.3' },
      { version: 'v2', ip: '172.33.4.7' },
      { version: 'v3', ip: '172.33.5.2' },
    ]),
    destinationRule: { name: 'reviews', subsets: ['v1', 'v2', 'v3'], outlierDetection: true },
    virtualService: { name: 'reviews', routing: 'header' },
  },
  infrastructure('kubernetes', 'default', '10.254.0.1', [{ port: 443, targetPort: 6443, protocol: 'tcp' }], ['172.18.0.2'], false),
  infrastructure(
    'kube-dns',
    'kube-system',
    '10.254.0.2',
    [
      { port: 53, protocol: 'tcp' },
      { port: 9153, protocol: 'http' },
    ],
    ['172.33.0.4', '172.33.1.3'],
    false,
  ),
  infrastructure(
    'istiod',
    'istio-system',
    '10.254.22.50',
    [
      { port: 15010, protocol: 'http', http2: true },
      { port: 15012, protocol: 'tcp' },
      { port: 443, targetPort: 15017, protocol: 'tcp' },
      { port: 15014, protocol: 'http' },
    ],
    ['172.33.2.6'],
    false,
  ),
  infrastructure(
    'istio-ingressgateway',
    'istio-system',
    '10.254.4.253',
    [
      { port: 15021, protocol: 'auto' },
      { port: 80, targetPort: 8080, protocol: 'http' },
      { port: 443, targetPort: 8443, protocol: 'tcp' },
    ],
    ['172.33.2.9'],
    true,
  ),
  infrastructure('prometheus', 'istio-system', '10.254.127.202', [{ port: 9090, protocol: 'http' }], ['172.33.6.4'], false),
  infrastructure('grafana', 'istio-system', '10.254.16.64', [{ port: 3000, protocol: 'auto' }], ['172.33.6.7'], false),
  infrastructure('zipkin', 'istio-system', '10.254.169.13', [{ port: 9411, protocol: 'http' }], ['172.33.6.9'], false),
  infrastructure('kiali', 'istio-system', '10.254.32.134', [{ port: 20001, protocol: 'http' }], ['172.33.6.11'], false),
];

/** Service ports in the well-known head of every mesh: `services` up to this many yields exactly bookinfo and friends. */
export const WELL_KNOWN_SERVICE_PORTS = WELL_KNOWN_SERVICES.reduce((count, service) => count + service.ports.length, 0);

function bookinfo(name: string, vip: string, workloads: WorkloadDef[]): ServiceDef {
  return {
    name,
    namespace: null,
    vip,
    serviceAccount: `bookinfo-${name}`,
    inMesh: true,
    ports: [{ port: APP_PORT, protocol: 'http' }],
    workloads,
    destinationRule: null,
    virtualService: null,
  };
}

function infrastructure(name: string, namespace: string, vip: string, ports: PortDef[], podIps: string[], inMesh: boolean): ServiceDef {
  return {
    name,
    namespace,
    vip,
    serviceAccount: name,
    inMesh,
    ports,
    workloads: podIps.map((ip) => ({ version: '', ip })),
    destinationRule: null,
    virtualService: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Public entry points

export function buildSidecarDump(options: SidecarDumpOptions): Json {
  const mesh = buildMesh(options);
  const clock = createClock();
  const plans = clusterPlans(mesh);
  const listeners = mesh.random.shuffle([...outboundListeners(mesh), virtualOutboundListener(), virtualInboundListener(mesh)]);
  const routeConfigs = mesh.random.shuffle(outboundRouteConfigs(mesh));
  const staticListeners = [prometheusListener(), healthListener()];
  return {
    configs: [
      {
        '@type': adminType('BootstrapConfigDump'),
        bootstrap: bootstrap(mesh, staticListeners, plans),
        last_updated: clock.tick(),
      },
      {
        '@type': adminType('ClustersConfigDump'),
        version_info: XDS_VERSION,
        static_clusters: plans.filter((plan) => !plan.dynamic).map((plan) => ({ cluster: any(CLUSTER_TYPE, plan.cluster), last_updated: clock.tick() })),
        dynamic_active_clusters: plans
          .filter((plan) => plan.dynamic)
          .map((plan) => ({ version_info: XDS_VERSION, cluster: any(CLUSTER_TYPE, plan.cluster), last_updated: clock.tick() })),
      },
      ecdsConfigDump(clock),
      ...(options.includeEds ? [endpointsConfigDump(plans)] : []),
      {
        '@type': adminType('ListenersConfigDump'),
        version_info: XDS_VERSION,
        static_listeners: staticListeners.map((listener) => ({
          listener: any(LISTENER_TYPE, listener),
          last_updated: clock.tick(),
        })),
        dynamic_listeners: listeners.map((listener) => ({
          name: listener['name'],
          active_state: { version_info: XDS_VERSION, listener: any(LISTENER_TYPE, listener), last_updated: clock.tick() },
        })),
      },
      { '@type': adminType('ScopedRoutesConfigDump') },
      {
        '@type': adminType('RoutesConfigDump'),
        // Envoy lists the route configs inlined in listeners' HCMs as static ones.
        static_route_configs: [...staticListeners, ...listeners].flatMap(inlineRouteConfigs).map((routeConfig) => ({
          route_config: any(ROUTE_TYPE, routeConfig),
          last_updated: clock.tick(),
        })),
        dynamic_route_configs: routeConfigs.map((routeConfig) => ({
          version_info: XDS_VERSION,
          route_config: any(ROUTE_TYPE, routeConfig),
          last_updated: clock.tick(),
        })),
      },
      secretsConfigDump(clock),
    ],
  };
}

/** Envoy's `/clusters?format=json` for the same sidecar: every cluster with its live hosts and their counters. */
export function buildClustersStatus(options: MeshOptions): Json {
  const mesh = buildMesh(options);
  const plans = clusterPlans(mesh);
  const outlierVictim = pickOutlierVictim(plans);
  // Its own stream, so traffic counters never shift the dump's random choices.
  const traffic = createRandom(mesh.seed ^ 0x5eed);
  return {
    cluster_statuses: plans.map((plan) => ({
      name: plan.name,
      ...(plan.dynamic ? { added_via_api: true } : {}),
      host_statuses: plan.hosts.map((host) => ({
        address: host.address,
        stats: hostStats(traffic),
        health_status: {
          ...(host === outlierVictim ? { failed_outlier_check: true } : {}),
          eds_health_status: 'HEALTHY',
        },
        weight: 1,
        locality: host.locality,
      })),
      circuit_breakers: plan.dynamic ? STATUS_CIRCUIT_BREAKERS_UNLIMITED : STATUS_CIRCUIT_BREAKERS_DEFAULT,
      observability_name: plan.name,
      ...(plan.edsServiceName === null ? {} : { eds_service_name: plan.edsServiceName }),
    })),
  };
}

/** Admin JSON as Envoy prints it: protobuf's pretty printer indents by one space. */
export function serializeAdminJson(value: unknown): string {
  return `${JSON.stringify(value, null, 1)}\n`;
}

// ---------------------------------------------------------------------------------------------
// The mesh: which services exist, where their pods are

interface Mesh {
  proxy: Proxy;
  seed: number;
  random: Random;
  servicePorts: ServicePort[];
  tracing: Json;
}

type MeshOptions = Omit<SidecarDumpOptions, 'includeEds'>;

function buildMesh(options: MeshOptions): Mesh {
  const seed = options.seed ?? 1;
  const random = createRandom(seed);
  const proxy = proxyIdentity(options, random);
  const definitions: ServiceDef[] = [];
  let portCount = 0;
  for (const service of WELL_KNOWN_SERVICES) {
    if (portCount >= options.services) break;
    const ports = service.ports.slice(0, options.services - portCount);
    definitions.push({ ...service, ports });
    portCount += ports.length;
  }
  const podIps = createAddressPool('10.244.0.10');
  for (let index = portCount; index < options.services; index++) {
    definitions.push(syntheticService(index, random, podIps));
  }
  const servicePorts = definitions.flatMap((definition) => {
    const service = meshService(definition, proxy, random);
    return definition.ports.map((port) => ({ ...port, service }));
  });
  return { proxy, seed, random, servicePorts, tracing: tracing(proxy) };
}

function proxyIdentity(options: MeshOptions, random: Random): Proxy {
  const podName = options.podName ?? 'reviews-v1-cb8655c75-b97zc';
  const nameParts = podName.split('-');
  // A Deployment's pod is <deployment>-<replicaset hash>-<suffix>; anything else is its own workload.
  const workload = nameParts.length > 2 ? nameParts.slice(0, -2).join('-') : podName;
  const versioned = /^(.*)-(v\d+)$/.exec(workload);
  const app = versioned?.[1] ?? workload;
  return {
    podName,
    podIp: options.podIp ?? '172.33.3.3',
    namespace: options.namespace ?? 'default',
    workload,
    app,
    version: versioned?.[2] ?? '',
    podTemplateHash: nameParts.length > 2 ? (nameParts.at(-2) ?? '') : '',
    serviceAccount: `bookinfo-${app}`,
    zone: random.pick(ZONES),
  };
}

const SERVICE_NOUNS = [
  'orders',
  'payments',
  'inventory',
  'catalog',
  'cart',
  'shipping',
  'accounts',
  'search',
  'pricing',
  'ledger',
  'notifications',
  'checkout',
  'profile',
  'media',
  'billing',
  'reports',
];
const SERVICE_ROLES = ['api', 'worker', 'gateway', 'backend', 'frontend', 'sync', 'store'];
const PORTS_BY_PROTOCOL: Record<Protocol, readonly number[]> = {
  http: [80, 8080, 9080, 3000, 5000, 8000],
  auto: [7070, 8081, 8888],
  tcp: [6379, 5432, 3306, 27017, 9092],
};
const TEAM_NAMESPACES = 48;

/** One generated service with a single port; about 70% HTTP, 20% sniffed, 10% TCP. */
function syntheticService(index: number, random: Random, podIps: AddressPool): ServiceDef {
  const name = `${random.pick(SERVICE_NOUNS)}-${random.pick(SERVICE_ROLES)}-${index}`;
  const roll = random.next();
  const protocol: Protocol = roll < 0.7 ? 'http' : roll < 0.9 ? 'auto' : 'tcp';
  const subsets = random.chance(0.1) ? ['v1', 'v2'] : [];
  const destinationRule = subsets.length > 0 || random.chance(0.25) ? { name, subsets, outlierDetection: random.chance(0.6) } : null;
  const routing: VirtualServiceRouting | null = protocol === 'tcp' ? null : subsets.length > 0 ? 'weighted' : random.chance(0.15) ? 'timeout' : null;
  // A canary needs at least one pod per subset.
  const replicas = Math.max(1 + random.int(3), subsets.length);
  return {
    name,
    namespace: `team-${String(1 + random.int(TEAM_NAMESPACES)).padStart(2, '0')}`,
    vip: syntheticVip(index),
    serviceAccount: name,
    // Databases and brokers often run outside the mesh.
    inMesh: protocol !== 'tcp' || random.chance(0.5),
    ports: [{ port: random.pick(PORTS_BY_PROTOCOL[protocol]), protocol, http2: protocol === 'http' && random.chance(0.2) }],
    workloads: Array.from({ length: replicas }, (_, replica) => ({
      version: subsets[replica % Math.max(subsets.length, 1)] ?? 'v1',
      ip: podIps.next(),
    })),
    destinationRule,
    virtualService: routing === null ? null : { name, routing },
  };
}

/** Distinct for every index below 1,048,000: a stride coprime with the size of the 10.96.0.0/12 range. */
function syntheticVip(index: number): string {
  return formatIpv4(ipv4ToNumber('10.96.0.1') + ((index * 7919) % 1_048_000));
}

function meshService(definition: ServiceDef, proxy: Proxy, random: Random): MeshService {
  const namespace = definition.namespace ?? proxy.namespace;
  const isOwnService = namespace === proxy.namespace && definition.name === proxy.app;
  return {
    ...definition,
    namespace,
    fqdn: `${definition.name}.${namespace}.svc.${TRUST_DOMAIN}`,
    workloads: definition.workloads.map((workload) =>
      isOwnService && workload.version === proxy.version ? { ...workload, ip: proxy.podIp, zone: proxy.zone } : { ...workload, zone: random.pick(ZONES) },
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Clusters (CDS), and the hosts behind them (EDS, /clusters)

interface Host {
  address: Json;
  locality: Json;
  metadata: Json | null;
}

interface ClusterPlan {
  name: string;
  dynamic: boolean;
  cluster: Json;
  hosts: Host[];
  edsServiceName: string | null;
}

const CLUSTER_TYPE = 'envoy.config.cluster.v3.Cluster';

function clusterPlans(mesh: Mesh): ClusterPlan[] {
  const dynamic: ClusterPlan[] = [
    dynamicPlan({ name: 'BlackHoleCluster', type: 'STATIC', connect_timeout: '10s' }),
    dynamicPlan(originalDstCluster('InboundPassthroughClusterIpv4', null)),
    dynamicPlan({ ...originalDstCluster('PassthroughCluster', null), filters: [METADATA_EXCHANGE_NETWORK] }),
    dynamicPlan(originalDstCluster(`inbound|${APP_PORT}||`, ownService(mesh))),
    ...mesh.servicePorts.flatMap((servicePort) =>
      ['', ...(servicePort.service.destinationRule?.subsets ?? [])].map((subset) => outboundPlan(servicePort, subset)),
    ),
  ];
  dynamic.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    staticPlan('prometheus_stats', socketAddress('127.0.0.1', 15000)),
    staticPlan('agent', socketAddress('127.0.0.1', 15020)),
    staticPlan('sds-grpc', pipeAddress('./var/run/secrets/workload-spiffe-uds/socket'), HTTP2_PROTOCOL_OPTIONS),
    staticPlan('xds-grpc', pipeAddress('./etc/istio/proxy/XDS'), HTTP2_PROTOCOL_OPTIONS),
    ...dynamic,
  ];
}

function ownService(mesh: Mesh): MeshService | null {
  const { proxy } = mesh;
  return mesh.servicePorts.find(({ service }) => service.name === proxy.app && service.namespace === proxy.namespace)?.service ?? null;
}

function dynamicPlan(cluster: Json): ClusterPlan {
  return { name: String(cluster['name']), dynamic: true, cluster, hosts: [], edsServiceName: null };
}

function staticPlan(name: string, address: Json, protocolOptions?: Json): ClusterPlan {
  const connectTimeout = name.endsWith('grpc') ? '1s' : '0.250s';
  return {
    name,
    dynamic: false,
    cluster: {
      name,
      type: 'STATIC',
      connect_timeout: connectTimeout,
      load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }] },
      ...(protocolOptions ? { typed_extension_protocol_options: protocolOptions } : {}),
    },
    hosts: [{ address, locality: {}, metadata: null }],
    edsServiceName: null,
  };
}

const UNLIMITED = 4294967295;
const CIRCUIT_BREAKERS: Json = {
  thresholds: [{ max_connections: UNLIMITED, max_pending_requests: UNLIMITED, max_requests: UNLIMITED, max_retries: UNLIMITED, track_remaining: true }],
};

const HTTP2_PROTOCOL_OPTIONS: Json = {
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': any('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
    explicit_http_config: { http2_protocol_options: {} },
  }),
};

function originalDstCluster(name: string, service: MeshService | null): Json {
  const inbound = name !== 'PassthroughCluster';
  return {
    name,
    type: 'ORIGINAL_DST',
    connect_timeout: '10s',
    lb_policy: 'CLUSTER_PROVIDED',
    circuit_breakers: CIRCUIT_BREAKERS,
    // Inbound traffic leaves from 127.0.0.6 so iptables does not capture it a second time.
    ...(inbound ? { upstream_bind_config: { source_address: { address: '127.0.0.6', port_value: 0 } } } : {}),
    ...(service ? { metadata: { filter_metadata: { istio: { services: [serviceRef(service)] } } } } : {}),
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': any('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
        common_http_protocol_options: { idle_timeout: '300s' },
        use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} },
      }),
    },
  };
}

const OUTLIER_DETECTION: Json = {
  consecutive_5xx: 5,
  interval: '10s',
  base_ejection_time: '30s',
  max_ejection_percent: 50,
  enforcing_consecutive_5xx: 100,
  enforcing_success_rate: 0,
  consecutive_gateway_failure: 0,
  enforcing_consecutive_gateway_failure: 0,
};

function outboundPlan(servicePort: ServicePort, subset: string): ClusterPlan {
  const { service } = servicePort;
  const name = `outbound|${servicePort.port}|${subset}|${service.fqdn}`;
  const rule = service.destinationRule;
  const istioMetadata: Json = {
    ...(rule ? { config: configPath('destination-rule', service.namespace, rule.name) } : {}),
    services: [serviceRef(service)],
    ...(subset ? { subset } : {}),
  };
  const cluster: Json = {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS, service_name: name },
    connect_timeout: '10s',
    lb_policy: 'LEAST_REQUEST',
    circuit_breakers: CIRCUIT_BREAKERS,
    ...(rule?.outlierDetection ? { outlier_detection: OUTLIER_DETECTION } : {}),
    metadata: { filter_metadata: { istio: istioMetadata } },
    common_lb_config: { locality_weighted_lb_config: {} },
    ...(servicePort.http2 ? { typed_extension_protocol_options: HTTP2_PROTOCOL_OPTIONS } : {}),
    filters: [METADATA_EXCHANGE_NETWORK],
    transport_socket_matches: [
      {
        name: 'tlsMode-istio',
        match: { tlsMode: 'istio' },
        transport_socket: upstreamTls(servicePort, subset),
      },
      {
        name: 'tlsMode-disabled',
        match: {},
        transport_socket: {
          name: 'envoy.transport_sockets.raw_buffer',
          typed_config: any('envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer', {}),
        },
      },
    ],
  };
  const targetPort = servicePort.targetPort ?? servicePort.port;
  const hosts = service.workloads
    .filter((workload) => subset === '' || workload.version === subset)
    // Envoy keeps hosts per locality, so /clusters and the EDS dump both list them zone by zone.
    .toSorted((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0))
    .map((workload) => ({
      address: socketAddress(workload.ip, targetPort),
      locality: { region: REGION, zone: workload.zone },
      metadata: endpointMetadata(service, workload),
    }));
  return { name, dynamic: true, cluster, hosts, edsServiceName: name };
}

function upstreamTls(servicePort: ServicePort, subset: string): Json {
  const { service } = servicePort;
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: any('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' },
        alpn_protocols: servicePort.http2 ? ['istio-peer-exchange', 'istio', 'h2'] : ['istio-peer-exchange', 'istio'],
        tls_certificate_sds_secret_configs: [SDS_DEFAULT],
        combined_validation_context: {
          default_validation_context: {
            match_subject_alt_names: [{ exact: spiffeId(service.namespace, service.serviceAccount) }],
          },
          validation_context_sds_secret_config: SDS_ROOTCA,
        },
      },
      sni: `outbound_.${servicePort.port}_.${subset || '_'}_.${service.fqdn}`,
    }),
  };
}

function endpointMetadata(service: MeshService, workload: Workload): Json {
  const istio = {
    workload: `${service.name}${workload.version ? `-${workload.version}` : ''};${service.namespace};${service.name};${workload.version};Kubernetes`,
  };
  return {
    filter_metadata: service.inMesh ? { 'envoy.transport_socket_match': { tlsMode: 'istio' }, istio } : { istio },
  };
}

function serviceRef(service: MeshService): Json {
  return { host: service.fqdn, name: service.name, namespace: service.namespace };
}

function configPath(kind: 'destination-rule' | 'virtual-service', namespace: string, name: string): string {
  return `/apis/networking.istio.io/v1alpha3/namespaces/${namespace}/${kind}/${name}`;
}

/** Envoy dumps the hosts it holds, not the EDS resource: each endpoint with its health and weight, grouped by locality. */
function endpointsConfigDump(plans: ClusterPlan[]): Json {
  const assignment = (plan: ClusterPlan): Json => {
    const byLocality = new Map<string, { locality: Json; lb_endpoints: Json[] }>();
    for (const host of plan.hosts) {
      const key = JSON.stringify(host.locality);
      const group = byLocality.get(key) ?? { locality: host.locality, lb_endpoints: [] };
      group.lb_endpoints.push({
        endpoint: { address: host.address, health_check_config: {} },
        health_status: 'HEALTHY',
        ...(host.metadata ? { metadata: host.metadata } : {}),
        load_balancing_weight: 1,
      });
      byLocality.set(key, group);
    }
    return {
      endpoint_config: any('envoy.config.endpoint.v3.ClusterLoadAssignment', {
        cluster_name: plan.name,
        ...(byLocality.size > 0 ? { endpoints: [...byLocality.values()] } : {}),
        policy: { overprovisioning_factor: 140 },
      }),
    };
  };
  return {
    '@type': adminType('EndpointsConfigDump'),
    static_endpoint_configs: plans.filter((plan) => !plan.dynamic).map(assignment),
    dynamic_endpoint_configs: plans.filter((plan) => plan.dynamic).map(assignment),
  };
}

/** The last host of the first outlier-detected cluster with several hosts: one ejected replica, as after a bad deploy. */
function pickOutlierVictim(plans: ClusterPlan[]): Host | null {
  const plan = plans.find((candidate) => candidate.cluster['outlier_detection'] && candidate.hosts.length > 1);
  return plan?.hosts.at(-1) ?? null;
}

function hostStats(random: Random): Json[] {
  const connections = random.int(400);
  const requests = connections * (1 + random.int(6));
  const errors = random.chance(0.2) ? random.int(1 + Math.floor(requests / 50)) : 0;
  const counter = (name: string, value: number): Json => (value === 0 ? { name } : { value: String(value), name });
  const gauge = (name: string, value: number): Json => (value === 0 ? { type: 'GAUGE', name } : { type: 'GAUGE', value: String(value), name });
  return [
    counter('cx_connect_fail', 0),
    counter('cx_total', connections),
    counter('rq_error', errors),
    counter('rq_success', requests - errors),
    counter('rq_timeout', 0),
    counter('rq_total', requests),
    gauge('cx_active', connections > 0 ? 1 + random.int(3) : 0),
    gauge('rq_active', 0),
  ];
}

const STATUS_CIRCUIT_BREAKERS_UNLIMITED: Json = {
  thresholds: [
    { max_connections: UNLIMITED, max_pending_requests: UNLIMITED, max_requests: UNLIMITED, max_retries: UNLIMITED },
    { priority: 'HIGH', max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 },
  ],
};

const STATUS_CIRCUIT_BREAKERS_DEFAULT: Json = {
  thresholds: [
    { max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 },
    { priority: 'HIGH', max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 },
  ],
};

// ---------------------------------------------------------------------------------------------
// Listeners (LDS)

const LISTENER_TYPE = 'envoy.config.listener.v3.Listener';
const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const HTTP_CONNECTION_MANAGER = 'envoy.filters.network.http_connection_manager';
const SNIFFED_HTTP = ['http/1.1', 'h2c'];
const ISTIO_HTTP_ALPN = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'];

function prometheusListener(): Json {
  return adminListener(15090, 'stats', '/stats/prometheus', 'prometheus_stats');
}

function healthListener(): Json {
  return adminListener(15021, 'agent', '/healthz/ready', 'agent');
}

/** The bootstrap's static listeners have no name, only an address and an inline route. */
function adminListener(port: number, statPrefix: string, prefix: string, cluster: string): Json {
  return {
    address: socketAddress('0.0.0.0', port),
    filter_chains: [
      {
        filters: [
          {
            name: HTTP_CONNECTION_MANAGER,
            typed_config: any(HCM_TYPE, {
              stat_prefix: statPrefix,
              route_config: {
                virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix }, route: { cluster } }] }],
              },
              http_filters: [ROUTER_FILTER],
            }),
          },
        ],
      },
    ],
  };
}

function outboundListeners(mesh: Mesh): Json[] {
  const httpPorts = new Set<number>();
  const perService: Json[] = [];
  for (const servicePort of mesh.servicePorts) {
    if (servicePort.protocol === 'http') httpPorts.add(servicePort.port);
    else perService.push(serviceListener(mesh, servicePort));
  }
  return [...[...httpPorts].map((port) => httpPortListener(mesh, port)), ...perService];
}

/** All HTTP services on a port share `0.0.0.0_<port>`; the route config named after the port picks the vhost. */
function httpPortListener(mesh: Mesh, port: number): Json {
  return sniffingListener(mesh, `0.0.0.0_${port}`, socketAddress('0.0.0.0', port), String(port), {
    filters: [ISTIO_STATS_FILTER, tcpProxy('PassthroughCluster')],
    name: 'PassthroughFilterChain',
  });
}

/** Sniffed ports get `<vip>_<port>` with an HTTP chain and a TCP fallback; TCP ports only proxy. */
function serviceListener(mesh: Mesh, servicePort: ServicePort): Json {
  const { service, port } = servicePort;
  const name = `${service.vip}_${port}`;
  const cluster = `outbound|${port}||${service.fqdn}`;
  if (servicePort.protocol === 'auto') {
    return sniffingListener(mesh, name, socketAddress(service.vip, port), `${service.fqdn}:${port}`, {
      filters: [ISTIO_STATS_FILTER, tcpProxy(cluster)],
    });
  }
  return {
    name,
    address: socketAddress(service.vip, port),
    filter_chains: [{ filters: [ISTIO_STATS_FILTER, tcpProxy(cluster)] }],
    listener_filters_timeout: '0s',
    traffic_direction: 'OUTBOUND',
    continue_on_listener_filters_timeout: true,
    bind_to_port: false,
  };
}

function sniffingListener(mesh: Mesh, name: string, address: Json, routeConfigName: string, defaultChain: Json): Json {
  return {
    name,
    address,
    filter_chains: [
      {
        filter_chain_match: { transport_protocol: 'raw_buffer', application_protocols: SNIFFED_HTTP },
        filters: [
          {
            name: HTTP_CONNECTION_MANAGER,
            typed_config: httpConnectionManager(mesh, 'outbound', `outbound_${name}`, {
              rds: { config_source: ADS, route_config_name: routeConfigName },
            }),
          },
        ],
      },
    ],
    listener_filters: [TLS_INSPECTOR, HTTP_INSPECTOR],
    listener_filters_timeout: '0s',
    traffic_direction: 'OUTBOUND',
    continue_on_listener_filters_timeout: true,
    default_filter_chain: defaultChain,
    bind_to_port: false,
  };
}

function virtualOutboundListener(): Json {
  return {
    name: 'virtualOutbound',
    address: socketAddress('0.0.0.0', 15001),
    filter_chains: [
      {
        filter_chain_match: { destination_port: 15001 },
        filters: [ISTIO_STATS_FILTER, tcpProxy('BlackHoleCluster')],
        name: 'virtualOutbound-blackhole',
      },
      { filters: [ISTIO_STATS_FILTER, tcpProxy('PassthroughCluster')], name: 'virtualOutbound-catchall-tcp' },
    ],
    use_original_dst: true,
    traffic_direction: 'OUTBOUND',
  };
}

/** 15006 receives all inbound traffic: a loop guard, HTTP and TCP catch-alls to the original destination, and the app's port. */
function virtualInboundListener(mesh: Mesh): Json {
  const anyAddress = { prefix_ranges: [{ address_prefix: '0.0.0.0', prefix_len: 0 }] };
  const passthrough = 'InboundPassthroughClusterIpv4';
  const portRange = (start: number) => ({ destination_port_range: { start, end: start + 1 } });
  const ownServiceFqdn = ownService(mesh)?.fqdn ?? '';
  const appCluster = `inbound|${APP_PORT}||`;
  return {
    name: 'virtualInbound',
    address: socketAddress('0.0.0.0', 15006),
    filter_chains: [
      {
        filter_chain_match: { destination_port: 15006 },
        filters: [METADATA_EXCHANGE_NETWORK, ISTIO_STATS_FILTER, tcpProxy('BlackHoleCluster')],
        name: 'virtualInbound-blackhole',
      },
      ...[
        { match: { ...anyAddress, transport_protocol: 'tls', application_protocols: ISTIO_HTTP_ALPN }, tls: true },
        { match: { ...anyAddress, transport_protocol: 'raw_buffer', application_protocols: SNIFFED_HTTP }, tls: false },
      ].map(({ match, tls }) => inboundHttpChain(mesh, 'virtualInbound-catchall-http', match, tls, passthrough, 0, '')),
      ...[
        { match: { ...anyAddress, transport_protocol: 'tls', application_protocols: ['istio-peer-exchange', 'istio'] }, tls: true },
        { match: { ...anyAddress, transport_protocol: 'raw_buffer' }, tls: false },
        // TLS that is not Istio's mTLS passes through untouched.
        { match: { ...anyAddress, transport_protocol: 'tls' }, tls: false },
      ].map(({ match, tls }) => ({
        filter_chain_match: match,
        filters: [METADATA_EXCHANGE_NETWORK, ISTIO_STATS_FILTER, tcpProxy(passthrough)],
        ...(tls ? { transport_socket: DOWNSTREAM_MTLS } : {}),
        name: 'virtualInbound',
      })),
      ...[
        { match: { destination_port: APP_PORT, transport_protocol: 'tls', application_protocols: ['istio', ...ISTIO_HTTP_ALPN] }, tls: true },
        { match: { destination_port: APP_PORT, transport_protocol: 'raw_buffer' }, tls: false },
      ].map(({ match, tls }) => inboundHttpChain(mesh, `0.0.0.0_${APP_PORT}`, match, tls, appCluster, APP_PORT, ownServiceFqdn)),
    ],
    listener_filters: [
      { name: 'envoy.filters.listener.original_dst', typed_config: any('envoy.extensions.filters.listener.original_dst.v3.OriginalDst', {}) },
      { ...TLS_INSPECTOR, filter_disabled: portRange(15006) },
      // The app's port is declared HTTP, so there is nothing to sniff there either.
      { ...HTTP_INSPECTOR, filter_disabled: { or_match: { rules: [portRange(15006), portRange(APP_PORT)] } } },
    ],
    listener_filters_timeout: '0s',
    traffic_direction: 'INBOUND',
    continue_on_listener_filters_timeout: true,
  };
}

function inboundHttpChain(mesh: Mesh, name: string, match: Json, tls: boolean, cluster: string, port: number, serviceFqdn: string): Json {
  const routeConfig = {
    name: cluster,
    virtual_hosts: [
      {
        name: `inbound|http|${port}`,
        domains: ['*'],
        routes: [
          {
            match: { prefix: '/' },
            route: {
              cluster,
              timeout: '0s',
              max_stream_duration: { max_stream_duration: '0s', grpc_timeout_header_max: '0s' },
            },
            decorator: { operation: `${serviceFqdn}:${port}/*` },
            name: 'default',
          },
        ],
      },
    ],
    validate_clusters: false,
  };
  return {
    filter_chain_match: match,
    filters: [
      METADATA_EXCHANGE_NETWORK,
      { name: HTTP_CONNECTION_MANAGER, typed_config: httpConnectionManager(mesh, 'inbound', `inbound_0.0.0.0_${port}`, { route_config: routeConfig }) },
    ],
    ...(tls ? { transport_socket: DOWNSTREAM_MTLS } : {}),
    name,
  };
}

/** Route configs that HCMs carry inline, in listener order: Envoy's dump lists them as static route configs. */
function inlineRouteConfigs(listener: Json): Json[] {
  const chains = (listener['filter_chains'] as Json[] | undefined) ?? [];
  return chains.flatMap((chain) =>
    ((chain['filters'] as Json[] | undefined) ?? []).flatMap((filter) => {
      const routeConfig = (filter['typed_config'] as Json | undefined)?.['route_config'];
      return routeConfig ? [routeConfig as Json] : [];
    }),
  );
}

function httpConnectionManager(mesh: Mesh, direction: 'inbound' | 'outbound', statPrefix: string, routing: Json): Json {
  const inbound = direction === 'inbound';
  return any(HCM_TYPE, {
    stat_prefix: statPrefix,
    ...routing,
    http_filters: inbound ? INBOUND_HTTP_FILTERS : OUTBOUND_HTTP_FILTERS,
    tracing: mesh.tracing,
    ...(inbound ? { server_name: 'istio-envoy' } : {}),
    use_remote_address: false,
    ...(inbound ? { forward_client_cert_details: 'APPEND_FORWARD', set_current_client_cert_details: { subject: true, dns: true, uri: true } } : {}),
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    stream_idle_timeout: '0s',
    normalize_path: true,
    request_id_extension: {
      typed_config: any('envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig', { use_request_id_for_trace_sampling: true }),
    },
    path_with_escaped_slashes_action: 'KEEP_UNCHANGED',
  });
}

/** Built once per mesh and shared by every HCM: the serialized dump repeats it, the builder does not. */
function tracing(proxy: Proxy): Json {
  const literal = (tag: string, value: string): Json => ({ tag, literal: { value } });
  return {
    client_sampling: { value: 100 },
    random_sampling: { value: 1 },
    overall_sampling: { value: 100 },
    custom_tags: [
      literal('istio.canonical_revision', proxy.version || 'latest'),
      literal('istio.canonical_service', proxy.app),
      literal('istio.mesh_id', TRUST_DOMAIN),
      literal('istio.namespace', proxy.namespace),
    ],
  };
}

function tcpProxy(cluster: string): Json {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: any('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: cluster, cluster }),
  };
}

function typedStruct(typeUrl: string, value: Json): Json {
  return any('udpa.type.v1.TypedStruct', { type_url: `type.googleapis.com/${typeUrl}`, value });
}

const ROUTER_FILTER: Json = {
  name: 'envoy.filters.http.router',
  typed_config: any('envoy.extensions.filters.http.router.v3.Router', {}),
};
const ISTIO_STATS_FILTER: Json = { name: 'istio.stats', typed_config: any('stats.PluginConfig', {}) };
const METADATA_EXCHANGE_NETWORK: Json = {
  name: 'istio.metadata_exchange',
  typed_config: typedStruct('envoy.tcp.metadataexchange.config.MetadataExchange', {
    protocol: 'istio-peer-exchange',
    enable_discovery: true,
  }),
};
const TLS_INSPECTOR: Json = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: any('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', {}),
};
const HTTP_INSPECTOR: Json = {
  name: 'envoy.filters.listener.http_inspector',
  typed_config: any('envoy.extensions.filters.listener.http_inspector.v3.HttpInspector', {}),
};

function peerMetadataFilter(side: 'upstream' | 'downstream'): Json {
  return {
    name: 'istio.metadata_exchange',
    typed_config: typedStruct('io.istio.http.peer_metadata.Config', {
      [`${side}_discovery`]: [{ istio_headers: {} }, { workload_discovery: {} }],
      [`${side}_propagation`]: [{ istio_headers: {} }],
    }),
  };
}

const GRPC_STATS_FILTER: Json = {
  name: 'envoy.filters.http.grpc_stats',
  typed_config: any('envoy.extensions.filters.http.grpc_stats.v3.FilterConfig', { emit_filter_state: true, stats_for_all_methods: false }),
};
const FAULT_FILTER: Json = { name: 'envoy.filters.http.fault', typed_config: any('envoy.extensions.filters.http.fault.v3.HTTPFault', {}) };
const CORS_FILTER: Json = { name: 'envoy.filters.http.cors', typed_config: any('envoy.extensions.filters.http.cors.v3.Cors', {}) };

const OUTBOUND_HTTP_FILTERS: Json[] = [
  peerMetadataFilter('upstream'),
  GRPC_STATS_FILTER,
  {
    name: 'istio.alpn',
    typed_config: any('istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig', {
      alpn_override: [
        { alpn_override: ['istio-http/1.0', 'istio', 'http/1.0'] },
        { upstream_protocol: 'HTTP11', alpn_override: ['istio-http/1.1', 'istio', 'http/1.1'] },
        { upstream_protocol: 'HTTP2', alpn_override: ['istio-h2', 'istio', 'h2'] },
      ],
    }),
  },
  FAULT_FILTER,
  CORS_FILTER,
  ISTIO_STATS_FILTER,
  ROUTER_FILTER,
];

/** A mesh-wide WasmPlugin (root namespace, mode SERVER): istiod sends it over ECDS, inbound HCMs refer to it by name. */
const WASM_PLUGIN_FILTER = 'extensions.istio.io/wasmplugin/istio-system.request-headers';

const INBOUND_HTTP_FILTERS: Json[] = [
  peerMetadataFilter('downstream'),
  {
    name: WASM_PLUGIN_FILTER,
    config_discovery: {
      config_source: ADS,
      // istiod falls back to a deny-all RBAC filter when the module cannot be fetched.
      type_urls: ['type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm', 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC'],
    },
  },
  GRPC_STATS_FILTER,
  FAULT_FILTER,
  CORS_FILTER,
  { name: 'istio.stats', typed_config: any('stats.PluginConfig', { disable_host_header_fallback: true }) },
  ROUTER_FILTER,
];

function ecdsConfigDump(clock: Clock): Json {
  return {
    '@type': adminType('EcdsConfigDump'),
    ecds_filters: [
      {
        version_info: XDS_VERSION,
        ecds_filter: any('envoy.config.core.v3.TypedExtensionConfig', {
          name: WASM_PLUGIN_FILTER,
          typed_config: any('envoy.extensions.filters.http.wasm.v3.Wasm', {
            config: {
              name: 'istio-system.request-headers',
              vm_config: {
                runtime: 'envoy.wasm.runtime.v8',
                code: { local: { filename: '/var/lib/istio/data/3f9b0c5e2d7a41c8/plugin.wasm' } },
              },
              configuration: any('google.protobuf.StringValue', { value: '{"set":{"x-mesh-entry":"sidecar"}}' }),
            },
          }),
        }),
        last_updated: clock.tick(),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Routes (RDS)

const ROUTE_TYPE = 'envoy.config.route.v3.RouteConfiguration';

const RETRY_POLICY: Json = {
  retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  num_retries: 2,
  retry_host_predicate: [
    {
      name: 'envoy.retry_host_predicates.previous_hosts',
      typed_config: any('envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate', {}),
    },
  ],
  host_selection_retry_max_attempts: '5',
  retriable_status_codes: [503],
};

/** One config per HTTP port (vhosts sorted, then `allow_any`), and one per sniffed service. */
function outboundRouteConfigs(mesh: Mesh): Json[] {
  const byPort = new Map<number, ServicePort[]>();
  const sniffed: Json[] = [];
  for (const servicePort of mesh.servicePorts) {
    if (servicePort.protocol === 'http') {
      byPort.set(servicePort.port, [...(byPort.get(servicePort.port) ?? []), servicePort]);
    } else if (servicePort.protocol === 'auto') {
      const name = `${servicePort.service.fqdn}:${servicePort.port}`;
      sniffed.push(routeConfiguration(name, [virtualHost(servicePort, ['*'])]));
    }
  }
  const portConfigs = [...byPort].map(([port, servicePorts]) => {
    const virtualHosts = servicePorts
      .map((servicePort) => virtualHost(servicePort, serviceDomains(servicePort.service, mesh.proxy)))
      .sort((a, b) => (String(a['name']) < String(b['name']) ? -1 : 1));
    return routeConfiguration(String(port), [...virtualHosts, ALLOW_ANY_VHOST]);
  });
  return [...portConfigs, ...sniffed];
}

function routeConfiguration(name: string, virtualHosts: Json[]): Json {
  return {
    name,
    virtual_hosts: virtualHosts,
    validate_clusters: false,
    max_direct_response_body_size_bytes: 1048576,
    ignore_port_in_host_matching: true,
  };
}

const ALLOW_ANY_VHOST: Json = {
  name: 'allow_any',
  domains: ['*'],
  routes: [
    {
      match: { prefix: '/' },
      route: { cluster: 'PassthroughCluster', timeout: '0s', max_grpc_timeout: '0s' },
      name: 'allow_any',
    },
  ],
  include_request_attempt_count: true,
};

/** Istio ≥ 1.15 drops the `:port` variants; short names only resolve from the same namespace. */
function serviceDomains(service: MeshService, proxy: Proxy): string[] {
  const namespaced = `${service.name}.${service.namespace}`;
  return service.namespace === proxy.namespace
    ? [service.fqdn, service.name, `${namespaced}.svc`, namespaced, service.vip]
    : [service.fqdn, namespaced, `${namespaced}.svc`, service.vip];
}

function virtualHost(servicePort: ServicePort, domains: string[]): Json {
  return {
    name: `${servicePort.service.fqdn}:${servicePort.port}`,
    domains,
    routes: serviceRoutes(servicePort),
    include_request_attempt_count: true,
  };
}

function serviceRoutes(servicePort: ServicePort): Json[] {
  const { service, port } = servicePort;
  const cluster = (subset: string) => `outbound|${port}|${subset}|${service.fqdn}`;
  const action = (target: Json, timeout = '0s'): Json => ({ ...target, timeout, retry_policy: RETRY_POLICY, max_grpc_timeout: '0s' });
  const decorator = { operation: `${service.fqdn}:${port}/*` };
  const virtualService = service.virtualService;
  if (!virtualService) {
    return [{ match: { prefix: '/' }, route: action({ cluster: cluster('') }), decorator, name: 'default' }];
  }
  const metadata = { filter_metadata: { istio: { config: configPath('virtual-service', service.namespace, virtualService.name) } } };
  const subsets = service.destinationRule?.subsets ?? [];
  const [first = '', second = first] = subsets;
  switch (virtualService.routing) {
    case 'header':
      return [
        {
          match: { prefix: '/', case_sensitive: true, headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] },
          route: action({ cluster: cluster(second) }),
          metadata,
          decorator,
        },
        { match: { prefix: '/' }, route: action({ cluster: cluster(first) }), metadata, decorator },
      ];
    case 'weighted':
      return [
        {
          match: { prefix: '/' },
          route: action({
            weighted_clusters: {
              clusters: [
                { name: cluster(first), weight: 90 },
                { name: cluster(second), weight: 10 },
              ],
            },
          }),
          metadata,
          decorator,
        },
      ];
    case 'timeout':
      return [{ match: { prefix: '/' }, route: action({ cluster: cluster('') }, '10s'), metadata, decorator }];
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets (SDS) and bootstrap

// Our own test PKI, made once with openssl for this project (RSA 2048, valid 2026-11-28 … 2036-11-25):
// a root "O=cluster.local" and a workload certificate for spiffe://cluster.local/ns/default/sa/bookinfo-reviews.
// Fixed rather than generated, so the dump stays byte-for-byte deterministic.
const ROOT_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIDHTCCAgWgAwIBAgIQXD4fCpt9QuahyPA9fmsqkTANBgkqhkiG9w0BAQsFADAY
MRYwFAYDVQQKDA1jbHVzdGVyLmxvY2FsMB4XDTI2MTEyODAwNTgxM1oXDTM2MTEy
NTAwNTgxM1owGDEWMBQGA1UECgwNY2x1c3Rlci5sb2NhbDCCASIwDQYJKoZIhvcN
AQEBBQADggEPADCCAQoCggEBALUokM+CTv+57+TP2gTnOJE921k4RC/1Pvm40dGq
cOJdEzaE/w57VIgMFHtCG/duMd/kV2PirHKlAZKbCtCxqaFpbe7TCqIFn1mpUALM
48s10Y9VCRbdXSfMjzZfvvT5tz6/T6qH/+N14wad1DBL1UKLN20oEcXOVRE+bINP
ApDF7Tlj0DrWS4gA8j7y+uF9kBzUjhgfhcH5k6fBw1jYUDLzxriseuM3HGU/WJZ4
9ieKYaXIHYdzrku49DHbvl8mX2MXrgK4xIcrmqLicskZ0yYvvS/c2/6AE6NoHBI4
SHeitx+1L7JbF9MgrwaFHmZIFzeYt8Of7tYUpeo3A43wtr0CAwEAAaNjMGEwHwYD
VR0jBBgwFoAUNBg8zJ/Wak0XAlJIUDzMaoUp5NEwDwYDVR0TAQH/BAUwAwEB/zAO
BgNVHQ8BAf8EBAMCAgQwHQYDVR0OBBYEFDQYPMyf1mpNFwJSSFA8zGqFKeTRMA0G
CSqGSIb3DQEBCwUAA4IBAQAx4/dDjRtyVTi72WKanqTfhOU2+XgiWLDqYTCJFib4
VWv/uYnMLNEk6eygGGwRb2mu2R1oGAhoEjrUaZpt48kIyFrN6JStQD6VzCvV/88G
qqINSlElK1Z/vZwpjAdloElqMgYZ5ZKEsT9a+mQG90c2FNXoQmBO12TKtGAHUPcy
p9OeXkL0HSVgaq/VNQ+ESXhs2Y1Han+FaWFKYPDuSXXwXfSVCU2rtIbDRG0kNI4G
2sSbcz4gZU1Lq7IuiO/5NI9181TJa2DLBGpmArFxOsNwgVUZBWh/6mib2QXNG9+M
wuSHxG2ylVD8VkE0W69XcUd0rNjGeuoqnO71pGgcM8DL
-----END CERTIFICATE-----
`;

const WORKLOAD_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDaDCCAlCgAwIBAgIQH3qcLoSwbTXJ4qfxBGuNIzANBgkqhkiG9w0BAQsFADAY
MRYwFAYDVQQKDA1jbHVzdGVyLmxvY2FsMB4XDTI2MTEyODAwNTgxNFoXDTM2MTEy
NTAwNTgxNFowADCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMrJXIAy
g2YzecRM7jfYqaUSh0mnTtLKPaFAG3jK2WDrGY0g9cvO31AE4KKe9adNN1DpkyNe
RZeGVYkF740UiMKp7XL6TeD2IuhczqqD0NkjfyWfrY92Oa4bkFDP/RaMm9bG/XAM
eZyS2Bh4G7M7hMeZfxqyri0sBYVHRVHfcti2c9MJVR0GsY9pGZsz1mjpjPrmkOMb
P9wOkDNPv1AOjkAxCaAYO+h077ixiXKwa/lk7RUOCZydSAUBxql/f+0l3nEPm+TA
kE20XQ95noNX1SGc6rgTEkgza3qDKVluvAiDzLxUGBQi9rocRRqfJMSeXxDmY5Ad
feh3WsnhNNhVLFECAwEAAaOBxTCBwjAOBgNVHQ8BAf8EBAMCBaAwHQYDVR0lBBYw
FAYIKwYBBQUHAwEGCCsGAQUFBwMCMAwGA1UdEwEB/wQCMAAwHwYDVR0jBBgwFoAU
NBg8zJ/Wak0XAlJIUDzMaoUp5NEwQwYDVR0RAQH/BDkwN4Y1c3BpZmZlOi8vY2x1
c3Rlci5sb2NhbC9ucy9kZWZhdWx0L3NhL2Jvb2tpbmZvLXJldmlld3MwHQYDVR0O
BBYEFM4uvh7+tfG0QG3PwOuXK4HMyovgMA0GCSqGSIb3DQEBCwUAA4IBAQBrE1ae
E46vmVB4+Ksw1t4GTjVE+bI5aOX8e43sJTseF/tZ8cBRfvfyAb1WISR+1MPjQR41
e56/BVy5cyrJKLQVSdqX7OlEa3HzxIhYbXOHfpyi4hNhsbHf+JVBtB0zCd5gJe60
MKClQH5kHT8GoKaDA8cNEWp2AjyjAOhU2DvlAhqnQiDkW79Uq+TQ+OuVTFGTgAOe
lpqcCXiB1G8TKzBT2uIbGkKWGLxBj2mrD/OUh1nYZiUoiRRD/MiMB1guWZaL4ie/
Xye/nOmF8w8rNhikRF07SoSaN08AvpZDt/rWfXYR6EiJjujCSpAPXZO0WMyJCk6b
+fozVimaydUEu9+R
-----END CERTIFICATE-----
`;

const SECRET_TYPE = 'envoy.extensions.transport_sockets.tls.v3.Secret';
/** base64 of `[redacted]`: Envoy never prints private keys. */
const REDACTED = 'W3JlZGFjdGVkXQ==';

function secretsConfigDump(clock: Clock): Json {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return {
    '@type': adminType('SecretsConfigDump'),
    dynamic_active_secrets: [
      {
        name: 'default',
        last_updated: clock.tick(),
        secret: any(SECRET_TYPE, {
          name: 'default',
          tls_certificate: {
            certificate_chain: { inline_bytes: base64(WORKLOAD_CERT_PEM + ROOT_CA_PEM) },
            private_key: { inline_bytes: REDACTED },
          },
        }),
      },
      {
        name: 'ROOTCA',
        last_updated: clock.tick(),
        secret: any(SECRET_TYPE, { name: 'ROOTCA', validation_context: { trusted_ca: { inline_bytes: base64(ROOT_CA_PEM) } } }),
      },
    ],
  };
}

function sdsSecret(name: string): Json {
  return {
    name,
    sds_config: {
      api_config_source: {
        api_type: 'GRPC',
        grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }],
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
      },
      initial_fetch_timeout: '0s',
      resource_api_version: 'V3',
    },
  };
}

const SDS_DEFAULT = sdsSecret('default');
const SDS_ROOTCA = sdsSecret('ROOTCA');

const DOWNSTREAM_MTLS: Json = {
  name: 'envoy.transport_sockets.tls',
  typed_config: any('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
    common_tls_context: {
      tls_params: {},
      alpn_protocols: ['h2', 'http/1.1'],
      tls_certificate_sds_secret_configs: [SDS_DEFAULT],
      combined_validation_context: {
        default_validation_context: { match_subject_alt_names: [{ prefix: `spiffe://${TRUST_DOMAIN}/` }] },
        validation_context_sds_secret_config: SDS_ROOTCA,
      },
    },
    require_client_certificate: true,
  }),
};

function spiffeId(namespace: string, serviceAccount: string): string {
  return `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;
}

/** A sample of what Envoy reports in `node.extensions` (the real list has a few hundred entries). */
const NODE_EXTENSIONS: readonly [string, string, string?][] = [
  [
    'envoy.filters.network.http_connection_manager',
    'envoy.filters.network',
    'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  ],
  ['envoy.filters.network.tcp_proxy', 'envoy.filters.network', 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'],
  ['envoy.filters.network.metadata_exchange', 'envoy.filters.network', 'envoy.tcp.metadataexchange.config.MetadataExchange'],
  ['envoy.filters.http.router', 'envoy.filters.http', 'envoy.extensions.filters.http.router.v3.Router'],
  ['envoy.filters.http.fault', 'envoy.filters.http', 'envoy.extensions.filters.http.fault.v3.HTTPFault'],
  ['envoy.filters.http.cors', 'envoy.filters.http', 'envoy.extensions.filters.http.cors.v3.Cors'],
  ['envoy.filters.http.grpc_stats', 'envoy.filters.http', 'envoy.extensions.filters.http.grpc_stats.v3.FilterConfig'],
  ['envoy.filters.http.wasm', 'envoy.filters.http', 'envoy.extensions.filters.http.wasm.v3.Wasm'],
  ['istio.alpn', 'envoy.filters.http', 'istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig'],
  ['istio.stats', 'envoy.filters.http', 'stats.PluginConfig'],
  ['envoy.filters.listener.original_dst', 'envoy.filters.listener', 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst'],
  ['envoy.filters.listener.tls_inspector', 'envoy.filters.listener', 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector'],
  ['envoy.filters.listener.http_inspector', 'envoy.filters.listener', 'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector'],
  ['envoy.transport_sockets.tls', 'envoy.transport_sockets.upstream', 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext'],
  ['envoy.transport_sockets.raw_buffer', 'envoy.transport_sockets.upstream', 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer'],
  ['envoy.cluster.eds', 'envoy.clusters'],
  ['envoy.cluster.original_dst', 'envoy.clusters'],
  ['envoy.cluster.static', 'envoy.clusters'],
  ['envoy.access_loggers.file', 'envoy.access_loggers', 'envoy.extensions.access_loggers.file.v3.FileAccessLog'],
  ['envoy.retry_host_predicates.previous_hosts', 'envoy.retry_host_predicates', 'envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate'],
];

function bootstrap(mesh: Mesh, staticListeners: Json[], plans: ClusterPlan[]): Json {
  const { proxy } = mesh;
  const canonicalRevision = proxy.version || 'latest';
  return {
    node: {
      id: `sidecar~${proxy.podIp}~${proxy.podName}.${proxy.namespace}~${proxy.namespace}.svc.${TRUST_DOMAIN}`,
      cluster: `${proxy.app}.${proxy.namespace}`,
      metadata: {
        ANNOTATIONS: {
          'istio.io/rev': 'default',
          'kubectl.kubernetes.io/default-container': proxy.app,
          'kubectl.kubernetes.io/default-logs-container': proxy.app,
          'prometheus.io/path': '/stats/prometheus',
          'prometheus.io/port': '15020',
          'prometheus.io/scrape': 'true',
          'sidecar.istio.io/status':
            '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}',
        },
        APP_CONTAINERS: proxy.app,
        CLUSTER_ID: 'Kubernetes',
        ENVOY_PROMETHEUS_PORT: 15090,
        ENVOY_STATUS_PORT: 15021,
        INSTANCE_IPS: proxy.podIp,
        INTERCEPTION_MODE: 'REDIRECT',
        ISTIO_PROXY_SHA: ISTIO_PROXY_SHA,
        ISTIO_VERSION: ISTIO_VERSION,
        LABELS: {
          app: proxy.app,
          'pod-template-hash': proxy.podTemplateHash,
          'security.istio.io/tlsMode': 'istio',
          'service.istio.io/canonical-name': proxy.app,
          'service.istio.io/canonical-revision': canonicalRevision,
          ...(proxy.version ? { version: proxy.version } : {}),
        },
        MESH_ID: TRUST_DOMAIN,
        NAME: proxy.podName,
        NAMESPACE: proxy.namespace,
        NODE_NAME: `node-${proxy.zone}-1`,
        OWNER: `kubernetes://apis/apps/v1/namespaces/${proxy.namespace}/deployments/${proxy.workload}`,
        PILOT_SAN: ['istiod.istio-system.svc'],
        POD_PORTS: `[{"name":"http","containerPort":${APP_PORT},"protocol":"TCP"}]`,
        PROXY_CONFIG: {
          binaryPath: '/usr/local/bin/envoy',
          configPath: './etc/istio/proxy',
          controlPlaneAuthPolicy: 'MUTUAL_TLS',
          discoveryAddress: 'istiod.istio-system.svc:15012',
          drainDuration: '45s',
          proxyAdminPort: 15000,
          serviceCluster: 'istio-proxy',
          statNameLength: 189,
          statusPort: 15020,
          terminationDrainDuration: '5s',
          tracing: { zipkin: { address: 'zipkin.istio-system:9411' } },
        },
        SERVICE_ACCOUNT: proxy.serviceAccount,
        WORKLOAD_NAME: proxy.workload,
      },
      locality: { region: REGION, zone: proxy.zone },
      user_agent_name: 'envoy',
      user_agent_build_version: {
        version: ENVOY_VERSION,
        metadata: {
          'build.type': 'RELEASE',
          'revision.sha': ISTIO_PROXY_SHA,
          'revision.status': 'Clean',
          'ssl.version': 'BoringSSL',
        },
      },
      extensions: NODE_EXTENSIONS.map(([name, category, typeUrl]) => ({
        name,
        category,
        ...(typeUrl ? { type_urls: [typeUrl] } : {}),
      })),
    },
    static_resources: {
      listeners: staticListeners,
      clusters: plans.filter((plan) => !plan.dynamic).map((plan) => plan.cluster),
    },
    dynamic_resources: {
      lds_config: ADS,
      cds_config: ADS,
      ads_config: {
        api_type: 'GRPC',
        grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }],
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
      },
    },
    stats_config: {
      stats_tags: [
        { tag_name: 'cluster_name', regex: '^cluster\\.((.+?(\\..+?\\.svc\\.cluster\\.local)?)\\.)' },
        { tag_name: 'tcp_prefix', regex: '^tcp\\.((.*?)\\.)\\w+?$' },
        { tag_name: 'response_code', regex: '_rq(_(\\d{3}))$' },
        { tag_name: 'response_code_class', regex: '_rq(_(\\dxx))$' },
      ],
      use_all_default_tags: false,
    },
    admin: {
      address: socketAddress('127.0.0.1', 15000),
      profile_path: '/var/lib/istio/data/envoy.prof',
    },
    layered_runtime: {
      layers: [
        {
          name: 'global config',
          static_layer: {
            'envoy.reloadable_features.http_reject_path_with_fragment': 'false',
            'overload.global_downstream_max_connections': '2147483647',
            're2.max_program_size.error_level': '32768',
          },
        },
        { name: 'admin', admin_layer: {} },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function any(messageType: string, fields: Json): Json {
  return { '@type': `type.googleapis.com/${messageType}`, ...fields };
}

function adminType(section: string): string {
  return `type.googleapis.com/envoy.admin.v3.${section}`;
}

function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

function pipeAddress(path: string): Json {
  return { pipe: { path } };
}

interface Clock {
  /** The next `last_updated`: resources arrive a few milliseconds apart after the first push. */
  tick(): string;
}

function createClock(): Clock {
  let millis = DUMP_TIME;
  return {
    tick() {
      millis += 3;
      return new Date(millis).toISOString();
    },
  };
}

interface AddressPool {
  next(): string;
}

function createAddressPool(first: string): AddressPool {
  let current = ipv4ToNumber(first);
  return {
    next() {
      // Skip .0 and .255 so every address looks like one a CNI would hand out.
      while (current % 256 === 0 || current % 256 === 255) current++;
      return formatIpv4(current++);
    },
  };
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  int(bound: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: T[]): T[];
}

/** mulberry32: tiny, fast, and the same sequence on every platform. */
function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (bound: number): number => Math.floor(next() * bound);
  const at = <T>(items: readonly T[], index: number): T => {
    const item = items[index];
    if (item === undefined) throw new RangeError(`index ${index} outside ${items.length} items`);
    return item;
  };
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (items) => at(items, int(items.length)),
    shuffle(items) {
      // Envoy prints listeners and route configs in hash-map order, so consumers must sort themselves.
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [items[i], items[j]] = [at(items, j), at(items, i)];
      }
      return items;
    },
  };
}
