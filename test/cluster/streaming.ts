// Port-forward and exec sessions once the connection is upgraded, as the kubelet runs them:
// WebSocket channel protocols (KUBE.md §2.2–2.4) and SPDY/3.1 streams (§2.5), all over the same
// two primitives: a TCP connection to a pod port, and a command run in a container.

import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import type { WebSocket } from 'ws';
import type { FakePod } from './objects.ts';
import { type ExecIo, type ExecRequest, type ExecResult, runInPod } from './podCommands.ts';
import { SpdySession, type SpdyStream, type SpdyTransport } from './spdy.ts';

/** The kubelet writes stdout/stderr in frames of at most 32 KiB; clients must reassemble. */
const FRAME_BYTES = 32 * 1024;

interface PortSink {
  data(chunk: Buffer): void;
  /** The pod side closed the connection. */
  end(): void;
  /** The connection could not be made; `message` goes on the error stream. */
  fail(message: string): void;
}

interface PodConnection {
  write(chunk: Buffer): void;
  end(): void;
  destroy(): void;
}

/** containerd's text for a port nothing listens on inside the pod's network namespace. */
function refusedMessage(pod: FakePod, port: number): string {
  const namespace = `/var/run/netns/cni-${pod.uid}`;
  return (
    `error forwarding port ${port} to pod ${pod.sandboxId}, uid : failed to execute portforward in network namespace "${namespace}": ` +
    `failed to connect to localhost:${port} inside namespace "${pod.sandboxId}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused ` +
    `IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
  );
}

function connectPodPort(pod: FakePod, port: number, sink: PortSink): PodConnection {
  const localPort = pod.localPort(port);
  if (localPort === undefined) {
    sink.fail(refusedMessage(pod, port));
    return { write() {}, end() {}, destroy() {} };
  }
  const socket = connect(localPort, '127.0.0.1');
  let connected = false;
  socket.on('connect', () => (connected = true));
  socket.on('data', (chunk: Buffer) => sink.data(chunk));
  socket.on('end', () => sink.end());
  socket.on('error', () => (connected ? sink.end() : sink.fail(refusedMessage(pod, port))));
  return {
    write: (chunk) => socket.write(chunk),
    end: () => socket.end(),
    destroy: () => socket.destroy(),
  };
}

const portBytes = (port: number) => Buffer.from([port & 0xff, port >> 8]);

/**
 * `v4.channel.k8s.io` port-forward: port i uses channels 2i (data) and 2i+1 (errors); each starts
 * with the port as uint16 little-endian. One WebSocket is one TCP connection per port.
 */
export function servePortForwardWebSocket(ws: WebSocket, pod: FakePod, ports: number[]): void {
  const send = (channel: number, payload: Buffer) => ws.send(Buffer.concat([Buffer.from([channel]), payload]));
  let open = ports.length;
  const connections = ports.map((port, index) => {
    send(2 * index, portBytes(port));
    send(2 * index + 1, portBytes(port));
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (--open === 0) ws.close(1000);
    };
    let forwarded = 0;
    return connectPodPort(pod, port, {
      data: (chunk) => {
        const room = (pod.portForwardCutAfter ?? Infinity) - forwarded;
        forwarded += chunk.length;
        if (chunk.length <= room) return send(2 * index, chunk);
        if (room > 0) send(2 * index, chunk.subarray(0, room));
        ws.terminate();
      },
      end: finish,
      fail: (message) => {
        send(2 * index + 1, Buffer.from(message));
        finish();
      },
    });
  });
  ws.on('message', (message: Buffer) => {
    const channel = message[0];
    if (channel !== undefined && channel % 2 === 0) connections[channel / 2]?.write(message.subarray(1));
  });
  ws.on('close', () => {
    for (const connection of connections) connection.destroy();
  });
}

/** SPDY port-forward: the client opens an error stream and a data stream per connection, paired by `requestid`. */
export function servePortForwardSpdy(transport: SpdyTransport, pod: FakePod): SpdySession {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  return new SpdySession(transport, (stream) => {
    const requestId = stream.headers.get('requestid') ?? '';
    const type = stream.headers.get('streamtype');
    const pair = pairs.get(requestId) ?? {};
    if (type === 'error') pair.error = stream;
    else if (type === 'data') pair.data = stream;
    else return stream.reset();
    pairs.set(requestId, pair);
    const { error, data } = pair;
    if (!error || !data) return;
    pairs.delete(requestId);
    const connection = connectPodPort(pod, Number(data.headers.get('port')), {
      data: (chunk) => data.write(chunk),
      end: () => {
        data.end();
        error.end();
      },
      fail: (message) => {
        error.write(Buffer.from(message));
        error.end();
        data.end();
      },
    });
    data.on('data', (chunk: Buffer) => connection.write(chunk));
    data.on('end', () => connection.end());
    data.on('reset', () => connection.destroy());
  });
}

function framed(write: (chunk: Buffer) => void): (chunk: Buffer) => void {
  return (chunk) => {
    for (let offset = 0; offset < chunk.length; offset += FRAME_BYTES) write(chunk.subarray(offset, offset + FRAME_BYTES));
  };
}

/**
 * Exec over WebSocket `v4`/`v5.channel.k8s.io`: 0 stdin, 1 stdout, 2 stderr, 3 the final Status,
 * 255 CLOSE (v5 only). The first message is an empty frame on the lowest writable channel.
 */
export function serveExecWebSocket(ws: WebSocket, version: 4 | 5, pod: FakePod, request: ExecRequest): void {
  const send = (channel: number) => (payload: Buffer) => ws.send(Buffer.concat([Buffer.from([channel]), payload]));
  send(request.stdout ? 1 : request.stderr ? 2 : 3)(Buffer.alloc(0));
  const stdin = request.stdin ? new PassThrough() : undefined;
  ws.on('message', (message: Buffer) => {
    if (message[0] === 0) stdin?.write(message.subarray(1));
    else if (version === 5 && message[0] === 255 && message[1] === 0) stdin?.end();
  });
  ws.on('close', () => stdin?.end());
  void runInPod(pod, request, { stdout: framed(send(1)), stderr: framed(send(2)), stdin }).then((result) => {
    send(3)(Buffer.from(JSON.stringify(result)));
    ws.close(1000);
  });
}

/** Exec over SPDY: one stream per `streamtype` (error, stdin, stdout, stderr, resize); the Status goes on the error stream. */
export function serveExecSpdy(transport: SpdyTransport, pod: FakePod, request: ExecRequest): SpdySession {
  const expected = 1 + [request.stdin, request.stdout, request.stderr, request.tty].filter(Boolean).length;
  const streams = new Map<string, SpdyStream>();
  const session = new SpdySession(transport, (stream) => {
    streams.set(stream.headers.get('streamtype') ?? '', stream);
    if (streams.size !== expected) return;
    const stdin = streams.get('stdin') ? new PassThrough() : undefined;
    streams.get('stdin')?.on('data', (chunk: Buffer) => stdin?.write(chunk));
    streams.get('stdin')?.on('end', () => stdin?.end());
    const writer = (type: string) => framed((chunk) => streams.get(type)?.write(chunk));
    const io: ExecIo = { stdout: writer('stdout'), stderr: writer('stderr'), stdin };
    void runInPod(pod, request, io).then((result: ExecResult) => {
      streams.get('error')?.write(Buffer.from(JSON.stringify(result)));
      for (const each of streams.values()) each.end();
      session.close();
    });
  });
  return session;
}
