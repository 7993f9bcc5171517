// The few API server calls envoyscope makes: GETs of JSON objects and WebSocket upgrades for
// port-forward and exec. client-node supplies TLS options and credentials (exec plugins, OIDC,
// token files); the requests themselves are made here so that every failure keeps the API
// server's Status and maps to one typed error (client-node's WebSocket loses it, KUBE.md §1.6).

import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import WebSocket from 'ws';
import { EnvoyscopeError } from '../errors.ts';
import { ApiServerError, ApiUnreachableError, ForbiddenError, KubeconfigError, KubeTimeoutError, TlsFailureError, UnauthorizedError } from './errors.ts';
import type { Logger } from './types.ts';

const USER_AGENT = 'envoyscope';
const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH/;

/** Options for https.request and for `ws`, which hands them on to tls.connect. */
type ApiRequestOptions = RequestOptions & Pick<ConnectionOptions, 'secureContext'>;

/** What RBAC must allow for a request, to name it when the API server answers 403. */
export interface Permission {
  verb: string;
  /** As RBAC spells it: "pods", "pods/portforward", "deployments". */
  resource: string;
  namespace?: string;
}

/** A failed request's HTTP status and the message of its `Status` body. */
export interface FailedStatus {
  code: number;
  message: string;
}

function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not a Status: a proxy or load balancer in front of the API server answered.
  }
  return body.trim().split('\n')[0]?.slice(0, 200) || '(no message)';
}

export class KubeApi {
  /** The API server URL for messages: without credentials or a trailing slash. */
  readonly server: string;
  private readonly baseUrl: string;
  private readonly kubeConfig: KubeConfig;
  private readonly timeoutMs: number;
  private readonly log: Logger | undefined;
  private options: Promise<ApiRequestOptions> | undefined;

  constructor(kubeConfig: KubeConfig, server: string, timeoutMs: number, log: Logger | undefined) {
    this.kubeConfig = kubeConfig;
    this.baseUrl = server.replace(/\/+$/, '');
    const display = new URL(server);
    display.username = '';
    display.password = '';
    this.server = display.href.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
    this.log = log;
  }

  /** GET a JSON object or list; undefined when the API server says 404. */
  read<T>(path: string, query: Record<string, string>, permission: Permission): Promise<T | undefined> {
    return this.send<T>('GET', path, query, permission, undefined);
  }

