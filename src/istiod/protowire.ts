// The protobuf binary encoding of the handful of messages the xDS debug transport exchanges with
// istiod (DiscoveryRequest out; DiscoveryResponse, Any and ClientConfig in), decoded straight to
// proto3 JSON (lowerCamelCase names, enum names, RFC 3339 timestamps, Struct as plain JSON).
// Field numbers are those of envoy/service/discovery/v3/discovery.proto, envoy/config/core/v3/base.proto
// and envoy/service/status/v3/csds.proto; test/protowire.test.ts checks them against those files.
// A few hundred bytes of tables instead of protobufjs keeps the runtime free of devDependencies.

type Scalar = 'string' | 'bytes' | 'bool' | 'double' | 'int64' | 'int32' | 'enum';

interface FieldSpec {
  name: string;
  /** A scalar, or the name of a message in MESSAGES. */
  type: Scalar | string;
  repeated?: boolean;
  /** Enum value names by number. */
  values?: readonly string[];
}

const CONFIG_STATUS = ['UNKNOWN', 'SYNCED', 'NOT_SENT', 'STALE', 'ERROR'];
const CLIENT_RESOURCE_STATUS = ['UNKNOWN', 'REQUESTED', 'DOES_NOT_EXIST', 'ACKED', 'NACKED', 'RECEIVED_ERROR', 'TIMEOUT'];

export const MESSAGES: Record<string, Record<number, FieldSpec>> = {
  'envoy.service.discovery.v3.DiscoveryRequest': {
    1: { name: 'versionInfo', type: 'string' },
    2: { name: 'node', type: 'envoy.config.core.v3.Node' },
    3: { name: 'resourceNames', type: 'string', repeated: true },
    4: { name: 'typeUrl', type: 'string' },
    5: { name: 'responseNonce', type: 'string' },
  },
  'envoy.service.discovery.v3.DiscoveryResponse': {
    1: { name: 'versionInfo', type: 'string' },
    2: { name: 'resources', type: 'google.protobuf.Any', repeated: true },
    3: { name: 'canary', type: 'bool' },
    4: { name: 'typeUrl', type: 'string' },
    5: { name: 'nonce', type: 'string' },
    6: { name: 'controlPlane', type: 'envoy.config.core.v3.ControlPlane' },
  },
  'envoy.config.core.v3.ControlPlane': { 1: { name: 'identifier', type: 'string' } },
  'envoy.config.core.v3.Node': {
    1: { name: 'id', type: 'string' },
    2: { name: 'cluster', type: 'string' },
    3: { name: 'metadata', type: 'google.protobuf.Struct' },
    6: { name: 'userAgentName', type: 'string' },
    7: { name: 'userAgentVersion', type: 'string' },
    10: { name: 'clientFeatures', type: 'string', repeated: true },
  },
  'google.protobuf.Any': { 1: { name: 'typeUrl', type: 'string' }, 2: { name: 'value', type: 'bytes' } },
  'google.protobuf.Timestamp': { 1: { name: 'seconds', type: 'int64' }, 2: { name: 'nanos', type: 'int32' } },
  'google.protobuf.Struct': { 1: { name: 'fields', type: 'google.protobuf.Struct.FieldsEntry', repeated: true } },
  'google.protobuf.Struct.FieldsEntry': { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: 'google.protobuf.Value' } },
  'google.protobuf.Value': {
    1: { name: 'nullValue', type: 'enum', values: ['NULL_VALUE'] },
    2: { name: 'numberValue', type: 'double' },
    3: { name: 'stringValue', type: 'string' },
    4: { name: 'boolValue', type: 'bool' },
    5: { name: 'structValue', type: 'google.protobuf.Struct' },
    6: { name: 'listValue', type: 'google.protobuf.ListValue' },
  },
  'google.protobuf.ListValue': { 1: { name: 'values', type: 'google.protobuf.Value', repeated: true } },
  'envoy.service.status.v3.ClientConfig': {
    1: { name: 'node', type: 'envoy.config.core.v3.Node' },
    3: { name: 'genericXdsConfigs', type: 'envoy.service.status.v3.ClientConfig.GenericXdsConfig', repeated: true },
    4: { name: 'clientScope', type: 'string' },
  },
  'envoy.service.status.v3.ClientConfig.GenericXdsConfig': {
    1: { name: 'typeUrl', type: 'string' },
    2: { name: 'name', type: 'string' },
    3: { name: 'versionInfo', type: 'string' },
    5: { name: 'lastUpdated', type: 'google.protobuf.Timestamp' },
    6: { name: 'configStatus', type: 'enum', values: CONFIG_STATUS },
    7: { name: 'clientStatus', type: 'enum', values: CLIENT_RESOURCE_STATUS },
    8: { name: 'errorState', type: 'envoy.admin.v3.UpdateFailureState' },
    9: { name: 'isStaticResource', type: 'bool' },
  },
  'envoy.admin.v3.UpdateFailureState': {
    2: { name: 'lastUpdateAttempt', type: 'google.protobuf.Timestamp' },
    3: { name: 'details', type: 'string' },
    4: { name: 'versionInfo', type: 'string' },
  },
};

