// HTTP to an Envoy admin with undici, over whatever carries it (a TCP connection, or a
// port-forward stream handed to undici's connect hook), and the checks every transport shares.

import type { Duplex } from 'node:stream';
import { Client } from 'undici';
import { AdminBadBodyError, AdminBadStatusError } from './errors.ts';
import type { AdminResponse, EnvoyAdminClient, Logger } from './types.ts';

/** `/config_dump?mask=x` → `config_dump?mask=x`, the form pilot-agent and the messages use. */
export function adminPath(path: string): string {
  return path.replace(/^\/+/, '');
}

/** The exchange failed. `status` is set when Envoy had started answering (so the body was cut). */
export class HttpExchangeError extends Error {
  readonly status: number | undefined;
  readonly received: number;
  constructor(cause: unknown, status: number | undefined, received: number) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.status = status;
    this.received = received;
  }
}

export interface HttpAnswer {
  status: number;
  body: Buffer;
  /** Content-Length, when Envoy sent one. */
  declaredBytes: number | undefined;
}

/** One GET (or POST) on a fresh undici Client; the client (and so its connection) is destroyed at the end. */
export async function httpGet(client: Client, path: string, signal: AbortSignal, method: AdminMethod = 'GET'): Promise<HttpAnswer> {
  let status: number | undefined;
  let received = 0;
  try {
    const response = await client.request({ method, path: `/${adminPath(path)}`, signal, headers: { accept: '*/*' } });
    status = response.statusCode;
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    const length = response.headers['content-length'];
    return { status, body: Buffer.concat(chunks), declaredBytes: typeof length === 'string' ? Number(length) : undefined };
  } catch (error) {
    throw new HttpExchangeError(error, status, received);
  } finally {
    await client.destroy().catch(() => {});
  }
}

/**
 * An undici Client whose only connection is `socket` (a port-forward stream). undici must get the
 * socket asynchronously: a synchronous callback leaves undici 7 waiting forever (KUBE.md §1.4).
 */
export function clientOverSocket(socket: Duplex): Client {
  return new Client('http://localhost', {
    pipelining: 0,
    connect: (_options, callback) => {
      // A stream that closed meanwhile would never tell undici: fail the connection instead.
      setImmediate(() => (socket.destroyed ? callback(new Error('the stream closed before the request'), null) : callback(null, socket as never)));
    },
  });
}

function expectsJson(path: string): boolean {
  const url = new URL(adminPath(path), 'http://admin/');
  return url.pathname === '/config_dump' || url.pathname === '/server_info' || url.searchParams.get('format') === 'json';
}

/** The checks every transport applies to Envoy's answer: status 200, all the bytes, valid JSON where JSON is due. */
export function checkedResponse(source: string, path: string, answer: HttpAnswer, startedAt: number): AdminResponse {
  const body = answer.body.toString('utf8');
  if (answer.status !== 200) throw new AdminBadStatusError(source, adminPath(path), answer.status, body);
  if (answer.declaredBytes !== undefined && answer.declaredBytes !== answer.body.length) {
    throw new AdminBadBodyError(source, adminPath(path), `truncated: ${answer.body.length} of ${answer.declaredBytes} bytes`);
  }
  let json: unknown;
  if (expectsJson(path)) {
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw new AdminBadBodyError(source, adminPath(path), `not valid JSON (${answer.body.length} bytes; ${(error as Error).message}): truncated?`);
    }
  }
  return { path: adminPath(path), body, json, bytes: answer.body.length, ms: Math.round(performance.now() - startedAt), source };
}

/** The error for an exchange that broke after Envoy started answering: the body was cut short. */
export function truncatedError(source: string, path: string, failure: HttpExchangeError): AdminBadBodyError {
  return new AdminBadBodyError(source, adminPath(path), `truncated: the connection closed after ${failure.received} bytes (${failure.message})`);
}

export function logAdminRequest(log: Logger | undefined, path: string, from: string, outcome: AdminResponse | Error, startedAt: number, method: AdminMethod = 'GET'): void {
  if (!log) return;
  const ms = Math.round(performance.now() - startedAt);
  const result = outcome instanceof Error ? `failed after ${ms} ms: ${outcome.message}` : `${outcome.bytes} bytes in ${ms} ms`;
  log(`${method} /${adminPath(path)} from ${from}: ${result}`);
}

export type AdminMethod = 'GET' | 'POST';

/** One request through a transport: Envoy's answer as an HTTP status and body. */
export type AdminFetch = (path: string, signal: AbortSignal, method?: AdminMethod) => Promise<HttpAnswer>;

export interface AdminClientSpec {
  /** Names the Envoy in errors: `pod <name>.<ns>` or the URL. */
  source: string;
  /** Names the Envoy and the way to it in --verbose lines. */
  from: string;
  fetch: AdminFetch;
  timeoutMs: number;
  log?: Logger;
  /** Turns a failed fetch into the typed error to report. */
  explain(error: unknown, path: string, signal: AbortSignal): Error;
}

/** The EnvoyAdminClient every transport shares: a timeout per GET, Envoy's answer checked, each request logged. */
export function adminClient(spec: AdminClientSpec): EnvoyAdminClient {
  const send = async (path: string, method: AdminMethod): Promise<AdminResponse> => {
    const startedAt = performance.now();
    const signal = AbortSignal.timeout(spec.timeoutMs);
    try {
      const response = checkedResponse(spec.source, path, await spec.fetch(path, signal, method), startedAt);
      logAdminRequest(spec.log, path, spec.from, response, startedAt, method);
      return response;
    } catch (error) {
      const failure = spec.explain(error, path, signal);
      logAdminRequest(spec.log, path, spec.from, failure, startedAt, method);
      throw failure;
    }
  };
  return {
    source: spec.source,
    get: (path) => send(path, 'GET'),
    post: (path) => send(path, 'POST'),
    // Each get() opens and closes its own connection, so nothing is left to close.
    async close() {},
  };
}