  /** POST a JSON object (a TokenRequest); the created object, or undefined when the API server says 404. */
  create<T>(path: string, body: unknown, permission: Permission): Promise<T | undefined> {
    return this.send<T>('POST', path, {}, permission, JSON.stringify(body));
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    permission: Permission,
    payload: string | undefined,
  ): Promise<T | undefined> {
    const url = this.url(path, query);
    const signal = AbortSignal.timeout(this.timeoutMs);
    const startedAt = performance.now();
    const readableQuery = [...url.searchParams].map(([key, value]) => `${key}=${value}`).join('&');
    const logRequest = (outcome: string) => this.log?.(`${method} ${this.server}${path}${readableQuery ? `?${readableQuery}` : ''}: ${outcome}`);
    let connected = false;
    try {
      const options = await this.requestOptions();
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const secure = url.protocol === 'https:';
        const headers = {
          ...options.headers,
          accept: 'application/json',
          'user-agent': USER_AGENT,
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        };
        const request = (secure ? httpsRequest : httpRequest)(url, { ...options, method, headers, signal }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        });
        request.on('socket', (socket) => socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true)));
        request.on('error', reject);
        request.end(payload);
      });
      logRequest(`${status} in ${Math.round(performance.now() - startedAt)} ms`);
      if (status === 200 || status === 201) return JSON.parse(body) as T;
      if (status === 404) return undefined;
      throw this.statusError({ code: status, message: statusMessage(body) }, `${method} ${path}`, permission);
    } catch (error) {
      const failure = this.networkError(error, signal, connected, `${method} ${path}`);
      if (!(error instanceof EnvoyscopeError)) logRequest(`failed after ${Math.round(performance.now() - startedAt)} ms: ${failure.message}`);
      throw failure;
    }
  }

  /**
   * Opens a WebSocket to a pods/portforward or pods/exec endpoint. A refused upgrade becomes the
   * error `explain` returns for its Status (e.g. 404 → pod not found), else the generic mapping.
   */
  async openWebSocket(
    path: string,
    query: URLSearchParams,
    protocols: string[],
    permission: Permission,
    signal: AbortSignal,
    explain: (status: FailedStatus) => Error | undefined,
  ): Promise<WebSocket> {
    const url = this.url(path, query);
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    const options = await this.requestOptions();
    const what = `the ${permission.resource} upgrade`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { ...options, headers: { ...options.headers, 'user-agent': USER_AGENT }, perMessageDeflate: false });
      let settled = false;
      const onAbort = () => fail(new KubeTimeoutError(`opening ${what} at ${this.server}`, this.timeoutMs));
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        ws.terminate();
        reject(error);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const status = { code: response.statusCode ?? 0, message: statusMessage(Buffer.concat(chunks).toString('utf8')) };
          fail(explain(status) ?? this.statusError(status, what, permission));
        });
      });
      ws.on('error', (error) => fail(this.networkError(error, signal, true, what)));
      ws.on('open', () => {
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(ws);
      });
    });
  }

  private url(path: string, query: Record<string, string> | URLSearchParams): URL {
    const url = new URL(`${this.baseUrl}${path}`);
    url.search = new URLSearchParams(query).toString();
    return url;
  }

  /**
   * TLS material and credentials, worked out once for every request of the command (exec
   * credential plugins run here): one TLS context and one agent, whose TLS sessions later
   * connections resume, instead of a new context per pod when fanning out.
   */
  private requestOptions(): Promise<ApiRequestOptions> {
    this.options ??= this.loadRequestOptions();
    return this.options;
  }

  private async loadRequestOptions(): Promise<ApiRequestOptions> {
    const options: RequestOptions = {};
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      const detail = (error as Error).message.trim().split('\n')[0] ?? '';
      const user = this.kubeConfig.getCurrentUser();
      if (user?.exec || user?.authProvider)
        throw new UnauthorizedError(this.server, `getting a token from the kubeconfig user's credential plugin failed: ${detail}`);
      throw new KubeconfigError(`cannot use the kubeconfig's cluster or user: ${detail}`);
    }
    const { ca, cert, key, pfx, passphrase } = options;
    return { ...options, secureContext: createSecureContext({ ca, cert, key, pfx, passphrase }) };
  }

  private statusError(status: FailedStatus, request: string, permission: Permission): Error {
    switch (status.code) {
      case 401:
        return new UnauthorizedError(this.server);
      case 403:
        return new ForbiddenError(permission.verb, permission.resource, permission.namespace, status.message);
      default:
        return new ApiServerError(this.server, request, status.code, status.message);
    }
  }

  private networkError(error: unknown, signal: AbortSignal, connected: boolean, request: string): Error {
    if (error instanceof EnvoyscopeError) return error;
    if (signal.aborted) {
      return connected
        ? new KubeTimeoutError(`waiting for the Kubernetes API server at ${this.server} to answer ${request}`, this.timeoutMs)
        : new ApiUnreachableError(this.server, `no connection within ${this.timeoutMs} ms`);
    }
    const { code = '', message } = error as NodeJS.ErrnoException;
    // Node 24 appends advice about the system CA store, which is beside the point for a kubeconfig CA.
    if (TLS_FAILURE.test(code) || /certificate/i.test(message))
      return new TlsFailureError(this.server, message.replace(/; if the root CA is installed locally.*$/, ''));
    return new ApiUnreachableError(this.server, message);
  }
}
