// Schema-aware proto3 JSON field-name conversion. Envoy dumps spell fields either as proto names
// (`dynamic_active_clusters`) or as lowerCamelCase JSON names (`dynamicActiveClusters`); envoyscope
// decodes into proto names and prints JSON names for `-o json`, as istioctl does. Which keys are
// field names (and which are map keys, Struct contents or `@type`) comes from a schema generated
// from Envoy's .proto files by scripts/gen-schema.ts, never from the spelling of a key.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isObj, type Obj } from './model.ts';

/**
 * What a field holds: a message (index into `EnvoySchema.messages`), or `s` scalar (with the
 * well-known types proto3 JSON writes as scalars: wrappers, Duration, Timestamp, FieldMask, and
 * Empty's `{}`), `e` enum, `j` JSON kept verbatim (Struct, Value, ListValue), `a` Any.
 */
export type ValueCode = number | 's' | 'e' | 'j' | 'a';

/** Bit flags of a field. A map's value code describes its values; map keys are never converted. */
export const REPEATED = 1;
export const MAP = 2;

/** Layout of generated/envoy-schema.json. */
export interface EnvoySchema {
  format: 2;
  /** Fully qualified message names (no leading dot), sorted. */
  messages: string[];
  /**
   * `fields[i]` lists the fields of `messages[i]` in declaration order, separated by spaces, each
   * `protoName:value[:flags[:jsonName[:untypedAny]]]`: `value` a message index or a `ValueCode`
   * letter, `flags` REPEATED|MAP, `jsonName` only when not protoc's default, and for an Any field
   * `untypedAny`, the message index it holds when `@type` is missing (admin v2alpha dumps embed
   * listeners, clusters… as plain messages where v3 has an Any). One string per message parses
   * several times faster than nested arrays, and only the messages in use are ever split.
   */
  fields: string[];
  /** google.protobuf types that JSON writes specially: `s` scalar, `j` verbatim, `a` Any. */
  wellKnown: Record<string, 's' | 'j' | 'a'>;
  /** v2 message names → index of their v3 successor (the protos' `previous_message_type`). */
  previousNames: Record<string, number>;
}

/** protoc's ToJsonName: drop every `_` and upper-case the character that follows. */
export function defaultJsonName(protoName: string): string {
  let jsonName = '';
  let upperNext = false;
  for (const char of protoName) {
    if (char === '_') upperNext = true;
    else {
      jsonName += upperNext ? char.toUpperCase() : char;
      upperNext = false;
    }
  }
  return jsonName;
}

// ---- type URLs ------------------------------------------------------------------------------

/** v2 messages (with their nested messages) that moved to a package no rule below derives. */
const V2_MOVED_MESSAGES: ReadonlyMap<string, string> = new Map([
  ['envoy.api.v2.Listener', 'envoy.config.listener.v3.Listener'],
  ['envoy.api.v2.Cluster', 'envoy.config.cluster.v3.Cluster'],
  ['envoy.api.v2.RouteConfiguration', 'envoy.config.route.v3.RouteConfiguration'],
  ['envoy.api.v2.ScopedRouteConfiguration', 'envoy.config.route.v3.ScopedRouteConfiguration'],
  ['envoy.api.v2.ClusterLoadAssignment', 'envoy.config.endpoint.v3.ClusterLoadAssignment'],
  ['envoy.api.v2.auth.Secret', 'envoy.extensions.transport_sockets.tls.v3.Secret'],
  ['envoy.api.v2.LoadBalancingPolicy', 'envoy.config.cluster.v3.LoadBalancingPolicy'],
  ['envoy.api.v2.UpstreamConnectionOptions', 'envoy.config.cluster.v3.UpstreamConnectionOptions'],
  ['envoy.api.v2.Vhds', 'envoy.config.route.v3.Vhds'],
  ['envoy.config.accesslog.v2.FileAccessLog', 'envoy.extensions.access_loggers.file.v3.FileAccessLog'],
  ['envoy.config.accesslog.v2.HttpGrpcAccessLogConfig', 'envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig'],
  ['envoy.config.accesslog.v2.TcpGrpcAccessLogConfig', 'envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig'],
  ['envoy.config.accesslog.v2.CommonGrpcAccessLogConfig', 'envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig'],
  ['udpa.type.v1.TypedStruct', 'xds.type.v3.TypedStruct'],
]);

