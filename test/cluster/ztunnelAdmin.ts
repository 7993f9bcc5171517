// A ztunnel's admin API (port 15000): its `/config_dump` (one camelCase JSON document, not Envoy's
// sections) and `/logging`, which reads the level on a bare POST and sets it with `?level=`.

import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface ZtunnelSource {
  /** A ztunnel `/config_dump` capture: a file path (read at start) or parsed JSON. */
  dump: string | Json;
}

export class FakeZtunnelAdmin {
  /** false: nothing listens on the admin port. */
  listening = true;
  /** The level `/logging` reports; ztunnel starts at info. */
  level = 'info';
  /** Every request as `METHOD /path?query`, in order. */
  readonly requests: string[] = [];
  private readonly server: Server;
  private readonly dump: Json;

  private constructor(dump: Json) {
    this.dump = dump;
    this.server = createServer((request, response) => this.handle(request, response));
  }

  static async start(source: ZtunnelSource): Promise<FakeZtunnelAdmin> {
    const dump = typeof source.dump === 'string' ? (JSON.parse(await readFile(source.dump, 'utf8')) as Json) : source.dump;
    const admin = new FakeZtunnelAdmin(dump);
    await new Promise<void>((resolve) => admin.server.listen(0, '127.0.0.1', resolve));
    return admin;
  }

  get port(): number | undefined {
    return this.listening ? (this.server.address() as AddressInfo).port : undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://ztunnel-admin');
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    const reply = (status: number, body: string, type = 'text/plain') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (url.pathname === '/config_dump' && request.method === 'GET') {
      reply(200, JSON.stringify(this.dump, null, 2), 'application/json');
    } else if (url.pathname === '/logging' && request.method === 'POST') {
      const level = url.searchParams.get('level');
      if (level !== null) this.level = level;
      reply(200, `current log level is ${this.level}\n`);
    } else if (url.pathname === '/logging') {
      reply(405, 'Invalid HTTP method\n');
    } else {
      reply(404, 'invalid path. admin commands are: /config_dump, /logging, /quitquitquit\n');
    }
  }
}
