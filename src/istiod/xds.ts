// The xDS debug transport, as modern istioctl uses it: a port-forward to istiod's :15012, TLS
// checked against the mesh CA (the istio-ca-root-cert ConfigMap) unless --insecure, a bearer token
// for the `default` service account with audience `istio-ca`, and one ADS DiscoveryRequest per
// question: `istio.io/debug/syncz` (answered with ClientConfig resources) or `istio.io/debug` with
// the debug path as resource name (answered with the HTTP handler's body). @grpc/grpc-js is loaded
// here only, so nothing else pays for it.
import { readFile } from 'node:fs/promises';
import type { ChannelCredentials, Client, ServiceError } from '@grpc/grpc-js';
import type { IstiodCliOptions } from '../cli/commands/istiodOptions.ts';
import { NoInputError } from '../errors.ts';
import { ForbiddenError } from '../kube/errors.ts';
import type { KubeSession, LocalForward, PodRef } from '../kube/index.ts';
import { IstiodTlsError, TokenForbiddenError } from './errors.ts';
import type { TransportAnswer, TransportAsk } from './live.ts';
import { decodeMessage, encodeMessage } from './protowire.ts';

const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const SYNCZ_TYPE = 'istio.io/debug/syncz';
const DEBUG_TYPE = 'istio.io/debug';
const TLS_PROBLEM = /certificate|self[- ]signed|SSL|TLS|handshake/i;

export async function xdsTransport(session: KubeSession, options: IstiodCliOptions): Promise<{ ask: TransportAsk; close: () => Promise<void> }> {
  const loaded = await import('@grpc/grpc-js');
  // A CommonJS package: bundled, its exports arrive as the namespace's default.
  const grpc = 'credentials' in loaded ? loaded : (loaded as unknown as { default: typeof loaded }).default;
  const namespace = options.istioNamespace;
  let credentials: Promise<{ channel: ChannelCredentials; token: string }> | undefined;
  const channels = new Map<string, Promise<{ client: Client; forward: LocalForward }>>();

  const credentialsOnce = () => {
    credentials ??= loadCredentials();
    return credentials;
  };
  const loadCredentials = async () => {
    const [ca, token] = await Promise.all([options.insecure ? undefined : meshCa(session, namespace), bearerToken(session, options)]);
    // The chain is checked against the mesh CA; the name is not, as the address is a local port-forward.
    const channel =
      ca === undefined
        ? grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false })
        : grpc.credentials.createSsl(Buffer.from(ca), null, null, { checkServerIdentity: () => undefined });
    return { channel, token };
  };

  const channelTo = (pod: PodRef) => {
    let channel = channels.get(pod.name);
    if (!channel) {
      channel = (async () => {
        const { channel: tls } = await credentialsOnce();
        const forward = await session.forwardPort(pod, options.xdsPort);
        // The name istiod's certificate carries, for SNI (the address is a local port-forward).
        const authority = `istiod.${namespace}.svc`;
        const client = new grpc.Client(`127.0.0.1:${forward.port}`, tls, { 'grpc.ssl_target_name_override': authority, 'grpc.default_authority': authority });
        return { client, forward };
      })();
      channels.set(pod.name, channel);
    }
    return channel;
  };

  const ask: TransportAsk = async (pod, path) => {
    const [{ token }, { client, forward }] = await Promise.all([credentialsOnce(), channelTo(pod)]);
    const syncz = path === 'syncz';
    const request = {
      node: { id: `sidecar~0.0.0.0~envoyscope.${namespace}~${namespace}.svc.cluster.local`, metadata: { GENERATOR: 'event', NAMESPACE: namespace } },
      typeUrl: syncz ? SYNCZ_TYPE : DEBUG_TYPE,
      resourceNames: syncz ? [] : [path],
    };
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    let response: Record<string, unknown>;
    try {
      response = await firstResponse(client, request, metadata, options.timeoutMs);
    } catch (error) {
      throw explain(error as ServiceError, pod, options.xdsPort, forward, grpc.status);
    }
    return syncz ? { status: 200, body: JSON.stringify(response) } : debugBody(response);
  };

  return {
    ask,
    async close() {
      const open = [...channels.values()];
      channels.clear();
      await Promise.allSettled(
        open.map(async (channel) => {
          const { client, forward } = await channel;
          client.close();
          await forward.close();
        }),
      );
    },
  };
}

/** Sends one DiscoveryRequest on a fresh ADS stream and ends it at the first response. */
function firstResponse(
  client: Client,
  request: Record<string, unknown>,
  metadata: import('@grpc/grpc-js').Metadata,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      ADS_METHOD,
      (message: Record<string, unknown>) => encodeMessage('envoy.service.discovery.v3.DiscoveryRequest', message),
      (bytes: Buffer) => decodeMessage('envoy.service.discovery.v3.DiscoveryResponse', bytes) as Record<string, unknown>,
      metadata,
      { deadline: Date.now() + timeoutMs },
    );
    let done = false;
    call.on('data', (response: Record<string, unknown>) => {
      done = true;
      resolve(response);
      call.cancel();
    });
    call.on('error', (error: ServiceError) => {
      if (!done) reject(error);
    });
    call.on('end', () => {
      if (!done) reject(Object.assign(new Error('istiod closed the stream without an answer'), { code: 2, details: 'no answer' }));
    });
    call.write(request);
  });
}

/** `istio.io/debug` answers with the handler's body as the resource's bytes. */
function debugBody(response: Record<string, unknown>): TransportAnswer {
  const [resource] = (response['resources'] as { value?: string }[] | undefined) ?? [];
  if (!resource) return { status: 404, body: 'istiod sent no resource for this path' };
  return { status: 200, body: Buffer.from(resource.value ?? '', 'base64').toString('utf8') };
}

/** `statusNames`: grpc-js's `status` enum, to name the code (UNAVAILABLE, UNIMPLEMENTED, …). */
function explain(error: ServiceError, pod: PodRef, port: number, forward: LocalForward, statusNames: Record<number, string>): Error {
  const details = error.details || error.message;
  const forwardProblem = forward.lastError();
  if (forwardProblem) return new Error(`port-forward to ${pod.name}:${port} failed: ${forwardProblem}`);
  if (TLS_PROBLEM.test(details)) return new IstiodTlsError(pod.name, details);
  if (error.code === 16) return new Error(`istiod did not accept the bearer token (UNAUTHENTICATED: ${details})`);
  if (error.code === 4) return new Error(`no answer within the timeout (DEADLINE_EXCEEDED)`);
  return new Error(`gRPC ${statusNames[error.code] ?? error.code}: ${details}`);
}

/** The mesh root CA istiod's certificate chains to. */
async function meshCa(session: KubeSession, namespace: string): Promise<string> {
  const data = await session.readConfigMap(namespace, 'istio-ca-root-cert');
  const pem = data?.['root-cert.pem'];
  if (!pem) throw new Error(`no istio-ca-root-cert ConfigMap with root-cert.pem in namespace "${namespace}" (pass --insecure to skip verification)`);
  return pem;
}

async function bearerToken(session: KubeSession, options: IstiodCliOptions): Promise<string> {
  if (options.xdsTokenFile !== undefined) {
    try {
      return (await readFile(options.xdsTokenFile, 'utf8')).trim();
    } catch (error) {
      throw new NoInputError(options.xdsTokenFile, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  try {
    return await session.requestToken(options.istioNamespace, 'default', 'istio-ca');
  } catch (error) {
    if (error instanceof ForbiddenError) throw new TokenForbiddenError(options.istioNamespace, error.serverMessage);
    throw error;
  }
}