/** Package renames, most specific first; the version segment of what follows becomes `v3`. */
const V2_PACKAGES: readonly (readonly [string, string])[] = [
  ['envoy.api.v2.core.', 'envoy.config.core.v3.'],
  ['envoy.api.v2.route.', 'envoy.config.route.v3.'],
  ['envoy.api.v2.listener.', 'envoy.config.listener.v3.'],
  ['envoy.api.v2.endpoint.', 'envoy.config.endpoint.v3.'],
  ['envoy.api.v2.cluster.', 'envoy.config.cluster.v3.'],
  ['envoy.api.v2.auth.', 'envoy.extensions.transport_sockets.tls.v3.'],
  ['envoy.api.v2.ratelimit.', 'envoy.extensions.common.ratelimit.v3.'],
  ['envoy.admin.v2alpha.', 'envoy.admin.v3.'],
  ['envoy.config.filter.accesslog.v2.', 'envoy.config.accesslog.v3.'],
  ['envoy.config.filter.network.rate_limit.', 'envoy.extensions.filters.network.ratelimit.'],
  ['envoy.config.filter.http.rate_limit.', 'envoy.extensions.filters.http.ratelimit.'],
  ['envoy.config.filter.network.local_rate_limit.', 'envoy.extensions.filters.network.local_ratelimit.'],
  ['envoy.config.filter.http.transcoder.', 'envoy.extensions.filters.http.grpc_json_transcoder.'],
  ['envoy.config.filter.fault.', 'envoy.extensions.filters.common.fault.'],
  ['envoy.config.filter.thrift.router.', 'envoy.extensions.filters.network.thrift_proxy.router.'],
  ['envoy.config.filter.thrift.rate_limit.', 'envoy.extensions.filters.network.thrift_proxy.filters.ratelimit.'],
  ['envoy.config.filter.thrift.', 'envoy.extensions.filters.network.thrift_proxy.filters.'],
  ['envoy.config.filter.dubbo.router.', 'envoy.extensions.filters.network.dubbo_proxy.router.'],
  ['envoy.config.filter.', 'envoy.extensions.filters.'],
  ['envoy.config.transport_socket.', 'envoy.extensions.transport_sockets.'],
  ['envoy.config.cluster.redis.', 'envoy.extensions.clusters.redis.v3.'],
  ['envoy.config.cluster.', 'envoy.extensions.clusters.'],
  ['envoy.config.common.', 'envoy.extensions.common.'],
  ['envoy.config.retry.previous_priorities.', 'envoy.extensions.retry.priority.previous_priorities.v3.'],
  ['envoy.config.retry.', 'envoy.extensions.retry.host.'],
  ['envoy.config.health_checker.', 'envoy.extensions.health_checkers.'],
  ['envoy.config.resource_monitor.', 'envoy.extensions.resource_monitors.'],
  ['envoy.service.tap.v2alpha.', 'envoy.config.tap.v3.'],
  ['envoy.type.matcher.', 'envoy.type.matcher.v3.'],
  ['envoy.type.metadata.v2.', 'envoy.type.metadata.v3.'],
  ['envoy.type.tracing.v2.', 'envoy.type.tracing.v3.'],
  ['envoy.type.', 'envoy.type.v3.'],
];

/** A `v2`, `v2alpha`, `v2alpha1`, `v1alpha1`, `v3alpha`… package segment. */
const OLD_VERSION = /\.v(?:1alpha\d*|2(?:alpha|beta)?\d*|3alpha)\./;

/**
 * The v3 message name to look a type URL up in the schema with: drops everything up to the last
 * `/` and maps v2-era names (`envoy.api.v2.Cluster`, `envoy.admin.v2alpha.X`, v2 filter configs…)
 * to their v3 successors. Names that need no mapping come back unchanged.
 */
export function messageTypeFromUrl(typeUrl: string): string {
  // Dumps repeat a handful of type URLs thousands of times.
  let messageType = messageTypeCache.get(typeUrl);
  if (messageType === undefined) {
    messageType = mapTypeUrl(typeUrl);
    messageTypeCache.set(typeUrl, messageType);
  }
  return messageType;
}

const messageTypeCache = new Map<string, string>();

