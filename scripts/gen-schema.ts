// Builds generated/envoy-schema.json, the field table src/envoy/protojson.ts converts JSON names
// with, from the Envoy v3 .proto files shipped by @grpc/grpc-js-xds, plus the v2-only fields the v3
// protos no longer declare (Envoy <= 1.17 dumps still carry them).
// Run by `npm run build`: tsx scripts/gen-schema.ts

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { MAP, REPEATED, defaultJsonName } from '../src/envoy/protojson.ts';
import type { EnvoySchema, ValueCode } from '../src/envoy/protojson.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const depsDir = path.join(projectRoot, 'node_modules/@grpc/grpc-js-xds/deps');
const importRoots = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => path.join(depsDir, dir));
const outFile = path.join(projectRoot, 'generated/envoy-schema.json');

/** The packages whose messages can show up in a dump (not services); what they import comes along. */
const ENTRY_DIRS = [
  'envoy-api/envoy/admin',
  'envoy-api/envoy/config',
  'envoy-api/envoy/extensions',
  'envoy-api/envoy/type',
  'xds/xds/type',
  'xds/xds/core',
  'xds/udpa/type',
];

/** Imports that only declare options (validation rules, annotations): not needed for field names. */
const OPTION_ONLY_IMPORTS = [
  'validate/',
  'udpa/annotations/',
  'xds/annotations/',
  'envoy/annotations/',
  'google/api/annotations.proto',
  'google/api/http.proto',
  'google/protobuf/descriptor.proto',
];

