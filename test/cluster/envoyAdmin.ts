// One pod's Envoy admin API: a local HTTP server that serves a captured config dump the way Envoy
// does, with knobs to make it fail like a sidecar that is not ready, overloaded or cut off.

import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminRequestError, renderClusterStatuses, renderConfigDump, renderServerInfo } from './configDump.ts';

type Json = Record<string, unknown>;

/** Where a pod's Envoy gets its answers: file paths (read at start) or parsed JSON. */
export interface EnvoySource {
  /** A `/config_dump` capture. */
  dump: string | Json;
  /** A `/clusters?format=json` capture; synthesized from the dump's endpoints when absent. */
  clusters?: string | Json;
  /** ClusterLoadAssignments (e.g. Pilot's /debug/edsz) for the dump's EDS clusters, used by include_eds and /clusters. */
  eds?: string | Json[];
}

/** Mutable at any time, so one cluster can play many failures in turn. */
export interface EnvoyBehavior {
  /** false: nothing listens on the admin port, as while the sidecar starts. */
  listening: boolean;
  /** Answer every request with this HTTP status instead. */
  status?: number;
  /** Announce the whole Content-Length, send half the body, then drop the connection. */
  truncate: boolean;
  /** Send half the body, then reset the connection (TCP RST), as a crashing Envoy does. */
  reset?: boolean;
  /** Answer 200 with this body instead (e.g. a proxy's HTML page, or JSON cut short without any sign). */
  body?: string;
  /** Wait this long before answering. */
  delayMs: number;
}

async function load<T>(source: string | T): Promise<T> {
  return typeof source === 'string' ? (JSON.parse(await readFile(source, 'utf8')) as T) : source;
}

function send(response: ServerResponse, status: number, body: string, contentType: string): void {
  response.writeHead(status, { 'content-type': contentType, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache, max-age=0' });
  response.end(body);
}

export class FakeEnvoyAdmin {
  readonly behavior: EnvoyBehavior = { listening: true, truncate: false, delayMs: 0 };
  /** Every path asked for, with its query, in order. */
  readonly requests: string[] = [];
  private readonly server: Server;
  private readonly dump: Json;
  private readonly eds: Json[];
  private readonly clusters: Json | undefined;
  private readonly startedAt = Date.now();

  /** Runs `body` with these knobs set, then puts every knob back as it was (added ones removed). */
  async withBehavior<T>(changes: Partial<EnvoyBehavior>, body: () => Promise<T>): Promise<T> {
    const saved = { ...this.behavior };
    Object.assign(this.behavior, changes);
    try {
      return await body();
    } finally {
      for (const key of Object.keys(this.behavior) as (keyof EnvoyBehavior)[]) delete this.behavior[key];
      Object.assign(this.behavior, saved);
    }
  }

  private constructor(dump: Json, eds: Json[], clusters: Json | undefined) {
    this.dump = dump;
    this.eds = eds;
    this.clusters = clusters;
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  static async start(source: EnvoySource): Promise<FakeEnvoyAdmin> {
    const [dump, eds, clusters] = await Promise.all([
      load(source.dump),
      source.eds === undefined ? [] : load(source.eds),
      source.clusters === undefined ? undefined : load(source.clusters),
    ]);
    const admin = new FakeEnvoyAdmin(dump, eds, clusters);
    await new Promise<void>((resolve) => admin.server.listen(0, '127.0.0.1', resolve));
    return admin;
  }

  /** The local port, or undefined while `behavior.listening` is false. */
  get port(): number | undefined {
    return this.behavior.listening ? (this.server.address() as AddressInfo).port : undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://envoy-admin');
    this.requests.push(url.pathname + url.search);
    if (this.behavior.delayMs > 0) {
      const closed = new Promise((resolve) => response.once('close', resolve));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, this.behavior.delayMs)))]);
      clearTimeout(timer);
      if (request.socket.destroyed) return;
    }
    if (this.behavior.status !== undefined) {
      send(response, this.behavior.status, `fake Envoy admin: answering ${this.behavior.status} as told\n`, 'text/plain');
      return;
    }
    let body: Json;
    try {
      body = this.render(url);
    } catch (error) {
      if (!(error instanceof AdminRequestError)) throw error;
      send(response, error.status, `${error.message}\n`, 'text/plain');
      return;
    }
    const text = this.behavior.body ?? JSON.stringify(body, null, 1);
    if (this.behavior.truncate || this.behavior.reset) {
      const bytes = Buffer.from(text);
      response.writeHead(200, { 'content-type': 'application/json', ...(this.behavior.truncate ? { 'content-length': bytes.length } : {}) });
      const cut = this.behavior.reset ? () => request.socket.resetAndDestroy() : () => response.destroy();
      response.write(bytes.subarray(0, bytes.length >> 1), cut);
      return;
    }
    send(response, 200, text, 'application/json');
  }

  private render(url: URL): Json {
    switch (url.pathname) {
      case '/config_dump':
        return renderConfigDump(this.dump, this.eds, url.searchParams);
      case '/clusters':
        if (url.searchParams.get('format') !== 'json') throw new AdminRequestError(400, 'the fake Envoy admin serves /clusters only as ?format=json');
        return this.clusters ?? renderClusterStatuses(this.dump, this.eds);
      case '/server_info':
        return renderServerInfo(this.dump, Math.round((Date.now() - this.startedAt) / 1000));
      default:
        throw new AdminRequestError(404, `invalid path. admin commands are: /clusters, /config_dump, /server_info`);
    }
  }
}