function mapTypeUrl(typeUrl: string): string {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  for (const [from, to] of V2_MOVED_MESSAGES) {
    if (name === from || (name.startsWith(from) && name.charAt(from.length) === '.')) return to + name.slice(from.length);
  }
  if (!name.startsWith('envoy.') || name.includes('.v3.')) return name;
  for (const [from, to] of V2_PACKAGES) {
    if (name.startsWith(from)) return (to + name.slice(from.length)).replace(OLD_VERSION, '.v3.');
  }
  return name.replace(OLD_VERSION, '.v3.');
}

// ---- schema loading -------------------------------------------------------------------------

interface Field {
  protoName: string;
  jsonName: string;
  /** `leaf` values (scalars, enums, Structs) are never looked into. */
  kind: 'leaf' | 'message' | 'any';
  /** The message index of a `message` field; for an `any` field, what an Any without `@type` holds, or -1. */
  message: number;
  map: boolean;
}

/** Field lookup by either spelling. */
type Message = ReadonlyMap<string, Field>;

/** What a type name resolves to: a message index, `any`, or `leaf` (JSON scalar, Struct, unknown type). */
type Target = number | 'any' | 'leaf';

interface LoadedSchema {
  schema: EnvoySchema;
  messageIndex: Map<string, number>;
  /** Built on first use of each message. */
  compiled: (Message | undefined)[];
  /** Type name or URL → target, memoized: dumps repeat a handful of URLs millions of times. */
  targets: Map<string, Target>;
}

let loaded: LoadedSchema | undefined;

function schemaData(): LoadedSchema {
  if (loaded !== undefined) return loaded;
  const schema = readSchema();
  const messageIndex = new Map(schema.messages.map((name, index) => [name, index]));
  loaded = { schema, messageIndex, compiled: new Array<Message | undefined>(schema.messages.length), targets: new Map() };
  return loaded;
}

function readSchema(): EnvoySchema {
  const file = new URL('../../generated/envoy-schema.json', import.meta.url);
  let schema: EnvoySchema;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8')) as EnvoySchema;
  } catch (error) {
    throw new Error(`cannot load the Envoy schema ${fileURLToPath(file)} (npm run build generates it)`, { cause: error });
  }
  if (schema.format !== 2) throw new Error(`${fileURLToPath(file)} is stale: npm run build regenerates it`);
  return schema;
}

function compileMessage(data: LoadedSchema, index: number): Message {
  const byName = new Map<string, Field>();
  const encoded = data.schema.fields[index] ?? '';
  for (const entry of encoded === '' ? [] : encoded.split(' ')) {
    const [protoName = '', value = '', flags = '', jsonName = '', untypedAny = ''] = entry.split(':');
    const messageIndex = Number(value);
    const kind = value !== '' && Number.isInteger(messageIndex) ? 'message' : value === 'a' ? 'any' : 'leaf';
    const field: Field = {
      protoName,
      jsonName: jsonName === '' ? defaultJsonName(protoName) : jsonName,
      kind,
      message: kind === 'message' ? messageIndex : untypedAny === '' ? -1 : Number(untypedAny),
      map: (Number(flags) & MAP) !== 0,
    };
    byName.set(protoName, field);
    // A proto name wins over another field's JSON name should the two ever collide.
    if (!byName.has(field.jsonName)) byName.set(field.jsonName, field);
  }
  data.compiled[index] = byName;
  return byName;
}

function resolveTarget(data: LoadedSchema, typeNameOrUrl: string): Target {
  const cached = data.targets.get(typeNameOrUrl);
  if (cached !== undefined) return cached;
  const name = messageTypeFromUrl(typeNameOrUrl);
  const wellKnown = Object.hasOwn(data.schema.wellKnown, name) ? data.schema.wellKnown[name] : undefined;
  let target: Target = 'leaf';
  if (wellKnown === 'a') target = 'any';
  else if (wellKnown === undefined) {
    // The exact message first (the schema keeps the few v2 protos that still load), then its v3
    // successor by rule, then by the protos' own record of renames.
    const exact = typeNameOrUrl.slice(typeNameOrUrl.lastIndexOf('/') + 1);
    const previous = Object.hasOwn(data.schema.previousNames, exact) ? data.schema.previousNames[exact] : undefined;
    target = data.messageIndex.get(exact) ?? data.messageIndex.get(name) ?? previous ?? 'leaf';
  }
  data.targets.set(typeNameOrUrl, target);
  return target;
}