/** Bundled with protobufjs, so never looked up on disk. */
const BUNDLED_IMPORTS = new Set(['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map((name) => `google/protobuf/${name}.proto`));

/** How proto3 JSON writes the google.protobuf types. */
const WELL_KNOWN: EnvoySchema['wellKnown'] = {
  'google.protobuf.Any': 'a',
  'google.protobuf.Struct': 'j',
  'google.protobuf.Value': 'j',
  'google.protobuf.ListValue': 'j',
  'google.protobuf.BoolValue': 's',
  'google.protobuf.BytesValue': 's',
  'google.protobuf.DoubleValue': 's',
  'google.protobuf.FloatValue': 's',
  'google.protobuf.Int32Value': 's',
  'google.protobuf.Int64Value': 's',
  'google.protobuf.StringValue': 's',
  'google.protobuf.UInt32Value': 's',
  'google.protobuf.UInt64Value': 's',
  'google.protobuf.Duration': 's',
  'google.protobuf.Timestamp': 's',
  'google.protobuf.FieldMask': 's',
  'google.protobuf.Empty': 's',
};

/**
 * Messages from protos the bundle imports but does not ship, cut down to what a dump can hold
 * (from open-telemetry/opentelemetry-proto and census-instrumentation/opencensus-proto).
 * opencensus spells one field in camelCase in the .proto itself: that is its proto name.
 */
const THIRD_PARTY_PROTOS: Record<string, string> = {
  'opentelemetry/proto/common/v1/common.proto': `
    syntax = "proto3";
    package opentelemetry.proto.common.v1;
    message AnyValue {
      oneof value {
        string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
        ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
      }
    }
    message ArrayValue { repeated AnyValue values = 1; }
    message KeyValueList { repeated KeyValue values = 1; }
    message KeyValue { string key = 1; AnyValue value = 2; }`,
  'opencensus/proto/trace/v1/trace_config.proto': `
    syntax = "proto3";
    package opencensus.proto.trace.v1;
    message TraceConfig {
      oneof sampler {
        ProbabilitySampler probability_sampler = 1; ConstantSampler constant_sampler = 2;
        RateLimitingSampler rate_limiting_sampler = 3;
      }
      int64 max_number_of_attributes = 4; int64 max_number_of_annotations = 5;
      int64 max_number_of_message_events = 6; int64 max_number_of_links = 7;
    }
    message ProbabilitySampler { double samplingProbability = 1; }
    message ConstantSampler {
      enum ConstantDecision { ALWAYS_OFF = 0; ALWAYS_ON = 1; ALWAYS_PARENT = 2; }
      ConstantDecision decision = 1;
    }
    message RateLimitingSampler { int64 qps = 1; }`,
};

/** A field the v3 protos lack. `type` is a message or well-known type name, or `scalar`. */
interface ExtraField {
  field: string;
  type: string;
  repeated?: true;
  map?: true;
}

/** A v2 field removed in v3, and its `hidden_envoy_deprecated_` twin seen in Envoy 1.14–1.17 dumps. */
function removedInV3(field: string, type: string, shape: { repeated?: true; map?: true } = {}): ExtraField[] {
  return [
    { field, type, ...shape },
    { field: `hidden_envoy_deprecated_${field}`, type, ...shape },
  ];
}

const CORE = 'envoy.config.core.v3';
const ROUTE = 'envoy.config.route.v3';
const TLS = 'envoy.extensions.transport_sockets.tls.v3';
const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const STRUCT = 'google.protobuf.Struct';
const SCALAR = 'scalar';
const REPEATED_FIELD = { repeated: true } as const;
const MAP_FIELD = { map: true } as const;

/** Messages that exist only in v2, reached through the fields below. */
const V2_MESSAGES: Record<string, ExtraField[]> = {
  [`${TCP_PROXY}.DeprecatedV1`]: [{ field: 'routes', type: `${TCP_PROXY}.DeprecatedV1.TCPRoute`, repeated: true }],
  [`${TCP_PROXY}.DeprecatedV1.TCPRoute`]: [
    { field: 'cluster', type: SCALAR },
    { field: 'destination_ip_list', type: `${CORE}.CidrRange`, repeated: true },
    { field: 'destination_ports', type: SCALAR },
    { field: 'source_ip_list', type: `${CORE}.CidrRange`, repeated: true },
    { field: 'source_ports', type: SCALAR, repeated: true },
  ],
};

/**
 * v2-only fields, keyed by the v3 message that replaced their v2 message (mostly the names the v3
 * protos list as `reserved`). Envoy <= 1.17 dumps carry them.
 */
const V2_FIELDS: Record<string, ExtraField[]> = {
  'envoy.config.cluster.v3.Cluster': [
    ...removedInV3('hosts', `${CORE}.Address`, REPEATED_FIELD),
    ...removedInV3('tls_context', `${TLS}.UpstreamTlsContext`),
    ...removedInV3('extension_protocol_options', STRUCT, MAP_FIELD),
  ],
  'envoy.config.listener.v3.FilterChain': removedInV3('tls_context', `${TLS}.DownstreamTlsContext`),
  'envoy.config.listener.v3.Filter': removedInV3('config', STRUCT),
  'envoy.config.listener.v3.ListenerFilter': removedInV3('config', STRUCT),
  'envoy.config.listener.v3.UdpListenerConfig': removedInV3('config', STRUCT),
  'envoy.config.accesslog.v3.AccessLog': removedInV3('config', STRUCT),
  'envoy.config.accesslog.v3.ExtensionFilter': removedInV3('config', STRUCT),
  'envoy.config.trace.v3.Tracing.Http': removedInV3('config', STRUCT),
  'envoy.config.metrics.v3.StatsSink': removedInV3('config', STRUCT),
  [`${CORE}.TransportSocket`]: removedInV3('config', STRUCT),
  [`${CORE}.HealthCheck.CustomHealthCheck`]: removedInV3('config', STRUCT),
  [`${CORE}.HealthCheck.HttpHealthCheck`]: [...removedInV3('service_name', SCALAR), ...removedInV3('use_http2', SCALAR)],
  [`${CORE}.GrpcService.GoogleGrpc.CallCredentials.MetadataCredentialsFromPlugin`]: removedInV3('config', STRUCT),
  [`${CORE}.Node`]: removedInV3('build_version', SCALAR),
  'envoy.config.bootstrap.v3.Bootstrap': removedInV3('runtime', 'envoy.config.bootstrap.v3.Runtime'),
  'envoy.config.endpoint.v3.ClusterLoadAssignment.Policy': removedInV3('disable_overprovisioning', SCALAR),
  [`${ROUTE}.VirtualHost`]: removedInV3('per_filter_config', STRUCT, MAP_FIELD),
  [`${ROUTE}.Route`]: removedInV3('per_filter_config', STRUCT, MAP_FIELD),
  [`${ROUTE}.WeightedCluster.ClusterWeight`]: removedInV3('per_filter_config', STRUCT, MAP_FIELD),
  [`${ROUTE}.RouteMatch`]: removedInV3('regex', SCALAR),
  [`${ROUTE}.RouteAction`]: [
    ...removedInV3('host_rewrite', SCALAR),
    ...removedInV3('request_mirror_policy', `${ROUTE}.RouteAction.RequestMirrorPolicy`),
    { field: 'use_websocket', type: SCALAR }, // Envoy <= 1.7
  ],
  [`${ROUTE}.RouteAction.RequestMirrorPolicy`]: removedInV3('runtime_key', SCALAR),
  [`${ROUTE}.CorsPolicy`]: [
    ...removedInV3('allow_origin', SCALAR, REPEATED_FIELD),
    ...removedInV3('allow_origin_regex', SCALAR, REPEATED_FIELD),
    ...removedInV3('enabled', SCALAR),
  ],
  [`${ROUTE}.VirtualCluster`]: [...removedInV3('pattern', SCALAR), ...removedInV3('method', SCALAR)],
  [`${ROUTE}.HeaderMatcher`]: [
    ...removedInV3('regex_match', SCALAR),
    { field: 'value', type: SCALAR }, // Envoy <= 1.7, with `regex: true`
    { field: 'regex', type: SCALAR },
  ],
  [`${ROUTE}.QueryParameterMatcher`]: [...removedInV3('value', SCALAR), ...removedInV3('regex', SCALAR)],
  [`${ROUTE}.RetryPolicy.RetryPriority`]: removedInV3('config', STRUCT),
  [`${ROUTE}.RetryPolicy.RetryHostPredicate`]: removedInV3('config', STRUCT),
  'envoy.type.matcher.v3.StringMatcher': removedInV3('regex', SCALAR),
  [`${TLS}.CertificateValidationContext`]: removedInV3('verify_subject_alt_name', SCALAR, REPEATED_FIELD),
  [`${TLS}.PrivateKeyProvider`]: removedInV3('config', STRUCT),
  [HCM]: removedInV3('idle_timeout', SCALAR),
  [`${HCM}.Tracing`]: [...removedInV3('operation_name', SCALAR), ...removedInV3('request_headers_for_tags', SCALAR, REPEATED_FIELD)],
  [TCP_PROXY]: removedInV3('deprecated_v1', `${TCP_PROXY}.DeprecatedV1`),
  // admin v2alpha (Envoy <= 1.12) listed listeners by state; each entry is a DynamicListenerState.
  'envoy.admin.v3.ListenersConfigDump': ['active', 'warming', 'draining'].map((state) => ({
    field: `dynamic_${state}_listeners`,
    type: 'envoy.admin.v3.ListenersConfigDump.DynamicListenerState',
    repeated: true as const,
  })),
};

/**
 * Any fields that were plain message fields in admin v2alpha (Envoy <= 1.12): there the resource
 * comes without `@type`, so its message type has to be known from the field.
 */
const UNTYPED_ANY: Record<string, Record<string, string>> = {
  'envoy.admin.v3.ClustersConfigDump.StaticCluster': { cluster: 'envoy.config.cluster.v3.Cluster' },
  'envoy.admin.v3.ClustersConfigDump.DynamicCluster': { cluster: 'envoy.config.cluster.v3.Cluster' },
  'envoy.admin.v3.ListenersConfigDump.StaticListener': { listener: 'envoy.config.listener.v3.Listener' },
  'envoy.admin.v3.ListenersConfigDump.DynamicListenerState': { listener: 'envoy.config.listener.v3.Listener' },
  'envoy.admin.v3.RoutesConfigDump.StaticRouteConfig': { route_config: 'envoy.config.route.v3.RouteConfiguration' },
  'envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig': { route_config: 'envoy.config.route.v3.RouteConfiguration' },
  'envoy.admin.v3.ScopedRoutesConfigDump.InlineScopedRouteConfigs': {
    scoped_route_configs: 'envoy.config.route.v3.ScopedRouteConfiguration',
  },
  'envoy.admin.v3.ScopedRoutesConfigDump.DynamicScopedRouteConfigs': {
    scoped_route_configs: 'envoy.config.route.v3.ScopedRouteConfiguration',
  },
  'envoy.admin.v3.SecretsConfigDump.StaticSecret': { secret: `${TLS}.Secret` },
  'envoy.admin.v3.SecretsConfigDump.DynamicSecret': { secret: `${TLS}.Secret` },
};

function listProtoFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.proto'))
    .map((file) => path.join(dir, file))
    .sort();
}

function isOptionOnly(importPath: string): boolean {
  return OPTION_ONLY_IMPORTS.some((prefix) => importPath.startsWith(prefix));
}

function findImport(importPath: string): string | undefined {
  for (const root of importRoots) {
    const candidate = path.join(root, importPath);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const IMPORT_LINE = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;

/**
 * Whether every import of `file`, transitively, can be found. Some protos in the bundle import
 * files it does not ship (envoy/api/v2, opencensus, prometheus): those are left out.
 */
function makeCompletenessCheck(): (file: string) => boolean {
  const complete = new Map<string, boolean>();
  const check = (file: string): boolean => {
    const known = complete.get(file);
    if (known !== undefined) return known;
    complete.set(file, true); // cycles are fine: the cycle's own files exist
    let ok = true;
    for (const [, importPath = ''] of readFileSync(file, 'utf8').matchAll(IMPORT_LINE)) {
      if (isOptionOnly(importPath) || BUNDLED_IMPORTS.has(importPath) || Object.hasOwn(THIRD_PARTY_PROTOS, importPath)) continue;
      const found = findImport(importPath);
      if (found === undefined || !check(found)) {
        ok = false;
        break;
      }
    }
    complete.set(file, ok);
    return ok;
  };
  return check;
}

function loadRoot(files: string[]): protobuf.Root {
  const root = new protobuf.Root();
  for (const source of Object.values(THIRD_PARTY_PROTOS)) protobuf.parse(source, root, { keepCase: true });
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    if (isOptionOnly(target) || Object.hasOwn(THIRD_PARTY_PROTOS, target)) return null;
    return findImport(target) ?? null;
  };
  root.loadSync(files, { keepCase: true });
  return root;
}

function collectTypes(namespace: protobuf.NamespaceBase, into: protobuf.Type[]): protobuf.Type[] {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) into.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) collectTypes(nested, into);
  }
  return into;
}

