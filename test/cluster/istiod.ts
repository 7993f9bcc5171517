// A fake istiod replica speaking its three real interfaces: the ADS gRPC server on :15012 (TLS,
// bearer token checked against the API server's TokenRequests, `istio.io/debug/syncz` answered with
// ClientConfig resources and `istio.io/debug` with the HTTP handler's body), the HTTP debug server
// on :15014 (syncz in the old nonce shape or the newer one with `resources`), and
// `pilot-discovery request` for exec. Messages are encoded by protobufjs from Envoy's own .proto
// files, so envoyscope's hand-written codec is checked against the real thing.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { ExecIo } from './podCommands.ts';
import type { FakePod, PodSpec } from './objects.ts';

type Json = Record<string, unknown>;
export type FakeSyncState = 'SYNCED' | 'STALE' | 'NOT_SENT' | 'ERROR';
export type XdsShort = 'CDS' | 'LDS' | 'RDS' | 'EDS' | 'ECDS';

const TYPE_URLS: Record<XdsShort, string> = {
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  ECDS: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
};
const HTTP_PREFIX: Record<XdsShort, string> = { CDS: 'cluster', LDS: 'listener', RDS: 'route', EDS: 'endpoint', ECDS: 'extensionconfig' };

export interface FakeProxy {
  /** `pod.namespace` */
  id: string;
  clusterId?: string;
  version?: string;
  states: Partial<Record<XdsShort, FakeSyncState>>;
  /** What istiod would send it: served at /debug/config_dump?proxyID=. */
  configDump?: Json;
  /** Its ClusterLoadAssignments: served at /debug/edsz?proxyID=. */
  edsz?: Json[];
}

export interface FakeIstiodSpec {
  name: string;
  namespace?: string;
  proxies: FakeProxy[];
  /** `old`: Istio 1.1's nonces only; `new` (default): with the `resources` map. */
  synczShape?: 'old' | 'new';
  /** Checks an xDS bearer token (the cluster's TokenRequests). */
  acceptsToken: (token: string) => boolean;
  tls: { key: string; cert: string };
}

/** Mutable, so a test can close ports or make the replica refuse. */
export interface FakeIstiodBehavior {
  xdsOpen: boolean;
  httpOpen: boolean;
  /** Answer every debug request with this HTTP status (503: an istiod that refuses). */
  status?: number;
  /** ADS knows `istio.io/debug/syncz` but not the `istio.io/debug` passthrough (as some istiods). */
  xdsDebugUnsupported?: boolean;
}

const PROTO_ROOT = fileURLToPath(new URL('../../node_modules/@grpc/grpc-js-xds/deps/', import.meta.url));
const INCLUDE_DIRS = [
  ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => join(PROTO_ROOT, dir)),
  // google/protobuf/descriptor.proto, which the validation options import.
  fileURLToPath(new URL('../../node_modules/protobufjs/', import.meta.url)),
];
let protos: protobuf.Root | undefined;

function loadProtos(): protobuf.Root {
  if (protos) return protos;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => INCLUDE_DIRS.map((dir) => join(dir, target)).find((path) => existsSync(path)) ?? target;
  root.loadSync(['envoy/service/discovery/v3/discovery.proto', 'envoy/service/status/v3/csds.proto'], { keepCase: false });
  protos = root;
  return root;
}

const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

export class FakeIstiod {
  readonly behavior: FakeIstiodBehavior = { xdsOpen: true, httpOpen: true };
  /** `<transport> <path>` of every question, in order. */
  readonly requests: string[] = [];
  readonly spec: FakeIstiodSpec;
  private readonly http: Server;
  private readonly grpc = new grpc.Server();
  private httpPort = 0;
  private xdsPort = 0;

  private constructor(spec: FakeIstiodSpec) {
    this.spec = spec;
    this.http = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://istiod');
      this.requests.push(`http ${url.pathname}${url.search}`);
      const { status, body } = this.debug(url.pathname.replace(/^\/debug\//, ''), url.searchParams);
      response.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain' });
      response.end(body);
    });
  }