/** Exported for the tests that check these names against the .proto files. */
export const ENUMS = { CONFIG_STATUS, CLIENT_RESOURCE_STATUS };

// ---- encoding (DiscoveryRequest) ------------------------------------------------------------

class Writer {
  private readonly chunks: Buffer[] = [];
  varint(value: number): void {
    const bytes: number[] = [];
    let v = value;
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    this.chunks.push(Buffer.from(bytes));
  }
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }
  bytes(field: number, data: Buffer): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.chunks.push(data);
  }
  double(field: number, value: number): void {
    this.tag(field, 1);
    const data = Buffer.alloc(8);
    data.writeDoubleLE(value);
    this.chunks.push(data);
  }
  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Encodes proto3 JSON (lowerCamelCase names) of one of MESSAGES. Struct fields take plain JSON. */
export function encodeMessage(type: string, value: Record<string, unknown>): Buffer {
  if (type === 'google.protobuf.Struct') return encodeStruct(value);
  const spec = MESSAGES[type];
  if (!spec) throw new Error(`protowire: no table for ${type}`);
  const writer = new Writer();
  for (const [number, field] of Object.entries(spec)) {
    const given = value[field.name];
    if (given === undefined) continue;
    for (const item of field.repeated ? (given as unknown[]) : [given]) writeField(writer, Number(number), field, item);
  }
  return writer.finish();
}

function writeField(writer: Writer, number: number, field: FieldSpec, item: unknown): void {
  switch (field.type) {
    case 'string':
      writer.bytes(number, Buffer.from(String(item)));
      return;
    case 'bytes':
      writer.bytes(number, item as Buffer);
      return;
    case 'bool':
      writer.tag(number, 0);
      writer.varint(item ? 1 : 0);
      return;
    case 'enum':
    case 'int32':
    case 'int64':
      writer.tag(number, 0);
      writer.varint(typeof item === 'string' ? Math.max(0, field.values?.indexOf(item) ?? Number(item)) : Number(item));
      return;
    case 'double':
      writer.double(number, Number(item));
      return;
    default:
      writer.bytes(number, encodeMessage(field.type, item as Record<string, unknown>));
  }
}

function encodeStruct(value: Record<string, unknown>): Buffer {
  const writer = new Writer();
  for (const [key, item] of Object.entries(value)) {
    writer.bytes(1, encodeMessage('google.protobuf.Struct.FieldsEntry', { key, value: valueMessage(item) }));
  }
  return writer.finish();
}

function valueMessage(item: unknown): Record<string, unknown> {
  if (item === null) return { nullValue: 0 };
  if (typeof item === 'number') return { numberValue: item };
  if (typeof item === 'boolean') return { boolValue: item };
  if (Array.isArray(item)) return { listValue: { values: item.map(valueMessage) } };
  if (typeof item === 'object') return { structValue: item };
  return { stringValue: String(item) };
}

// ---- decoding -------------------------------------------------------------------------------

class Reader {
  pos = 0;
  readonly buffer: Uint8Array;
  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
  }
  varint(): number {
    let result = 0;
    let shift = 1;
    for (;;) {
      const byte = this.buffer[this.pos++];
      if (byte === undefined) throw new Error('protowire: truncated varint');
      result += (byte & 0x7f) * shift;
      if (byte < 0x80) return result;
      shift *= 128;
    }
  }
  take(length: number): Uint8Array {
    if (this.pos + length > this.buffer.length) throw new Error('protowire: truncated field');
    const slice = this.buffer.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(this.varint());
    else if (wireType === 5) this.take(4);
    else throw new Error(`protowire: unsupported wire type ${wireType}`);
  }
}

