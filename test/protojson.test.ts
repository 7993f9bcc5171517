import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalize, messageTypeFromUrl, toProtoJson } from '../src/envoy/protojson.ts';
import type { EnvoySchema } from '../src/envoy/protojson.ts';
import { CORPUS_MISSING, corpusDir as foundCorpus } from './helpers/corpus.ts';

type JsonObject = Record<string, unknown>;

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const schemaFile = path.join(projectRoot, 'generated/envoy-schema.json');
// Only read by tests that skip (with the shared reason) when the corpus is absent.
const corpusDir = foundCorpus ?? '';
const corpusSkip = foundCorpus === undefined ? CORPUS_MISSING : false;

const TYPE = 'type.googleapis.com/';
const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const LISTENER = 'envoy.config.listener.v3.Listener';
const ROUTE_CONFIGURATION = 'envoy.config.route.v3.RouteConfiguration';
const CLUSTER_LOAD_ASSIGNMENT = 'envoy.config.endpoint.v3.ClusterLoadAssignment';

// ---- conversion table ---------------------------------------------------------------------------

interface Case {
  name: string;
  type: string;
  /** Proto field names. */
  canonical: unknown;
  /** lowerCamelCase json names. */
  json: unknown;
  /** Other spellings (mixes) that must convert to the two forms above. */
  mixed?: unknown[];
}