  static async start(spec: FakeIstiodSpec): Promise<FakeIstiod> {
    const istiod = new FakeIstiod(spec);
    await new Promise<void>((resolve) => istiod.http.listen(0, '127.0.0.1', resolve));
    istiod.httpPort = (istiod.http.address() as AddressInfo).port;
    istiod.grpc.addService(adsService(), { StreamAggregatedResources: (call: grpc.ServerDuplexStream<Json, Json>) => istiod.ads(call) });
    const credentials = grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(spec.tls.key), cert_chain: Buffer.from(spec.tls.cert) }], false);
    istiod.xdsPort = await new Promise<number>((resolve, reject) =>
      istiod.grpc.bindAsync('127.0.0.1:0', credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    return istiod;
  }

  /** The pod that runs it: container `discovery`, ports 15012 and 15014 while open. */
  podSpec(extra: Partial<PodSpec> = {}): PodSpec {
    return {
      name: this.spec.name,
      namespace: this.spec.namespace ?? 'istio-system',
      labels: { app: 'istiod', istio: 'pilot' },
      containers: ['discovery'],
      ports: { 15012: () => (this.behavior.xdsOpen ? this.xdsPort : undefined), 15014: () => (this.behavior.httpOpen ? this.httpPort : undefined) },
      ...extra,
    };
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
    this.grpc.forceShutdown();
  }

  /** istiod's debug mux: one handler per path, as pilot/pkg/xds/debug.go answers them. */
  debug(path: string, query: URLSearchParams): { status: number; body: string } {
    if (this.behavior.status !== undefined)
      return { status: this.behavior.status, body: `fake istiod ${this.spec.name}: answering ${this.behavior.status} as told` };
    const proxyId = query.get('proxyID');
    const forProxy = (render: (proxy: FakeProxy) => unknown) => {
      if (!proxyId) return { status: 400, body: 'You must provide a proxyID in the query string' };
      const proxy = this.spec.proxies.find((each) => each.id === proxyId);
      if (!proxy) return { status: 404, body: 'Proxy not connected to this Pilot instance. It may be connected to another instance.' };
      return { status: 200, body: JSON.stringify(render(proxy), null, 2) };
    };
    switch (path) {
      case 'syncz':
        return {
          status: 200,
          body: JSON.stringify(
            this.spec.proxies.map((proxy) => this.synczEntry(proxy)),
            null,
            2,
          ),
        };
      case 'config_dump':
        return forProxy((proxy) => proxy.configDump ?? { configs: [] });
      case 'edsz':
        return forProxy((proxy) => proxy.edsz ?? []);
      case 'connections':
        return {
          status: 200,
          body: JSON.stringify({
            totalClients: this.spec.proxies.length,
            clients: this.spec.proxies.map((proxy) => ({ connectionId: `${proxy.id}-1`, connectedAt: '2026-01-01T00:00:00Z', address: '10.0.0.9:40000' })),
          }),
        };
      default:
        return { status: 404, body: '404 page not found' };
    }
  }

  private synczEntry(proxy: FakeProxy): Json {
    const entry: Json = {
      proxy: proxy.id,
      ...(proxy.clusterId ? { cluster_id: proxy.clusterId } : {}),
      ...(proxy.version ? { istio_version: proxy.version } : {}),
    };
    const resources: Json = {};
    for (const [short, state] of Object.entries(proxy.states) as [XdsShort, FakeSyncState][]) {
      const prefix = HTTP_PREFIX[short];
      const nonces = state === 'SYNCED' ? { sent: 'n2', acked: 'n2' } : state === 'STALE' || state === 'ERROR' ? { sent: 'n2', acked: 'n1' } : {};
      if (nonces.sent) entry[`${prefix}_sent`] = nonces.sent;
      if (nonces.acked) entry[`${prefix}_acked`] = nonces.acked;
      resources[TYPE_URLS[short]] = { ...nonces, sentTime: '2026-01-01T00:00:00Z', ...(state === 'ERROR' ? { lastError: 'rejected by Envoy' } : {}) };
    }
    if (this.spec.synczShape !== 'old') entry['resources'] = resources;
    return entry;
  }

  private ads(call: grpc.ServerDuplexStream<Json, Json>): void {
    const [authorization] = call.metadata.get('authorization');
    const token = String(authorization ?? '').replace(/^Bearer /, '');
    if (!this.spec.acceptsToken(token)) {
      call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'authentication failure' });
      return;
    }
    const root = loadProtos();
    const ClientConfig = root.lookupType('envoy.service.status.v3.ClientConfig');
    call.on('data', (request: Json) => {
      const typeUrl = String(request['typeUrl']);
      const names = (request['resourceNames'] as string[] | undefined) ?? [];
      this.requests.push(`xds ${typeUrl} ${names.join(',')}`.trim());
      if (typeUrl === 'istio.io/debug' && this.behavior.xdsDebugUnsupported) {
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: `unknown type ${typeUrl}` });
        return;
      }
      // protobufjs's bundled google/protobuf/any.proto keeps the proto field name.
      const any = (type: string, value: Uint8Array) => ({ type_url: type, value });
      let resources: { type_url: string; value: Uint8Array }[];
      if (typeUrl === 'istio.io/debug/syncz') {
        resources = this.spec.proxies.map((proxy) =>
          any('type.googleapis.com/envoy.service.status.v3.ClientConfig', ClientConfig.encode(ClientConfig.fromObject(clientConfig(proxy))).finish()),
        );
      } else if (typeUrl === 'istio.io/debug') {
        resources = names.map((name) => {
          const url = new URL(name, 'http://istiod/');
          return any('istio.io/debug', Buffer.from(this.debug(url.pathname.slice(1), url.searchParams).body));
        });
      } else resources = [];
      call.write({
        versionInfo: '1',
        typeUrl,
        nonce: 'n1',
        resources,
        controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: this.spec.name, Info: { version: '1.24.0' } }) },
      });
    });
    call.on('end', () => call.end());
    call.on('error', () => {});
  }
}

