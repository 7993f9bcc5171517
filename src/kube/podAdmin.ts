// A pod's Envoy admin through the API server: port-forward over WebSocket (`v4.channel.k8s.io`,
// one WebSocket per request, HTTP by node:http over the forwarded stream) or exec of
// `pilot-agent request GET <path>` in the istio-proxy container (`v5`/`v4.channel.k8s.io`).
// Each get() opens and closes its own WebSocket, so nothing outlives it.

import { createServer, type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { adminClient, type AdminFetch, type AdminMethod, adminPath, HttpExchangeError, httpGet, truncatedError } from './adminHttp.ts';
import type { FailedStatus, KubeApi } from './apiClient.ts';
import {
  AdminBadBodyError,
  AdminBadStatusError,
  AdminRefusedError,
  ExecFailedError,
  KubeTimeoutError,
  NotInMeshError,
  PodNotFoundError,
  PodNotRunningError,
  podLabel,
} from './errors.ts';
import { execFailureDetail, unsuccessfulAnswer } from './execOutcome.ts';
import { SIDECAR_CONTAINER } from './target.ts';
import type { AdminTransport, EnvoyAdminClient, ExecOutcome, Logger, PodRef } from './types.ts';

export const DEFAULT_ADMIN_PORT = 15000;
/** The Host of requests through a port-forward: Envoy sees them come from inside the pod. */
const PORT_FORWARD_ORIGIN = new URL('http://localhost');

export interface PodAdminOptions {
  via: AdminTransport;
  adminPort: number;
  timeoutMs: number;
  log?: Logger | undefined;
}

/** The data channel of one port-forward WebSocket, as the connection of one HTTP request. */
class PortForwardSocket extends Duplex {
  /** What the kubelet wrote on the error channel: it could not connect to the pod port. */
  errorText = '';
  /**
   * The WebSocket broke (1006: no close frame) rather than closed: the kubelet closes it properly
   * when Envoy ends the connection, so a break is the API server or the network dropping it.
   */
  broke = false;
  private readonly ws: WebSocket;
  // Each channel's stream starts with the port number (uint16), which is not data.
  private readonly prefixLeft: [number, number] = [2, 2];

  constructor(ws: WebSocket) {
    super();
    this.ws = ws;
    ws.on('message', (message: Buffer) => this.receive(message));
    // The kubelet closes the WebSocket when the pod side closes; that is the end of the stream.
    ws.on('close', (code: number) => {
      this.broke = code === 1006;
      if (!this.destroyed) this.push(null);
    });
  }

  private receive(message: Buffer): void {
    const channel = message[0];
    if (channel !== 0 && channel !== 1) return;
    const skip = Math.min(this.prefixLeft[channel], message.length - 1);
    this.prefixLeft[channel] -= skip;
    const payload = message.subarray(1 + skip);
    if (payload.length === 0) return;
    if (channel === 0) {
      this.push(payload);
      return;
    }
    // Closing (rather than failing) the stream: the HTTP request may not listen for errors yet; the caller reads errorText.
    this.errorText += payload.toString('utf8');
    this.destroy();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.ws.send(Buffer.concat([Buffer.from([0]), chunk]), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.ws.close(1000);
    callback(error);
  }

  /** Ends the stream without waiting for the closing handshake, which a stuck API server would hold up for 30 s. */
  abandon(): void {
    this.ws.terminate();
    this.destroy();
  }

  // node:http calls these on its connections as on a net.Socket.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** A refused upgrade whose Status says something about the pod itself. */
function explainRefusedUpgrade(pod: PodRef, status: FailedStatus): Error | undefined {
  if (status.code === 404) return new PodNotFoundError('pod', pod.name, pod.namespace);
  if (status.code !== 400) return undefined;
  if (/does not have a host assigned|not running/i.test(status.message)) return new PodNotRunningError(pod, undefined);
  if (/container .*(not valid|not found)/i.test(status.message)) return new NotInMeshError(pod);
  return undefined;
}

function openPodStream(api: KubeApi, pod: PodRef, subresource: 'portforward' | 'exec', query: URLSearchParams, protocols: string[], signal: AbortSignal) {
  const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/${subresource}`;
  const permission = { verb: 'create', resource: `pods/${subresource}`, namespace: pod.namespace };
  return api.openWebSocket(path, query, protocols, permission, signal, (status) => explainRefusedUpgrade(pod, status));
}

export function podAdmin(api: KubeApi, pod: PodRef, options: PodAdminOptions): EnvoyAdminClient {
  const from = `${podLabel(pod)} via ${options.via} (admin port ${options.adminPort})`;
  const source = `pod ${podLabel(pod)}`;
  return adminClient({
    source,
    from,
    fetch: options.via === 'exec' ? execFetch(api, pod, source, options) : portForwardFetch(api, pod, source, options),
    timeoutMs: options.timeoutMs,
    ...(options.log ? { log: options.log } : {}),
    // The transports already throw typed errors; only the timeout needs naming here.
    explain: (error, path, signal) =>
      signal.aborted ? new KubeTimeoutError(`fetching /${adminPath(path)} from ${from}`, options.timeoutMs) : (error as Error),
  });
}

function portForwardFetch(api: KubeApi, pod: PodRef, source: string, options: PodAdminOptions): AdminFetch {
  return async (path, signal, method = 'GET') => {
    const query = new URLSearchParams({ ports: String(options.adminPort) });
    const ws = await openPodStream(api, pod, 'portforward', query, ['v4.channel.k8s.io'], signal);
    const socket = new PortForwardSocket(ws);
    try {
      const answer = await httpGet({ origin: PORT_FORWARD_ORIGIN, connection: socket }, path, signal, method);
      socket.destroy();
      return answer;
    } catch (error) {
      const { broke } = socket;
      socket.abandon();
      if (!(error instanceof HttpExchangeError)) throw error;
      const errorText = socket.errorText.trim();
      if (errorText) throw AdminRefusedError.forPod(pod, options.adminPort, /connection refused/.test(errorText) ? undefined : errorText);
      if (error.status !== undefined) throw truncatedError(source, path, error, method, broke ? 'the port-forward through the API server broke' : undefined);
      throw new AdminBadBodyError(source, adminPath(path), `the port-forward closed before Envoy answered (${error.message})`, method);
    }
  };
}

function execFetch(api: KubeApi, pod: PodRef, source: string, options: PodAdminOptions): AdminFetch {
  return async (path, signal, method = 'GET') => {
    const portFlag = options.adminPort === DEFAULT_ADMIN_PORT ? [] : ['--debug-port', String(options.adminPort)];
    const command = ['pilot-agent', 'request', method, adminPath(path), ...portFlag];
    const outcome = await execInPod(api, pod, SIDECAR_CONTAINER, command, signal);
    if (outcome.status?.status !== 'Success') throw explainExecFailure(pod, source, path, method, options.adminPort, outcome);
    // pilot-agent prints the body with fmt.Println: one newline too many.
    const body = outcome.stdout.at(-1) === 0x0a ? outcome.stdout.subarray(0, -1) : outcome.stdout;
    return { status: 200, body, declaredBytes: undefined };
  };
}

/** A local TCP port whose connections are each port-forwarded to the pod's port (as `kubectl port-forward`). */
export interface LocalForward {
  port: number;
  /** What the kubelet or API server last said when a connection could not be forwarded ('' when none failed). */
  lastError(): string;
  close(): Promise<void>;
}

export async function forwardLocalPort(api: KubeApi, pod: PodRef, remotePort: number, timeoutMs: number): Promise<LocalForward> {
  let lastError = '';
  const streams = new Set<Duplex>();
  const server = createServer((connection) => {
    streams.add(connection);
    connection.on('close', () => streams.delete(connection));
    connection.on('error', () => connection.destroy());
    const query = new URLSearchParams({ ports: String(remotePort) });
    openPodStream(api, pod, 'portforward', query, ['v4.channel.k8s.io'], AbortSignal.timeout(timeoutMs)).then(
      (ws) => {
        const stream = new PortForwardSocket(ws);
        streams.add(stream);
        stream.on('close', () => {
          streams.delete(stream);
          if (stream.errorText) lastError = stream.errorText.trim();
          connection.destroy();
        });
        connection.on('close', () => stream.destroy());
        connection.pipe(stream).pipe(connection);
      },
      (error: Error) => {
        lastError = error.message;
        connection.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    lastError: () => lastError,
    async close() {
      for (const stream of streams) stream.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Runs a command in a container of the pod (no stdin) and collects its output and final Status. */
export async function execInPod(api: KubeApi, pod: PodRef, container: string, command: string[], signal: AbortSignal): Promise<ExecOutcome> {
  const query = new URLSearchParams([
    ...command.map((arg): [string, string] => ['command', arg]),
    ['container', container],
    ['stdout', 'true'],
    ['stderr', 'true'],
  ]);
  const ws = await openPodStream(api, pod, 'exec', query, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], signal);
  return collectExec(ws, signal);
}

/** pilot-agent's stderr says what went wrong between it and Envoy (istio pilot/pkg/request/command.go). */
function explainExecFailure(pod: PodRef, source: string, path: string, method: AdminMethod, adminPort: number, outcome: ExecOutcome): Error {
  const { stderr } = outcome;
  const unsuccessful = unsuccessfulAnswer(stderr);
  if (unsuccessful) return new AdminBadStatusError(source, adminPath(path), unsuccessful.status, unsuccessful.body, method);
  if (/connection refused/.test(stderr)) return AdminRefusedError.forPod(pod, adminPort);
  if (/unexpected EOF/.test(stderr)) {
    return new AdminBadBodyError(source, adminPath(path), 'truncated: pilot-agent read an incomplete answer (unexpected EOF)', method);
  }
  return new ExecFailedError(source, execFailureDetail(outcome));
}

/** Reads an exec session to its end: stdout (channel 1), stderr (2) and the final Status (3). */
function collectExec(ws: WebSocket, signal: AbortSignal): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let statusText = '';
    const onAbort = () => {
      ws.terminate();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('message', (message: Buffer) => {
      const payload = message.subarray(1);
      if (message[0] === 1) stdout.push(payload);
      else if (message[0] === 2) stderr.push(payload);
      else if (message[0] === 3) statusText += payload.toString('utf8');
    });
    ws.on('close', () => {
      signal.removeEventListener('abort', onAbort);
      let status: ExecOutcome['status'];
      try {
        status = statusText ? (JSON.parse(statusText) as ExecOutcome['status']) : undefined;
      } catch {
        status = { message: statusText };
      }
      resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), status });
    });
  });
}