/**
 * Decodes `bytes` as `type` into proto3 JSON. Unknown fields are skipped; an Any whose type has a
 * table is inlined (`@type` plus its fields), others keep `@type` and base64 `value`.
 */
export function decodeMessage(type: string, bytes: Uint8Array): unknown {
  if (type === 'google.protobuf.Struct') return decodeStruct(bytes);
  if (type === 'google.protobuf.Value') return decodeValue(bytes);
  if (type === 'google.protobuf.Timestamp') return decodeTimestamp(bytes);
  if (type === 'google.protobuf.Any') return decodeAny(bytes);
  const spec = MESSAGES[type];
  if (!spec) throw new Error(`protowire: no table for ${type}`);
  const out: Record<string, unknown> = {};
  const reader = new Reader(bytes);
  while (reader.pos < bytes.length) {
    const tag = reader.varint();
    const field = spec[Math.floor(tag / 8)];
    const wireType = tag & 7;
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    const value = readField(reader, field, wireType);
    const seen = out[field.name];
    if (!field.repeated) out[field.name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[field.name] = [value];
  }
  return out;
}

function readField(reader: Reader, field: FieldSpec, wireType: number): unknown {
  switch (field.type) {
    case 'string':
      return Buffer.from(reader.take(reader.varint())).toString('utf8');
    case 'bytes':
      return Buffer.from(reader.take(reader.varint()));
    case 'bool':
      return reader.varint() !== 0;
    case 'enum': {
      const number = reader.varint();
      return field.values?.[number] ?? number;
    }
    case 'int32':
    case 'int64':
      return reader.varint();
    case 'double':
      return Buffer.from(reader.take(8)).readDoubleLE(0);
    default:
      if (wireType !== 2) throw new Error(`protowire: ${field.name} is not length-delimited`);
      return decodeMessage(field.type, reader.take(reader.varint()));
  }
}

function decodeStruct(bytes: Uint8Array): Record<string, unknown> {
  const { fields = [] } = decodeMessage('google.protobuf.StructFields', bytes) as { fields?: { key?: string; value?: unknown }[] };
  return Object.fromEntries(fields.map((entry) => [entry.key ?? '', entry.value ?? null]));
}

function decodeValue(bytes: Uint8Array): unknown {
  const value = decodeMessage('google.protobuf.ValueFields', bytes) as Record<string, unknown>;
  if ('structValue' in value) return value['structValue'];
  if ('listValue' in value) return (value['listValue'] as { values?: unknown[] }).values ?? [];
  if ('numberValue' in value) return value['numberValue'];
  if ('stringValue' in value) return value['stringValue'];
  if ('boolValue' in value) return value['boolValue'];
  return null;
}

function decodeTimestamp(bytes: Uint8Array): string {
  const { seconds = 0, nanos = 0 } = decodeMessage('google.protobuf.TimestampFields', bytes) as { seconds?: number; nanos?: number };
  const iso = new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
  if (nanos === 0) return iso;
  // proto3 JSON prints 3, 6 or 9 fractional digits.
  const digits = String(nanos)
    .padStart(9, '0')
    .replace(/(\d{3})(000){1,2}$/, '$1');
  return iso.replace(/Z$/, `.${digits}Z`);
}

function decodeAny(bytes: Uint8Array): Record<string, unknown> {
  const any = decodeMessage('google.protobuf.AnyFields', bytes) as { typeUrl?: string; value?: Buffer };
  const typeUrl = any.typeUrl ?? '';
  const type = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const value = any.value ?? Buffer.alloc(0);
  if (MESSAGES[type]) return { '@type': typeUrl, ...(decodeMessage(type, value) as Record<string, unknown>) };
  return { '@type': typeUrl, value: value.toString('base64') };
}

// The well-known types' own fields, decoded before their JSON mapping applies.
for (const type of ['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.Timestamp', 'google.protobuf.Any']) {
  const spec = MESSAGES[type];
  if (!spec) throw new Error(`protowire: ${type} is missing from MESSAGES`);
  MESSAGES[`${type}Fields`] = spec;
}