function clientConfig(proxy: FakeProxy): Json {
  return {
    node: {
      id: proxy.id,
      metadata: {
        fields: metadataFields({
          CLUSTER_ID: proxy.clusterId ?? 'Kubernetes',
          ISTIO_VERSION: proxy.version ?? '1.24.0',
          NAMESPACE: proxy.id.split('.').at(-1) ?? '',
        }),
      },
    },
    genericXdsConfigs: (Object.entries(proxy.states) as [XdsShort, FakeSyncState][]).map(([short, state]) => ({
      typeUrl: TYPE_URLS[short],
      configStatus: state,
      lastUpdated: { seconds: Date.parse('2026-01-01T00:00:00Z') / 1000 },
    })),
  };
}

function metadataFields(values: Record<string, string>): Json {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { stringValue: value }]));
}

/** The ADS service, its messages (de)serialized by protobufjs from discovery.proto. */
function adsService(): grpc.ServiceDefinition {
  const root = loadProtos();
  const request = root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const response = root.lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  const toObject = (type: protobuf.Type) => (bytes: Buffer) => type.toObject(type.decode(bytes), { longs: Number, enums: String, defaults: false }) as Json;
  const toBytes = (type: protobuf.Type) => (value: Json) => Buffer.from(type.encode(type.fromObject(value)).finish());
  return {
    StreamAggregatedResources: {
      path: ADS_PATH,
      requestStream: true,
      responseStream: true,
      requestSerialize: toBytes(request),
      requestDeserialize: toObject(request),
      responseSerialize: toBytes(response),
      responseDeserialize: toObject(response),
    },
  };
}

/**
 * `pilot-discovery request GET <path>` in container `discovery`: asks istiod's own debug port on
 * localhost and prints the body; like pilot-agent, a status above 399 other than 404 is an error.
 */
export async function pilotDiscovery(pod: FakePod, args: string[], io: ExecIo): Promise<number> {
  const [subcommand, method, path = ''] = args;
  if (subcommand !== 'request' || method !== 'GET') {
    io.stderr(Buffer.from(`Error: unknown command "${subcommand ?? ''}" for "pilot-discovery"\n`));
    return 1;
  }
  const localPort = pod.localPort(15014);
  const url = `http://127.0.0.1:15014${path}`;
  if (localPort === undefined) {
    io.stderr(Buffer.from(`Error: Get "${url}": dial tcp 127.0.0.1:15014: connect: connection refused\n`));
    return 1;
  }
  const answer = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: localPort, path, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
  if (answer.status > 399 && answer.status !== 404) {
    io.stderr(Buffer.from(`Error: received unsuccessful status code ${answer.status}: ${answer.body.toString()}\n`));
    return 1;
  }
  io.stdout(Buffer.concat([answer.body, Buffer.from('\n')]));
  return 0;
}

/**
 * istiod replicas for a scenario's sidecars (for `npm run cluster`): each in-mesh pod is connected
 * to one replica, which would send it exactly its own dump; every other proxy has a STALE CDS.
 */
export async function meshIstiods(
  pods: readonly PodSpec[],
  replicas = 2,
): Promise<{
  istiods: FakeIstiod[];
  pods: PodSpec[];
  configMaps: { name: string; namespace: string; data: Record<string, string> }[];
  trust(tokens: ReadonlyMap<string, { audiences: string[] }>): void;
}> {
  const { readFile } = await import('node:fs/promises');
  const { testPki } = await import('./pki.ts');
  const pki = await testPki();
  let issued: ReadonlyMap<string, { audiences: string[] }> = new Map();
  const proxies = await Promise.all(
    pods
      .filter((pod) => pod.envoy)
      .map(async (pod, i): Promise<FakeProxy> => {
        const dump = pod.envoy!.dump;
        return {
          id: `${pod.name}.${pod.namespace ?? 'default'}`,
          version: '1.24.2',
          states: { CDS: i % 2 === 1 ? 'STALE' : 'SYNCED', LDS: 'SYNCED', RDS: 'SYNCED', EDS: 'SYNCED' },
          configDump: typeof dump === 'string' ? (JSON.parse(await readFile(dump, 'utf8')) as Json) : dump,
        };
      }),
  );
  const istiods = await Promise.all(
    Array.from({ length: replicas }, (_, r) =>
      FakeIstiod.start({
        name: `istiod-5d8f7c9b6-r${r}`,
        proxies: proxies.filter((_, i) => i % replicas === r),
        acceptsToken: (token) => issued.get(token)?.audiences.includes('istio-ca') === true,
        tls: { key: pki.keyPem, cert: pki.certPem },
      }),
    ),
  );
  return {
    istiods,
    pods: istiods.map((istiod) => istiod.podSpec()),
    configMaps: [{ name: 'istio-ca-root-cert', namespace: 'istio-system', data: { 'root-cert.pem': pki.caPem } }],
    trust(tokens) {
      issued = tokens;
    },
  };
}
