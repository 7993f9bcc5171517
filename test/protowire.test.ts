// The xDS transport's hand-written protobuf tables agree with Envoy's .proto files, and its codec
// with protobufjs reading those files.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage, ENUMS, MESSAGES } from '../src/istiod/protowire.ts';

const deps = fileURLToPath(new URL('../node_modules/@grpc/grpc-js-xds/deps/', import.meta.url));
const dirs = [
  ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => join(deps, dir)),
  fileURLToPath(new URL('../node_modules/protobufjs/', import.meta.url)),
];
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => dirs.map((dir) => join(dir, target)).find((path) => existsSync(path)) ?? target;
root.loadSync(['envoy/service/discovery/v3/discovery.proto', 'envoy/service/status/v3/csds.proto'], { keepCase: false });

test('every table field has the number, name and repetition the .proto files declare', () => {
  for (const [type, fields] of Object.entries(MESSAGES)) {
    if (/Fields$|FieldsEntry$/.test(type)) continue;
    const message = root.lookupType(type);
    for (const [number, spec] of Object.entries(fields)) {
      const field = message.fieldsById[Number(number)];
      assert.ok(field, `${type} has no field ${number}`);
      assert.equal(protobuf.util.camelCase(field.name), spec.name, `${type}.${number}`);
      // A map is a repeated entry message on the wire.
      assert.equal(field.repeated || field.map, spec.repeated === true, `${type}.${spec.name} repeated`);
    }
  }
  const names = (enumType: string) =>
    Object.entries(root.lookupEnum(enumType).values)
      .sort((a, b) => a[1] - b[1])
      .map(([name]) => name);
  assert.deepEqual(names('envoy.service.status.v3.ConfigStatus'), ENUMS.CONFIG_STATUS);
  // Newer Envoy APIs than the bundled ones add RECEIVED_ERROR and TIMEOUT after these.
  const known = names('envoy.admin.v3.ClientResourceStatus');
  assert.deepEqual(ENUMS.CLIENT_RESOURCE_STATUS.slice(0, known.length), known);
});

test('a DiscoveryRequest we encode reads back in protobufjs; a response protobufjs encodes decodes to proto3 JSON', () => {
  const Request = root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const request = {
    node: { id: 'sidecar~0.0.0.0~x.ns~ns.svc.cluster.local', metadata: { NAMESPACE: 'ns', N: 2.5, ok: true, list: ['a', null] } },
    typeUrl: 'istio.io/debug',
    resourceNames: ['syncz', 'edsz?proxyID=a.b'],
  };
  const decoded = Request.toObject(Request.decode(encodeMessage('envoy.service.discovery.v3.DiscoveryRequest', request)), { defaults: false });
  assert.deepEqual(decoded['resourceNames'], request.resourceNames);
  assert.equal(decoded['typeUrl'], 'istio.io/debug');
  assert.deepEqual(
    decoded['node'].metadata.fields.list.listValue.values.map((v: Record<string, unknown>) => Object.keys(v)[0]),
    ['stringValue', 'nullValue'],
  );

  const Config = root.lookupType('envoy.service.status.v3.ClientConfig');
  const Response = root.lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  const config = Config.encode(
    Config.fromObject({
      node: { id: 'a.b', metadata: { fields: { ISTIO_VERSION: { stringValue: '1.24' }, N: { numberValue: 3 } } } },
      genericXdsConfigs: [
        { typeUrl: 't', configStatus: 'ERROR', clientStatus: 'NACKED', lastUpdated: { seconds: 1767225600, nanos: 500000000 }, errorState: { details: 'bad' } },
      ],
    }),
  ).finish();
  const bytes = Response.encode(
    Response.fromObject({
      versionInfo: '1',
      resources: [{ type_url: 'type.googleapis.com/envoy.service.status.v3.ClientConfig', value: config }],
      controlPlane: { identifier: 'x' },
    }),
  ).finish();
  assert.deepEqual(decodeMessage('envoy.service.discovery.v3.DiscoveryResponse', bytes), {
    versionInfo: '1',
    resources: [
      {
        '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
        node: { id: 'a.b', metadata: { ISTIO_VERSION: '1.24', N: 3 } },
        genericXdsConfigs: [
          { typeUrl: 't', lastUpdated: '2026-01-01T00:00:00.500Z', configStatus: 'ERROR', clientStatus: 'NACKED', errorState: { details: 'bad' } },
        ],
      },
    ],
    controlPlane: { identifier: 'x' },
  });
});