const cases: Case[] = [
  {
    name: 'nested messages, repeated fields, scalars, enums and durations',
    type: CLUSTER,
    canonical: {
      name: 'outbound|9080||reviews.default.svc.cluster.local',
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: 'reviews' },
      connect_timeout: '10s',
      per_connection_buffer_limit_bytes: 32768,
      circuit_breakers: { thresholds: [{ priority: 'HIGH', max_connections: 4294967295, max_retries: 3 }] },
      lrs_report_endpoint_metrics: ['cpu_utilization'],
    },
    json: {
      name: 'outbound|9080||reviews.default.svc.cluster.local',
      type: 'EDS',
      edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' }, serviceName: 'reviews' },
      connectTimeout: '10s',
      perConnectionBufferLimitBytes: 32768,
      circuitBreakers: { thresholds: [{ priority: 'HIGH', maxConnections: 4294967295, maxRetries: 3 }] },
      lrsReportEndpointMetrics: ['cpu_utilization'],
    },
    mixed: [
      {
        name: 'outbound|9080||reviews.default.svc.cluster.local',
        type: 'EDS',
        edsClusterConfig: { eds_config: { ads: {}, resourceApiVersion: 'V3' }, service_name: 'reviews' },
        connect_timeout: '10s',
        perConnectionBufferLimitBytes: 32768,
        circuit_breakers: { thresholds: [{ priority: 'HIGH', maxConnections: 4294967295, max_retries: 3 }] },
        lrs_report_endpoint_metrics: ['cpu_utilization'],
      },
    ],
  },
  {
    name: 'map keys and Struct contents stay as they are',
    type: CLUSTER,
    canonical: {
      metadata: {
        filter_metadata: {
          'envoy.lb': { canary: true, version_label: 'v1' },
          istio: { config: '/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews', subset_name: { innerKey: 1 } },
        },
      },
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': `${TYPE}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
          explicit_http_config: { http2_protocol_options: { max_concurrent_streams: 1073741824 } },
        },
      },
    },
    json: {
      metadata: {
        filterMetadata: {
          'envoy.lb': { canary: true, version_label: 'v1' },
          istio: { config: '/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews', subset_name: { innerKey: 1 } },
        },
      },
      typedExtensionProtocolOptions: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': `${TYPE}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
          explicitHttpConfig: { http2ProtocolOptions: { maxConcurrentStreams: 1073741824 } },
        },
      },
    },
  },
  {
    name: 'Any: the typed_config of a transport socket',
    type: CLUSTER,
    canonical: {
      transport_socket: {
        name: 'envoy.transport_sockets.tls',
        typed_config: {
          '@type': `${TYPE}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
          common_tls_context: {
            alpn_protocols: ['istio-peer-exchange', 'istio'],
            tls_certificate_sds_secret_configs: [{ name: 'default', sds_config: { api_config_source: { api_type: 'GRPC' } } }],
            combined_validation_context: {
              default_validation_context: { match_subject_alt_names: [{ exact: 'spiffe://cluster.local/ns/default/sa/reviews' }] },
            },
          },
          sni: 'outbound_.9080_._.reviews.default.svc.cluster.local',
        },
      },
    },
    json: {
      transportSocket: {
        name: 'envoy.transport_sockets.tls',
        typedConfig: {
          '@type': `${TYPE}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
          commonTlsContext: {
            alpnProtocols: ['istio-peer-exchange', 'istio'],
            tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: { apiConfigSource: { apiType: 'GRPC' } } }],
            combinedValidationContext: {
              defaultValidationContext: { matchSubjectAltNames: [{ exact: 'spiffe://cluster.local/ns/default/sa/reviews' }] },
            },
          },
          sni: 'outbound_.9080_._.reviews.default.svc.cluster.local',
        },
      },
    },
  },
  {
    name: 'v2 type URLs convert with the v3 schema',
    type: `${TYPE}envoy.api.v2.Listener`,
    canonical: {
      '@type': `${TYPE}envoy.api.v2.Listener`,
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.http_connection_manager',
              typed_config: {
                '@type': `${TYPE}envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager`,
                stat_prefix: 'outbound_0.0.0.0_9080',
                rds: { config_source: { ads: {} }, route_config_name: '9080' },
                http_filters: [{ name: 'envoy.router', typed_config: { '@type': `${TYPE}envoy.config.filter.http.router.v2.Router`, dynamic_stats: false } }],
              },
            },
          ],
        },
      ],
    },
    json: {
      '@type': `${TYPE}envoy.api.v2.Listener`,
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.http_connection_manager',
              typedConfig: {
                '@type': `${TYPE}envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager`,
                statPrefix: 'outbound_0.0.0.0_9080',
                rds: { configSource: { ads: {} }, routeConfigName: '9080' },
                httpFilters: [{ name: 'envoy.router', typedConfig: { '@type': `${TYPE}envoy.config.filter.http.router.v2.Router`, dynamicStats: false } }],
              },
            },
          ],
        },
      ],
    },
  },
  {
    name: 'Struct fields, Structs packed in Any and TypedStruct values stay as they are',
    type: LISTENER,
    canonical: {
      filter_chains: [
        {
          filters: [
            { name: 'mixer', config: { mixer_attributes: { attributes: { 'context.reporter.uid': { string_value: 'x' } } }, disableCheckCalls: true } },
            { name: 'packed', typed_config: { '@type': `${TYPE}google.protobuf.Struct`, value: { stat_prefix: 'a', statPrefix: 'b' } } },
            {
              name: 'istio.metadata_exchange',
              typed_config: {
                '@type': `${TYPE}udpa.type.v1.TypedStruct`,
                type_url: 'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange',
                value: { protocol: 'istio-peer-exchange', enable_discovery: true },
              },
            },
          ],
        },
      ],
    },
    json: {
      filterChains: [
        {
          filters: [
            { name: 'mixer', config: { mixer_attributes: { attributes: { 'context.reporter.uid': { string_value: 'x' } } }, disableCheckCalls: true } },
            { name: 'packed', typedConfig: { '@type': `${TYPE}google.protobuf.Struct`, value: { stat_prefix: 'a', statPrefix: 'b' } } },
            {
              name: 'istio.metadata_exchange',
              typedConfig: {
                '@type': `${TYPE}udpa.type.v1.TypedStruct`,
                typeUrl: 'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange',
                value: { protocol: 'istio-peer-exchange', enable_discovery: true },
              },
            },
          ],
        },
      ],
    },
  },
  {
    name: 'an Any packed in an Any',
    type: 'envoy.config.core.v3.TypedExtensionConfig',
    canonical: {
      typed_config: {
        '@type': `${TYPE}google.protobuf.Any`,
        value: { '@type': `${TYPE}envoy.extensions.filters.http.router.v3.Router`, suppress_envoy_headers: true },
      },
    },
    json: {
      typedConfig: {
        '@type': `${TYPE}google.protobuf.Any`,
        value: { '@type': `${TYPE}envoy.extensions.filters.http.router.v3.Router`, suppressEnvoyHeaders: true },
      },
    },
  },
  {
    name: 'unknown Any types and unknown fields are kept as given',
    type: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    canonical: {
      stat_prefix: 'inbound_0.0.0.0_9080',
      future_field: { nested_name: 1, nestedName: 2 },
      http_filters: [
        {
          name: 'istio.alpn',
          typed_config: {
            '@type': `${TYPE}istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig`,
            alpn_override: [{ upstream_protocol: 'HTTP10', alpnOverride: ['http/1.0'] }],
          },
        },
        { name: 'no.type', typed_config: { some_field: 1 } },
      ],
    },
    json: {
      statPrefix: 'inbound_0.0.0.0_9080',
      future_field: { nested_name: 1, nestedName: 2 },
      httpFilters: [
        {
          name: 'istio.alpn',
          typedConfig: {
            '@type': `${TYPE}istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig`,
            alpn_override: [{ upstream_protocol: 'HTTP10', alpnOverride: ['http/1.0'] }],
          },
        },
        { name: 'no.type', typedConfig: { some_field: 1 } },
      ],
    },
  },
  {
    name: 'v2-only Cluster fields',
    type: `${TYPE}envoy.api.v2.Cluster`,
    canonical: {
      hosts: [{ socket_address: { address: 'istio-pilot.istio-system', port_value: 15010 } }],
      hidden_envoy_deprecated_hosts: [{ socket_address: { port_value: 1 } }],
      tls_context: { common_tls_context: { tls_certificates: [{ certificate_chain: { filename: '/etc/certs/cert-chain.pem' } }] }, sni: 'a' },
      hidden_envoy_deprecated_tls_context: { common_tls_context: { alpn_protocols: ['h2'] } },
      extension_protocol_options: { 'envoy.filters.network.thrift_proxy': { some_option: 1 } },
    },
    json: {
      hosts: [{ socketAddress: { address: 'istio-pilot.istio-system', portValue: 15010 } }],
      hiddenEnvoyDeprecatedHosts: [{ socketAddress: { portValue: 1 } }],
      tlsContext: { commonTlsContext: { tlsCertificates: [{ certificateChain: { filename: '/etc/certs/cert-chain.pem' } }] }, sni: 'a' },
      hiddenEnvoyDeprecatedTlsContext: { commonTlsContext: { alpnProtocols: ['h2'] } },
      extensionProtocolOptions: { 'envoy.filters.network.thrift_proxy': { some_option: 1 } },
    },
  },
  {
    name: 'v2-only Listener fields',
    type: `${TYPE}envoy.api.v2.Listener`,
    canonical: {
      deprecated_v1: { bind_to_port: false },
      listener_filters: [{ name: 'envoy.listener.tls_inspector', hidden_envoy_deprecated_config: {} }],
      filter_chains: [
        {
          tls_context: { require_client_certificate: true, common_tls_context: { alpn_protocols: ['h2'] } },
          hidden_envoy_deprecated_tls_context: { require_client_certificate: false },
          filters: [{ name: 'envoy.tcp_proxy', hidden_envoy_deprecated_config: { stat_prefix: 'BlackHoleCluster', cluster: 'BlackHoleCluster' } }],
        },
      ],
    },
    json: {
      deprecatedV1: { bindToPort: false },
      listenerFilters: [{ name: 'envoy.listener.tls_inspector', hiddenEnvoyDeprecatedConfig: {} }],
      filterChains: [
        {
          tlsContext: { requireClientCertificate: true, commonTlsContext: { alpnProtocols: ['h2'] } },
          hiddenEnvoyDeprecatedTlsContext: { requireClientCertificate: false },
          filters: [{ name: 'envoy.tcp_proxy', hiddenEnvoyDeprecatedConfig: { stat_prefix: 'BlackHoleCluster', cluster: 'BlackHoleCluster' } }],
        },
      ],
    },
  },
  {
    name: 'v2-only route and node fields',
    type: 'envoy.config.bootstrap.v3.Bootstrap',
    canonical: {
      node: { build_version: '0/1.7.0-dev//RELEASE', hidden_envoy_deprecated_build_version: 'x', metadata: { ISTIO_VERSION: '1.5.4' } },
      static_resources: {
        listeners: [
          {
            filter_chains: [
              {
                filters: [
                  {
                    name: 'envoy.filters.network.http_connection_manager',
                    typed_config: {
                      '@type': `${TYPE}envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager`,
                      route_config: {
                        virtual_hosts: [
                          {
                            per_filter_config: { mixer: { disable_check_calls: true } },
                            routes: [
                              {
                                match: { regex: '/api/.*', headers: [{ name: ':authority', regex_match: 'a.*' }] },
                                route: { host_rewrite: 'example.com', weighted_clusters: { total_weight: 100 } },
                              },
                            ],
                          },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
    },
    json: {
      node: { buildVersion: '0/1.7.0-dev//RELEASE', hiddenEnvoyDeprecatedBuildVersion: 'x', metadata: { ISTIO_VERSION: '1.5.4' } },
      staticResources: {
        listeners: [
          {
            filterChains: [
              {
                filters: [
                  {
                    name: 'envoy.filters.network.http_connection_manager',
                    typedConfig: {
                      '@type': `${TYPE}envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager`,
                      routeConfig: {
                        virtualHosts: [
                          {
                            perFilterConfig: { mixer: { disable_check_calls: true } },
                            routes: [
                              {
                                match: { regex: '/api/.*', headers: [{ name: ':authority', regexMatch: 'a.*' }] },
                                route: { hostRewrite: 'example.com', weightedClusters: { totalWeight: 100 } },
                              },
                            ],
                          },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
    },
  },
  {
    name: 'admin v2alpha dumps: resources without @type',
    type: `${TYPE}envoy.admin.v2alpha.ListenersConfigDump`,
    canonical: {
      '@type': `${TYPE}envoy.admin.v2alpha.ListenersConfigDump`,
      version_info: '1',
      static_listeners: [{ listener: { name: 'static', per_connection_buffer_limit_bytes: 1 } }],
      dynamic_active_listeners: [{ version_info: '2', listener: { name: 'virtual', use_original_dst: true }, last_updated: '2018-05-29T20:35:10Z' }],
      dynamic_warming_listeners: [{ listener: { filter_chains: [] } }],
      dynamic_draining_listeners: [{ listener: { deprecated_v1: { bind_to_port: false } } }],
    },
    json: {
      '@type': `${TYPE}envoy.admin.v2alpha.ListenersConfigDump`,
      versionInfo: '1',
      staticListeners: [{ listener: { name: 'static', perConnectionBufferLimitBytes: 1 } }],
      dynamicActiveListeners: [{ versionInfo: '2', listener: { name: 'virtual', useOriginalDst: true }, lastUpdated: '2018-05-29T20:35:10Z' }],
      dynamicWarmingListeners: [{ listener: { filterChains: [] } }],
      dynamicDrainingListeners: [{ listener: { deprecatedV1: { bindToPort: false } } }],
    },
  },
  {
    name: 'messages from protos the bundle lacks (OpenTelemetry, OpenCensus)',
    type: 'envoy.config.bootstrap.v3.Bootstrap',
    canonical: {
      tracing: {
        http: {
          name: 'envoy.tracers.opencensus',
          typed_config: {
            '@type': `${TYPE}envoy.config.trace.v3.OpenCensusConfig`,
            trace_config: { probability_sampler: { samplingProbability: 0.01 }, max_number_of_links: '32' },
            stackdriver_exporter_enabled: true,
          },
        },
      },
      static_resources: {
        listeners: [
          {
            access_log: [
              {
                name: 'otel',
                typed_config: {
                  '@type': `${TYPE}envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig`,
                  body: { string_value: '%REQ(:METHOD)%' },
                  attributes: { values: [{ key: 'peer', value: { kvlist_value: { values: [{ key: 'a', value: { int_value: '1' } }] } } }] },
                },
              },
            ],
          },
        ],
      },
    },
    json: {
      tracing: {
        http: {
          name: 'envoy.tracers.opencensus',
          typedConfig: {
            '@type': `${TYPE}envoy.config.trace.v3.OpenCensusConfig`,
            traceConfig: { probabilitySampler: { samplingProbability: 0.01 }, maxNumberOfLinks: '32' },
            stackdriverExporterEnabled: true,
          },
        },
      },
      staticResources: {
        listeners: [
          {
            accessLog: [
              {
                name: 'otel',
                typedConfig: {
                  '@type': `${TYPE}envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig`,
                  body: { stringValue: '%REQ(:METHOD)%' },
                  attributes: { values: [{ key: 'peer', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } } }] },
                },
              },
            ],
          },
        ],
      },
    },
  },
  {
    name: 'a WKT Any at the root',
    type: 'google.protobuf.Any',
    canonical: { '@type': `${TYPE}envoy.config.core.v3.Node`, user_agent_name: 'envoy' },
    json: { '@type': `${TYPE}envoy.config.core.v3.Node`, userAgentName: 'envoy' },
  },
];

for (const { name, type, canonical, json, mixed = [] } of cases) {
  test(`protojson: ${name}`, () => {
    for (const input of [canonical, json, ...mixed]) {
      const toCanonical = canonicalize(input, type);
      const toJson = toProtoJson(input, type);
      assert.deepEqual(toCanonical, canonical);
      assert.deepEqual(toJson, json);
      // deepEqual ignores key order; the conversion must keep it.
      assert.equal(JSON.stringify(toCanonical), JSON.stringify(canonical));
      assert.equal(JSON.stringify(toJson), JSON.stringify(json));
    }
  });
}

// ---- behaviour ----------------------------------------------------------------------------------

test('protojson: trees already in the target spelling come back as the same objects', () => {
  const [first] = cases;
  assert.ok(first !== undefined);
  assert.equal(canonicalize(first.canonical, first.type), first.canonical);
  assert.equal(toProtoJson(first.json, first.type), first.json);
});

test('protojson: the input is never modified', () => {
  for (const { type, canonical, json } of cases) {
    const frozenJson = deepFreeze(structuredClone(json));
    const frozenCanonical = deepFreeze(structuredClone(canonical));
    // Frozen objects throw on any write in strict-mode code.
    assert.deepEqual(canonicalize(frozenJson, type), canonical);
    assert.deepEqual(toProtoJson(frozenCanonical, type), json);
  }
});

test('protojson: odd values are converted as far as they make sense, never thrown on', () => {
  const anyUrl = `${TYPE}google.protobuf.Any`;
  const oddValues: { value: unknown; type: string; canonical: unknown }[] = [
    { value: null, type: CLUSTER, canonical: null },
    { value: 5, type: CLUSTER, canonical: 5 },
    { value: [{ connectTimeout: '1s' }], type: CLUSTER, canonical: [{ connectTimeout: '1s' }] },
    { value: { connectTimeout: '1s' }, type: 'no.such.Message', canonical: { connectTimeout: '1s' } },
    { value: { connectTimeout: '1s' }, type: 'google.protobuf.Struct', canonical: { connectTimeout: '1s' } },
    { value: { connectTimeout: '1s' }, type: 'google.protobuf.Duration', canonical: { connectTimeout: '1s' } },
    {
      value: { circuitBreakers: 'not an object', hosts: 'not a list', metadata: [1, 2] },
      type: `${TYPE}envoy.api.v2.Cluster`,
      canonical: { circuit_breakers: 'not an object', hosts: 'not a list', metadata: [1, 2] },
    },
    {
      value: { transportSocket: { typedConfig: { '@type': 7, sni: 'x' } } },
      type: CLUSTER,
      canonical: { transport_socket: { typed_config: { '@type': 7, sni: 'x' } } },
    },
    {
      value: { transportSocket: { typedConfig: { '@type': anyUrl, value: 'x' } } },
      type: CLUSTER,
      canonical: { transport_socket: { typed_config: { '@type': anyUrl, value: 'x' } } },
    },
  ];
  for (const { value, type, canonical } of oddValues) {
    assert.deepEqual(canonicalize(value, type), canonical, `${JSON.stringify(value)} as ${type}`);
    assert.doesNotThrow(() => toProtoJson(value, type));
  }
});

test('protojson: a "__proto__" key stays a plain key', () => {
  const input = JSON.parse('{"connectTimeout":"1s","__proto__":{"polluted":true}}') as JsonObject;
  const output = canonicalize(input, CLUSTER) as JsonObject;
  assert.equal(Object.getPrototypeOf(output), Object.prototype);
  assert.deepEqual(Object.keys(output), ['connect_timeout', '__proto__']);
  assert.equal(({} as JsonObject)['polluted'], undefined);
});

// ---- type URLs ----------------------------------------------------------------------------------

test('messageTypeFromUrl maps v2 names to v3', () => {
  const table: [string, string][] = [
    [`${TYPE}envoy.config.cluster.v3.Cluster`, CLUSTER],
    ['envoy.config.cluster.v3.Cluster', CLUSTER],
    ['example.com/custom/envoy.api.v2.Cluster', CLUSTER],
    [`${TYPE}envoy.api.v2.Listener`, LISTENER],
    [`${TYPE}envoy.api.v2.Cluster`, CLUSTER],
    [`${TYPE}envoy.api.v2.Cluster.EdsClusterConfig`, 'envoy.config.cluster.v3.Cluster.EdsClusterConfig'],
    [`${TYPE}envoy.api.v2.RouteConfiguration`, ROUTE_CONFIGURATION],
    [`${TYPE}envoy.api.v2.ScopedRouteConfiguration`, 'envoy.config.route.v3.ScopedRouteConfiguration'],
    [`${TYPE}envoy.api.v2.ClusterLoadAssignment`, CLUSTER_LOAD_ASSIGNMENT],
    [`${TYPE}envoy.api.v2.auth.Secret`, 'envoy.extensions.transport_sockets.tls.v3.Secret'],
    [`${TYPE}envoy.api.v2.auth.UpstreamTlsContext`, 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext'],
    [`${TYPE}envoy.api.v2.core.Node`, 'envoy.config.core.v3.Node'],
    [`${TYPE}envoy.api.v2.route.RouteMatch`, 'envoy.config.route.v3.RouteMatch'],
    [`${TYPE}envoy.api.v2.listener.FilterChain`, 'envoy.config.listener.v3.FilterChain'],
    [`${TYPE}envoy.api.v2.endpoint.LbEndpoint`, 'envoy.config.endpoint.v3.LbEndpoint'],
    [`${TYPE}envoy.api.v2.cluster.CircuitBreakers`, 'envoy.config.cluster.v3.CircuitBreakers'],
    [
      `${TYPE}envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager`,
      'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    ],
    [`${TYPE}envoy.config.filter.network.tcp_proxy.v2.TcpProxy`, 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'],
    [`${TYPE}envoy.config.filter.http.router.v2.Router`, 'envoy.extensions.filters.http.router.v3.Router'],
    [`${TYPE}envoy.config.filter.http.rate_limit.v2.RateLimit`, 'envoy.extensions.filters.http.ratelimit.v3.RateLimit'],
    [`${TYPE}envoy.config.accesslog.v2.FileAccessLog`, 'envoy.extensions.access_loggers.file.v3.FileAccessLog'],
    [`${TYPE}envoy.admin.v2alpha.ClustersConfigDump`, 'envoy.admin.v3.ClustersConfigDump'],
    [`${TYPE}envoy.admin.v2alpha.ListenersConfigDump`, 'envoy.admin.v3.ListenersConfigDump'],
    [`${TYPE}udpa.type.v1.TypedStruct`, 'xds.type.v3.TypedStruct'],
    [`${TYPE}xds.type.v3.TypedStruct`, 'xds.type.v3.TypedStruct'],
    [`${TYPE}google.protobuf.Struct`, 'google.protobuf.Struct'],
    [`${TYPE}istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig`, 'istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig'],
    [`${TYPE}envoy.tcp.metadataexchange.config.MetadataExchange`, 'envoy.tcp.metadataexchange.config.MetadataExchange'],
  ];
  for (const [url, expected] of table) assert.equal(messageTypeFromUrl(url), expected, url);
});

test('messageTypeFromUrl agrees with the previous_message_type the v3 protos record', () => {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as EnvoySchema;
  const entries = Object.entries(schema.previousNames);
  assert.ok(entries.length > 400);
  for (const [previous, index] of entries) {
    // A few "previous" names are v3 names of messages that moved again; those are not URLs a
    // v2 producer could emit, and the runtime resolves them through the table anyway.
    if (previous.includes('.v3.')) continue;
    assert.equal(messageTypeFromUrl(previous), schema.messages[index], previous);
  }
});

test('the generated schema is compact', () => {
  const size = statSync(schemaFile).size;
  assert.ok(size < 512 * 1024, `schema is ${size} bytes`);
});

// ---- corpus: istioctl goldens -----------------------------------------------------------------

function readCorpus(file: string): unknown {
  return JSON.parse(readFileSync(path.join(corpusDir, file), 'utf8'));
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `configs` entries of a dump: a list, a map (Envoy <= 1.7), or nested in egctl's wrapper. */
function dumpConfigs(dump: unknown): JsonObject[] {
  if (!isObject(dump)) return [];
  const configs = dump['configs'];
  if (Array.isArray(configs)) return configs.filter(isObject);
  if (isObject(configs)) return Object.values(configs).filter(isObject);
  return Object.values(dump).flatMap(dumpConfigs);
}

/** The dump's config sections in canonical spelling, each with its `@type`. */
function canonicalConfigs(file: string): JsonObject[] {
  return dumpConfigs(readCorpus(file)).map((config) => canonicalize(config, String(config['@type'])) as JsonObject);
}

function section(configs: JsonObject[], typeName: string): JsonObject {
  const found = configs.filter((config) => String(config['@type']).endsWith(`.${typeName}`)).at(-1);
  assert.ok(found !== undefined, `no ${typeName}`);
  return found;
}

/** The resources under `field` of each wrapper in the listed repeated fields, in that order. */
function resources(dumpSection: JsonObject, lists: string[], field: string): JsonObject[] {
  return lists.flatMap((list) => {
    const wrappers = dumpSection[list];
    return Array.isArray(wrappers)
      ? wrappers
          .filter(isObject)
          .map((wrapper) => wrapper[field])
          .filter(isObject)
      : [];
  });
}

/** istioctl prints resources as bare messages: no top-level `@type`. */
function printed(resource: JsonObject, type: string): JsonObject {
  const { ['@type']: _typeUrl, ...fields } = toProtoJson(resource, type) as JsonObject;
  return fields;
}

/** Clusters and routes as istioctl -o json lists them here: dynamic first, then static. */
function clustersAndRoutes(file: string): { clusters: JsonObject[]; routes: JsonObject[] } {
  const configs = canonicalConfigs(file);
  const clusterSection = section(configs, 'ClustersConfigDump');
  const routeSection = section(configs, 'RoutesConfigDump');
  return {
    clusters: resources(clusterSection, ['dynamic_active_clusters', 'static_clusters'], 'cluster').map((c) => printed(c, CLUSTER)),
    routes: resources(routeSection, ['dynamic_route_configs', 'static_route_configs'], 'route_config').map((r) => printed(r, ROUTE_CONFIGURATION)),
  };
}

test('golden: istioctl 1.6 cluster -o json', { skip: corpusSkip }, () => {
  assert.deepEqual(clustersAndRoutes('istioctl-1.6/config_dump.json').clusters, readCorpus('istioctl-1.6/cluster.json'));
});

test('golden: istioctl 1.6 route -o json', { skip: corpusSkip }, () => {
  const { routes } = clustersAndRoutes('istioctl-1.6/config_dump.json');
  // The dump's inbound route carries `useWebsocket` (an Envoy <= 1.7 RouteAction field). istioctl
  // 1.6's Go types no longer had it and its parser drops unknown fields; envoyscope keeps
  // everything the proxy reported, so the field is removed here before comparing.
  for (const route of routes) deleteKeyDeep(route, 'useWebsocket');
  assert.deepEqual(routes, readCorpus('istioctl-1.6/route.json'));
});

test('golden: istioctl 1.0 cluster and route -o json (admin v2alpha, resources without @type)', { skip: corpusSkip }, () => {
  const { clusters, routes } = clustersAndRoutes('istioctl-1.0/config_dump.json');
  // istioctl 1.0's jsonpb (golang/protobuf 2018) wrote Durations with at least 3 fractional
  // digits ("1.000s"); later printers, like the dumps themselves, write "1s". Both are valid proto3
  // JSON for the same value; envoyscope keeps the dump's spelling.
  assert.deepEqual(clusters, normalizeDurations(readCorpus('istioctl-1.0/cluster.json')));
  assert.deepEqual(routes, normalizeDurations(readCorpus('istioctl-1.0/route.json')));
});

test('golden: istioctl ecds -o json', { skip: corpusSkip }, () => {
  const configs = canonicalConfigs('istioctl/ecds/config_dump.json');
  // istioctl merges every EcdsConfigDump of the dump into one.
  const ecdsFilters = configs.flatMap((config) => (Array.isArray(config['ecds_filters']) ? config['ecds_filters'] : []));
  const merged = toProtoJson({ ecds_filters: ecdsFilters }, 'envoy.admin.v3.EcdsConfigDump');
  assert.deepEqual(merged, readCorpus('istioctl/ecds/expected.json'));
});

test('golden: istioctl bootstrap -o json', { skip: corpusSkip }, () => {
  const bootstrap = section(canonicalConfigs('istioctl/bootstrap/config_dump.json'), 'BootstrapConfigDump');
  assert.deepEqual(printed(bootstrap, 'envoy.admin.v3.BootstrapConfigDump'), readCorpus('istioctl/bootstrap/expected.json'));
});

test('golden: istioctl eds -o json', { skip: corpusSkip }, () => {
  const endpoints = section(canonicalConfigs('istioctl/eds/config_dump.json'), 'EndpointsConfigDump');
  const byName = new Map(
    resources(endpoints, ['static_endpoint_configs', 'dynamic_endpoint_configs'], 'endpoint_config').map((cla) => [
      cla['cluster_name'],
      printed(cla, CLUSTER_LOAD_ASSIGNMENT),
    ]),
  );
  // Sorting, and leaving out the assignments without endpoints, is the eds command's business:
  // compare each printed assignment with the one of the same name.
  const golden = readCorpus('istioctl/eds/emptyfilter_output.json') as JsonObject[];
  assert.equal(golden.length, 32);
  assert.deepEqual(
    golden.map((cla) => byName.get(cla['clusterName'])),
    golden,
  );
});

test('golden: istioctl 1.6 endpoint -o json (/clusters?format=json, top level snake_case, hosts camelCase)', { skip: corpusSkip }, () => {
  const clusters = canonicalize(readCorpus('istioctl-1.6/clusters.json'), 'envoy.admin.v3.Clusters') as JsonObject;
  const statuses = clusters['cluster_statuses'];
  assert.ok(Array.isArray(statuses));
  assert.deepEqual(
    statuses.map((status) => toProtoJson(status, 'envoy.admin.v3.ClusterStatus')),
    readCorpus('istioctl-1.6/endpoint.json'),
  );
});

// ---- corpus: round trip over every dump ----------------------------------------------------------

function listJson(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort();
}

test('round trip: canonicalize(toProtoJson(x)) equals canonicalize(x) for every dump resource', { skip: corpusSkip }, () => {
  const dumpsDir = path.join(corpusDir, 'dumps');
  const files = listJson(dumpsDir);
  assert.ok(files.length >= 15, `only ${files.length} dumps`);
  let checked = 0;
  for (const file of files) {
    const dump = JSON.parse(readFileSync(path.join(dumpsDir, file), 'utf8')) as unknown;
    // Pilot's /debug/edsz is a bare list of ClusterLoadAssignments.
    const items: [unknown, string][] = Array.isArray(dump)
      ? dump.map((cla): [unknown, string] => [cla, CLUSTER_LOAD_ASSIGNMENT])
      : dumpConfigs(dump).map((config): [unknown, string] => [config, String(config['@type'])]);
    assert.ok(items.length > 0, `${file}: nothing found`);
    for (const [item, type] of items) {
      const canonical = canonicalize(item, type);
      const json = toProtoJson(item, type);
      assert.deepEqual(canonicalize(json, type), canonical, `${file}: ${type}`);
      assert.deepEqual(toProtoJson(canonical, type), json, `${file}: ${type}`);
      checked++;
    }
  }
  assert.ok(checked > 100);
});

test('round trip: dumps Envoy wrote in snake_case are already canonical', { skip: corpusSkip }, () => {
  const dumpsDir = path.join(corpusDir, 'dumps');
  // envoy-gateway's dump is egctl's (its EDS section is camelCase); pilot-edsz is istiod's.
  const envoyWritten = listJson(dumpsDir).filter((file) => !file.includes('envoy-gateway') && !file.includes('pilot-edsz'));
  for (const file of envoyWritten) {
    for (const config of dumpConfigs(JSON.parse(readFileSync(path.join(dumpsDir, file), 'utf8')))) {
      assert.equal(canonicalize(config, String(config['@type'])), config, `${file}: ${String(config['@type'])}`);
    }
  }
});

// ---- helpers ------------------------------------------------------------------------------------

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function deleteKeyDeep(value: unknown, key: string): void {
  if (Array.isArray(value)) for (const element of value) deleteKeyDeep(element, key);
  else if (isObject(value)) {
    delete value[key];
    for (const child of Object.values(value)) deleteKeyDeep(child, key);
  }
}

function normalizeDurations(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/^(-?\d+)\.000s$/, '$1s');
  if (Array.isArray(value)) return value.map(normalizeDurations);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, normalizeDurations(child)]));
  return value;
}