// ---- conversion -----------------------------------------------------------------------------

type JsonObject = Obj;

/** Plain assignment of `__proto__` would set the prototype instead of adding the key. */
function put(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A new object holding the first `count` entries of `source`. */
function copyPrefix(source: JsonObject, count: number): JsonObject {
  const out: JsonObject = {};
  let copied = 0;
  for (const key in source) {
    if (copied++ === count) break;
    put(out, key, source[key]);
  }
  return out;
}

/**
 * Renames the fields of one message and converts their values. Objects and arrays are copied only
 * when something in them changes, so an already converted tree costs no allocation.
 */
function convertMessage(data: LoadedSchema, value: unknown, index: number, toJson: boolean): unknown {
  if (!isObj(value)) return value;
  const message = data.compiled[index] ?? compileMessage(data, index);
  let out: JsonObject | undefined;
  let position = 0;
  for (const key in value) {
    const child = value[key];
    const field = message.get(key);
    let outKey = key;
    let outChild = child;
    if (field !== undefined) {
      outKey = toJson ? field.jsonName : field.protoName;
      if (field.kind !== 'leaf') outChild = convertFieldValue(data, child, field, toJson);
    }
    if (out === undefined && (outKey !== key || outChild !== child)) out = copyPrefix(value, position);
    if (out !== undefined) put(out, outKey, outChild);
    position++;
  }
  return out ?? value;
}

function convertFieldValue(data: LoadedSchema, value: unknown, field: Field, toJson: boolean): unknown {
  if (field.map) {
    if (!isObj(value)) return value;
    let out: JsonObject | undefined;
    let position = 0;
    for (const key in value) {
      const entry = value[key];
      const converted = convertElement(data, entry, field, toJson);
      if (out === undefined && converted !== entry) out = copyPrefix(value, position);
      if (out !== undefined) put(out, key, converted);
      position++;
    }
    return out ?? value;
  }
  if (!Array.isArray(value)) return convertElement(data, value, field, toJson);
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i];
    const converted = convertElement(data, element, field, toJson);
    if (out === undefined && converted !== element) out = value.slice(0, i);
    if (out !== undefined) out.push(converted);
  }
  return out ?? value;
}

function convertElement(data: LoadedSchema, value: unknown, field: Field, toJson: boolean): unknown {
  return field.kind === 'message' ? convertMessage(data, value, field.message, toJson) : convertAny(data, value, field.message, toJson);
}

/**
 * An Any: the message's fields inline next to `@type`, or under `value` when it packs a well-known
 * type. Without `@type` only `untyped` (a message index, or -1) says what it holds.
 */
function convertAny(data: LoadedSchema, value: unknown, untyped: number, toJson: boolean): unknown {
  if (!isObj(value)) return value;
  const typeUrl = value['@type'];
  if (typeof typeUrl !== 'string') return untyped >= 0 ? convertMessage(data, value, untyped, toJson) : value;
  const target = resolveTarget(data, typeUrl);
  if (typeof target === 'number') return convertMessage(data, value, target, toJson);
  if (target === 'leaf') return value;
  // An Any packed in an Any.
  const inner = value['value'];
  const converted = convertAny(data, inner, -1, toJson);
  return converted === inner ? value : { ...value, value: converted };
}

function convertRoot(value: unknown, messageType: string, toJson: boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const data = schemaData();
  const target = resolveTarget(data, messageType);
  if (target === 'any') return convertAny(data, value, -1, toJson);
  return typeof target === 'number' ? convertMessage(data, value, target, toJson) : value;
}

/**
 * Renames every message field of `value` (a `messageType` in either JSON spelling, or a mix) to its
 * proto name, recursing into messages, repeated fields, map values and Anys. Map keys, `@type`,
 * Struct/Value/ListValue contents, unknown fields and unknown Any types are kept as given.
 * `messageType` may be a type URL or a v2 name. Unchanged subtrees are returned as is (shared).
 */
export function canonicalize(value: unknown, messageType: string): unknown {
  return convertRoot(value, messageType, false);
}

/**
 * The proto3 JSON spelling istioctl prints: every message field renamed to its lowerCamelCase
 * json_name, with the same recursion and the same untouched parts as `canonicalize`.
 */
export function toProtoJson(value: unknown, messageType: string): unknown {
  return convertRoot(value, messageType, true);
}