const fullName = (reflected: protobuf.ReflectionObject): string => reflected.fullName.replace(/^\./, '');

interface FieldSpec {
  protoName: string;
  value: ValueCode;
  flags: number;
  /** Empty when protoc's default. */
  jsonName: string;
  /** Empty unless an Any field has a message to assume when `@type` is missing. */
  untypedAny: string;
}

/** `protoName:value[:flags[:jsonName[:untypedAny]]]`, as `EnvoySchema.fields` describes. */
function encodeField({ protoName, value, flags, jsonName, untypedAny }: FieldSpec): string {
  const optional = [flags === 0 ? '' : String(flags), jsonName, untypedAny];
  while (optional.at(-1) === '') optional.pop();
  return [protoName, String(value), ...optional].join(':');
}

function buildSchema(root: protobuf.Root): EnvoySchema {
  const protoTypes = new Map<string, protobuf.Type>();
  for (const type of collectTypes(root, [])) {
    const name = fullName(type);
    if (!name.startsWith('google.protobuf.')) protoTypes.set(name, type);
  }
  for (const name of [...Object.keys(V2_FIELDS), ...Object.keys(UNTYPED_ANY)]) {
    if (!protoTypes.has(name)) throw new Error(`supplement names unknown message ${name}`);
  }
  for (const name of Object.keys(V2_MESSAGES)) {
    if (protoTypes.has(name)) throw new Error(`${name} is declared by the protos now: drop it from the v2 supplement`);
  }
  const messages = [...protoTypes.keys(), ...Object.keys(V2_MESSAGES)].sort();
  const messageIndex = new Map(messages.map((name, index) => [name, index]));

  const codeOfType = (typeName: string, context: string): ValueCode => {
    if (typeName === SCALAR) return 's';
    const wellKnown = WELL_KNOWN[typeName];
    if (wellKnown !== undefined) return wellKnown;
    if (typeName.startsWith('google.protobuf.')) throw new Error(`${context}: no JSON rule for ${typeName}`);
    const index = messageIndex.get(typeName);
    if (index === undefined) throw new Error(`${context}: unknown message ${typeName}`);
    return index;
  };

  const protoField = (message: string, field: protobuf.Field): string => {
    const context = `${message}.${field.name}`;
    const resolved = field.resolvedType;
    const value: ValueCode = resolved instanceof protobuf.Type ? codeOfType(fullName(resolved), context) : resolved instanceof protobuf.Enum ? 'e' : 's';
    const untypedAny = UNTYPED_ANY[message]?.[field.protoName];
    if (untypedAny !== undefined && value !== 'a') throw new Error(`${context} is not an Any`);
    return encodeField({
      protoName: field.protoName,
      value,
      flags: (field.map ? MAP : 0) | (field.repeated ? REPEATED : 0),
      jsonName: field.jsonName === defaultJsonName(field.protoName) ? '' : field.jsonName,
      untypedAny: untypedAny === undefined ? '' : String(codeOfType(untypedAny, context)),
    });
  };

  const extraField = (message: string, extra: ExtraField): string =>
    encodeField({
      protoName: extra.field,
      value: codeOfType(extra.type, `${message}.${extra.field}`),
      flags: (extra.map === true ? MAP : 0) | (extra.repeated === true ? REPEATED : 0),
      jsonName: '',
      untypedAny: '',
    });

  const fields = messages.map((name): string => {
    const declared = protoTypes.get(name)?.fieldsArray ?? [];
    const extras = V2_MESSAGES[name] ?? V2_FIELDS[name] ?? [];
    for (const extra of extras) {
      if (declared.some((field) => field.protoName === extra.field)) {
        throw new Error(`${name}.${extra.field} is declared by the protos now: drop it from the v2 supplement`);
      }
    }
    return [...declared.map((field) => protoField(name, field)), ...extras.map((extra) => extraField(name, extra))].join(' ');
  });

  const previousNames: Record<string, number> = {};
  for (const [name, type] of protoTypes) {
    const previous: unknown = type.options?.['(udpa.annotations.versioning).previous_message_type'];
    const index = messageIndex.get(name);
    if (typeof previous === 'string' && index !== undefined) previousNames[previous] = index;
  }
  const sortedPreviousNames = Object.fromEntries(Object.entries(previousNames).sort(([a], [b]) => (a < b ? -1 : 1)));

  return { format: 2, messages, fields, wellKnown: WELL_KNOWN, previousNames: sortedPreviousNames };
}

function main(): void {
  const started = performance.now();
  const isComplete = makeCompletenessCheck();
  const candidates = ENTRY_DIRS.flatMap((dir) => listProtoFiles(path.join(depsDir, dir)));
  const entries = candidates.filter(isComplete);
  const schema = buildSchema(loadRoot(entries));
  const text = JSON.stringify(schema);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  const skipped = candidates.length - entries.length;
  const elapsed = Math.round(performance.now() - started);
  console.log(
    `gen-schema: ${schema.messages.length} messages from ${entries.length} protos (${skipped} skipped: missing imports), ` +
      `${(text.length / 1024).toFixed(0)} KiB, ${elapsed} ms -> ${path.relative(projectRoot, outFile)}`,
  );
}

main();
