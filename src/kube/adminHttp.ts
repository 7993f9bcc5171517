// HTTP to an Envoy admin with node:http, over whatever carries it (a TCP connection, or a
// port-forward stream handed over as the request's connection), and the checks every transport shares.
// node:http rather than undici: its parser is built into Node, while undici costs ~25 ms to load and
// keeps the process alive at exit while V8 compiles its WebAssembly parser.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { quoted } from '../util/printable.ts';
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
  /** Content-Length, when Envoy had sent one. */
  readonly declared: number | undefined;
  constructor(cause: unknown, status: number | undefined, received: number, declared: number | undefined) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.status = status;
    this.received = received;
    this.declared = declared;
  }
}

export interface HttpAnswer {
  status: number;
  body: Buffer;
  /** Content-Length, when Envoy sent one. */
  declaredBytes: number | undefined;
}

/** Where one GET goes: an origin (`http://127.0.0.1:15000`), and the connection to use when it is not TCP to that origin. */
export interface HttpTarget {
  origin: URL;
  connection?: Duplex;
}

export type AdminMethod = 'GET' | 'POST';

/**
 * One GET (or POST, without a body) on its own connection, closed at the end (`Connection: close`,
 * no agent): nothing is left open to keep the process alive.
 */
export function httpGet(target: HttpTarget, path: string, signal: AbortSignal, method: AdminMethod = 'GET'): Promise<HttpAnswer> {
  let status: number | undefined;
  let declared: number | undefined;
  let received = 0;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const fail = (error: unknown) => reject(new HttpExchangeError(signal.aborted ? signal.reason : error, status, received, declared));
    const { connection } = target;
    const send = target.origin.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target.origin,
      {
        method,
        path: `/${adminPath(path)}`,
        headers: { accept: '*/*' },
        signal,
        ...(connection ? { createConnection: () => connection } : { agent: false }),
      },
      (response) => {
        status = response.statusCode;
        const length = response.headers['content-length'];
        declared = length === undefined ? undefined : Number(length);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
        });
        // A connection cut mid-body: Node reports "aborted" on the response.
        response.on('error', fail);
        response.on('end', () => {
          if (!response.complete) return fail(new Error('the connection closed before the body was complete'));
          resolve({ status: status ?? 0, body: Buffer.concat(chunks), declaredBytes: declared });
        });
      },
    );
    request.on('error', fail);
    request.end();
  });
}

function expectsJson(path: string): boolean {
  const url = new URL(adminPath(path), 'http://admin/');
  return url.pathname === '/config_dump' || url.pathname === '/server_info' || url.searchParams.get('format') === 'json';
}

/** The checks every transport applies to Envoy's answer: status 200, all the bytes, valid JSON where JSON is due. */
export function checkedResponse(source: string, path: string, answer: HttpAnswer, startedAt: number, method: AdminMethod = 'GET'): AdminResponse {
  const body = answer.body.toString('utf8');
  if (answer.status !== 200) throw new AdminBadStatusError(source, adminPath(path), answer.status, body, method);
  if (answer.declaredBytes !== undefined && answer.declaredBytes !== answer.body.length) {
    throw new AdminBadBodyError(source, adminPath(path), `truncated: ${answer.body.length} of ${answer.declaredBytes} bytes`, method);
  }
  let json: unknown;
  if (expectsJson(path)) {
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw new AdminBadBodyError(source, adminPath(path), whyNotJson(body, answer.body.length, error as Error), method);
    }
  }
  return { path: adminPath(path), body, json, bytes: answer.body.length, ms: Math.round(performance.now() - startedAt), source };
}

/**
 * What is wrong with a body that should be JSON: cut short (it parses up to its very end), or
 * something else altogether, such as a proxy's HTML page, quoted briefly.
 */
function whyNotJson(body: string, bytes: number, error: Error): string {
  const position = /at position (\d+)/.exec(error.message)?.[1];
  const content = body.trimEnd();
  if (content === '') return `empty (${bytes} bytes)`;
  const endsEarly = /end of JSON input/i.test(error.message) || (position !== undefined && Number(position) >= content.length);
  if (endsEarly && /^\s*[{[]/.test(content)) return `truncated: the JSON stops after ${bytes} bytes`;
  return `not JSON (${bytes} bytes, starting ${quoted(content.trimStart(), 40)})`;
}

/**
 * The error for an exchange that broke after Envoy started answering: the body was cut short.
 * `how` says what was seen to close (the default: the connection to Envoy).
 */
export function truncatedError(
  source: string,
  path: string,
  failure: HttpExchangeError,
  method: AdminMethod,
  how = 'the connection closed',
): AdminBadBodyError {
  const of = failure.declared === undefined ? '' : ` of ${failure.declared}`;
  return new AdminBadBodyError(source, adminPath(path), `truncated: ${how} after ${failure.received}${of} bytes`, method);
}

export function logAdminRequest(
  log: Logger | undefined,
  path: string,
  from: string,
  outcome: AdminResponse | Error,
  startedAt: number,
  method: AdminMethod = 'GET',
): void {
  if (!log) return;
  const ms = Math.round(performance.now() - startedAt);
  const result = outcome instanceof Error ? `failed after ${ms} ms: ${outcome.message}` : `${outcome.bytes} bytes in ${ms} ms`;
  log(`${method} /${adminPath(path)} from ${from}: ${result}`);
}

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
  explain(error: unknown, path: string, signal: AbortSignal, method: AdminMethod): Error;
}

/** The EnvoyAdminClient every transport shares: a timeout per GET, Envoy's answer checked, each request logged. */
export function adminClient(spec: AdminClientSpec): EnvoyAdminClient {
  const send = async (path: string, method: AdminMethod): Promise<AdminResponse> => {
    const startedAt = performance.now();
    const signal = AbortSignal.timeout(spec.timeoutMs);
    try {
      const response = checkedResponse(spec.source, path, await spec.fetch(path, signal, method), startedAt, method);
      logAdminRequest(spec.log, path, spec.from, response, startedAt, method);
      return response;
    } catch (error) {
      const failure = spec.explain(error, path, signal, method);
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
