// A kube-apiserver that speaks the real wire protocols over HTTPS: bearer-token authentication,
// an RBAC deny list, Status bodies, discovery, reads of pods/services/namespaces/apps workloads
// with label and field selectors, and the pods/portforward and pods/exec upgrades over
// WebSocket (v4/v5 channel protocols), SPDY/3.1 and SPDY tunnelled in a WebSocket.

import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { type FakePod, POD_FIELDS } from './objects.ts';
import type { ExecRequest } from './podCommands.ts';
import { parseFieldSelector, parseLabelSelector, type Selector, SelectorError } from './selectors.ts';
import type { SpdySession, SpdyTransport } from './spdy.ts';
import { Status, type StatusBody } from './status.ts';
import { serveExecSpdy, serveExecWebSocket, servePortForwardSpdy, servePortForwardWebSocket } from './streaming.ts';

type Json = Record<string, unknown>;

/** One RBAC permission the token's user lacks, e.g. `{ verb: 'create', resource: 'pods/portforward' }`. */
export interface DeniedPermission {
  verb: 'get' | 'list' | 'create';
  /** Plural resource, with the subresource after a slash: "pods", "pods/exec", "deployments". */
  resource: string;
  /** Only in this namespace; everywhere when absent. */
  namespace?: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  /** "websocket" or "SPDY/3.1" for upgrades. */
  upgrade?: string;
  /** The protocol the server chose for an upgrade. */
  protocol?: string;
  userAgent?: string;
  /** The TLS connection resumed an earlier session (no full handshake). */
  tlsResumed: boolean;
}

export interface ApiServerState {
  namespaces: Set<string>;
  /** Labels of some namespaces (e.g. istio.io/dataplane-mode=ambient). */
  namespaceLabels?: Record<string, Record<string, string>>;
  pods: FakePod[];
  /** Workload objects by resource plural ("deployments", "services", …). */
  workloads: Map<string, Json[]>;
  token: string;
  user: string;
  deny: DeniedPermission[];
  /** `/version` minor; the kubectl dispatcher picks the kubectl binary from it. */
  minorVersion: string;
  /** Tokens issued by TokenRequest, with the service account and audiences they were issued for. */
  issuedTokens: Map<string, { namespace: string; serviceAccount: string; audiences: string[] }>;
}

const TOKEN_REQUEST_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/;

const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
// `ws` refuses '/' in a subprotocol token; the tunnel protocol goes through under this name and is
// written back into the 101 response.
const TUNNEL_PLACEHOLDER = 'x-envoyscope-spdy-tunnel';
const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const CORE_RESOURCES = [
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list'], shortNames: ['ns'] },
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
  { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'list'], shortNames: ['svc'] },
  { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list'], shortNames: ['cm'] },
  { name: 'serviceaccounts/token', singularName: '', namespaced: true, kind: 'TokenRequest', verbs: ['create'] },
];
const APPS_RESOURCES = [
  { name: 'daemonsets', singularName: 'daemonset', namespaced: true, kind: 'DaemonSet', verbs: ['get', 'list'], shortNames: ['ds'] },
  { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list'], shortNames: ['deploy'] },
  { name: 'replicasets', singularName: 'replicaset', namespaced: true, kind: 'ReplicaSet', verbs: ['get', 'list'], shortNames: ['rs'] },
  { name: 'statefulsets', singularName: 'statefulset', namespaced: true, kind: 'StatefulSet', verbs: ['get', 'list'], shortNames: ['sts'] },
];

class HttpError extends Error {
  readonly status: StatusBody;
  constructor(status: StatusBody) {
    super(status.message);
    this.status = status;
  }
}

const OBJECT_PATH = /^\/(?:api\/v1|apis\/(apps)\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/(exec|portforward))?$/;

interface StoredObject {
  json: Json;
  labels: Record<string, string>;
  /** The fields a field selector may name, e.g. `metadata.name`, `status.phase`. */
  fields: Record<string, string>;
}

interface ObjectRequest {
  group: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: 'exec' | 'portforward' | 'token' | undefined;
}

function parseObjectPath(pathname: string): ObjectRequest | undefined {
  const match = OBJECT_PATH.exec(pathname);
  if (!match) return undefined;
  const [, group = '', namespace, resource = '', name, subresource] = match;
  return { group, namespace, resource, name, subresource: subresource as ObjectRequest['subresource'] };
}

export class FakeApiServer {
  readonly state: ApiServerState;
  readonly requests: RequestRecord[] = [];
  private readonly server: Server;
  private readonly webSockets = new WebSocketServer({ noServer: true, handleProtocols: (_offered, request) => this.chosenProtocols.get(request) ?? false });
  private readonly chosenProtocols = new WeakMap<IncomingMessage, string>();
  private readonly sockets = new Set<Duplex>();

  constructor(state: ApiServerState, tls: { key: string; cert: string }) {
    this.state = state;
    this.server = createServer(tls, (request, response) => this.handleRequest(request, response));
    this.server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(request, socket, head));
    this.webSockets.on('headers', (headers) => {
      const index = headers.indexOf(`Sec-WebSocket-Protocol: ${TUNNEL_PLACEHOLDER}`);
      if (index >= 0) headers[index] = `Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`;
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const client of this.webSockets.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private record(request: IncomingMessage, extra: Partial<RequestRecord> = {}): RequestRecord {
    const url = new URL(request.url ?? '/', 'https://fake');
    const entry: RequestRecord = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
      tlsResumed: (request.socket as TLSSocket).isSessionReused(),
      ...extra,
    };
    this.requests.push(entry);
    return entry;
  }

  private authenticate(request: IncomingMessage): void {
    if (request.headers.authorization !== `Bearer ${this.state.token}`) throw new HttpError(Status.unauthorized());
  }

  private authorize(verb: string, target: ObjectRequest): void {
    const rbacResource = target.subresource ? `${target.resource}/${target.subresource}` : target.resource;
    const denied = this.state.deny.some(
      (rule) => rule.verb === verb && rule.resource === rbacResource && (rule.namespace === undefined || rule.namespace === target.namespace),
    );
    if (!denied) return;
    throw new HttpError(
      Status.forbidden(this.state.user, verb, {
        resource: target.resource,
        group: target.group,
        ...(target.name !== undefined ? { name: target.name } : {}),
        ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
        ...(target.subresource !== undefined ? { subresource: target.subresource } : {}),
      }),
    );
  }

  private handleRequest(request: IncomingMessage, response: ServerResponse): void {
    this.record(request);
    const reply = (code: number, body: unknown) => {
      response.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
      response.end(JSON.stringify(body));
    };
    try {
      this.authenticate(request);
      const tokenRequest = TOKEN_REQUEST_PATH.exec(new URL(request.url ?? '/', 'https://fake').pathname);
      if (request.method === 'POST' && tokenRequest) {
        void this.createToken(request, tokenRequest[1]!, tokenRequest[2]!).then(
          (body) => reply(201, body),
          (error: HttpError) => reply(error.status.code, error.status),
        );
        return;
      }
      if (request.method !== 'GET') throw new HttpError(Status.methodNotAllowed());
      reply(200, this.read(new URL(request.url ?? '/', 'https://fake')));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reply(error.status.code, error.status);
    }
  }

  /** TokenRequest (authentication.k8s.io/v1): a fresh token the fake istiod can check. */
  private async createToken(request: IncomingMessage, namespace: string, serviceAccount: string): Promise<Json> {
    this.authorize('create', { group: '', namespace, resource: 'serviceaccounts', name: serviceAccount, subresource: 'token' });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { spec?: { audiences?: string[] } };
    const token = `fake-sa-token-${randomBytes(8).toString('hex')}`;
    this.state.issuedTokens.set(token, { namespace, serviceAccount, audiences: body.spec?.audiences ?? [] });
    return {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: body.spec ?? {},
      status: { token, expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() },
    };
  }

  private read(url: URL): unknown {
    const discovery = this.discovery(url.pathname);
    if (discovery) return discovery;
    const target = parseObjectPath(url.pathname);
    if (!target) throw new HttpError(Status.unknownPath());
    const known = (target.group === 'apps' ? APPS_RESOURCES : CORE_RESOURCES).some((each) => each.name === target.resource);
    if (!known) throw new HttpError(Status.unknownPath());
    if (target.subresource) throw new HttpError(Status.badRequest('Upgrade request required'));
    if (target.name === undefined) {
      this.authorize('list', target);
      return this.list(target, url.searchParams);
    }
    this.authorize('get', target);
    const found = this.objects(target).find((object) => object.fields['metadata.name'] === target.name);
    if (!found) throw new HttpError(Status.notFound({ resource: target.resource, group: target.group, name: target.name }));
    return found.json;
  }

  private discovery(path: string): unknown {
    const serverAddress = this.server.address() as AddressInfo;
    switch (path) {
      case '/version':
        return {
          major: '1',
          minor: this.state.minorVersion,
          gitVersion: `v1.${this.state.minorVersion}.0-fake`,
          platform: 'linux/amd64',
          goVersion: 'go1.23.0',
          compiler: 'gc',
        };
      case '/api':
        return {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${serverAddress.port}` }],
        };
      case '/apis': {
        const version = { groupVersion: 'apps/v1', version: 'v1' };
        return { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [version], preferredVersion: version }] };
      }
      case '/api/v1':
        return { kind: 'APIResourceList', groupVersion: 'v1', resources: CORE_RESOURCES };
      case '/apis/apps/v1':
        return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: APPS_RESOURCES };
      default:
        return undefined;
    }
  }

  /** A resource's objects in the request's namespace (all namespaces when none), with what selectors match on. */
  private objects(target: ObjectRequest): StoredObject[] {
    const inNamespace = (namespace: string) => target.namespace === undefined || namespace === target.namespace;
    if (target.resource === 'pods') {
      return this.state.pods.filter((pod) => inNamespace(pod.namespace)).map((pod) => ({ json: pod.toJson(), labels: pod.labels, fields: pod.fields }));
    }
    const stored =
      target.resource === 'namespaces'
        ? [...this.state.namespaces].map((name) => namespaceJson(name, this.state.namespaceLabels?.[name]))
        : (this.state.workloads.get(target.resource) ?? []);
    return stored
      .map((json) => {
        const metadata = metadataOf(json);
        const fields = { 'metadata.name': String(metadata.name), 'metadata.namespace': String(metadata.namespace ?? '') };
        return { json, labels: (metadata.labels ?? {}) as Record<string, string>, fields };
      })
      .filter((object) => target.resource === 'namespaces' || inNamespace(object.fields['metadata.namespace']));
  }

  private list(target: ObjectRequest, query: URLSearchParams): Json {
    const objects = this.objects(target);
    let labels: Selector;
    let fields: Selector;
    try {
      labels = parseLabelSelector(query.get('labelSelector'));
      fields = parseFieldSelector(query.get('fieldSelector'), target.resource === 'pods' ? POD_FIELDS : ['metadata.name', 'metadata.namespace']);
    } catch (error) {
      if (error instanceof SelectorError) throw new HttpError(Status.badRequest(error.message));
      throw error;
    }
    const kind = CORE_RESOURCES.concat(APPS_RESOURCES).find((each) => each.name === target.resource)?.kind;
    return {
      kind: `${kind}List`,
      apiVersion: target.group ? `${target.group}/v1` : 'v1',
      metadata: { resourceVersion: '1' },
      items: objects.filter((object) => labels(object.labels) && fields(object.fields)).map((object) => object.json),
    };
  }

  private rejectUpgrade(socket: Duplex, status: StatusBody): void {
    const body = JSON.stringify(status);
    socket.end(
      `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  private handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const upgrade = String(request.headers.upgrade ?? '');
    const record = this.record(request, { upgrade });
    try {
      const { pod, target } = this.podForUpgrade(request, upgrade);
      const url = new URL(request.url ?? '/', 'https://fake');
      const execRequest = target.subresource === 'exec' ? validateExec(pod, url.searchParams) : undefined;
      if (/^websocket$/i.test(upgrade)) {
        const offered = String(request.headers['sec-websocket-protocol'] ?? '')
          .split(',')
          .map((each) => each.trim());
        const protocol = execRequest
          ? offered.find((each) => EXEC_PROTOCOLS.includes(each))
          : offered.find((each) => each === TUNNEL_PROTOCOL || each === 'v4.channel.k8s.io');
        if (!protocol) throw new HttpError(Status.badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]`));
        record.protocol = protocol;
        if (protocol === TUNNEL_PROTOCOL) request.headers['sec-websocket-protocol'] = TUNNEL_PLACEHOLDER;
        this.chosenProtocols.set(request, protocol === TUNNEL_PROTOCOL ? TUNNEL_PLACEHOLDER : protocol);
        this.webSockets.handleUpgrade(request, socket, head, (ws) => {
          if (execRequest) serveExecWebSocket(ws, protocol === 'v5.channel.k8s.io' ? 5 : 4, pod, execRequest);
          else if (protocol === TUNNEL_PROTOCOL) spdyOverWebSocket(ws, (transport) => servePortForwardSpdy(transport, pod));
          else servePortForwardWebSocket(ws, pod, portsOf(url.searchParams));
        });
        return;
      }
      const offered = String(request.headers['x-stream-protocol-version'] ?? '')
        .split(',')
        .map((each) => each.trim());
      const supported = execRequest ? EXEC_PROTOCOLS : ['portforward.k8s.io'];
      const protocol = offered.find((each) => supported.includes(each));
      if (!protocol)
        throw new HttpError(
          Status.badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${supported.join(' ')}]`),
        );
      record.protocol = protocol;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
      const transport = { write: (bytes: Buffer) => socket.write(bytes), close: () => socket.end() };
      const session = execRequest ? serveExecSpdy(transport, pod, execRequest) : servePortForwardSpdy(transport, pod);
      if (head.length > 0) session.receive(head);
      socket.on('data', (chunk: Buffer) => session.receive(chunk));
      socket.on('close', () => session.close());
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.rejectUpgrade(socket, error.status);
    }
  }

  private podForUpgrade(request: IncomingMessage, upgrade: string): { pod: FakePod; target: ObjectRequest } {
    this.authenticate(request);
    const target = parseObjectPath(new URL(request.url ?? '/', 'https://fake').pathname);
    if (target?.resource !== 'pods' || !target.name || !target.subresource || !target.namespace) {
      throw new HttpError(Status.badRequest(`unexpected upgrade request ${request.method} ${request.url}`));
    }
    // A WebSocket upgrade is a GET: Kubernetes ≥ 1.35 checks both `get` and `create`; SPDY is a POST: `create`.
    for (const verb of /^websocket$/i.test(upgrade) ? ['get', 'create'] : ['create']) this.authorize(verb, target);
    const pod = this.state.pods.find((each) => each.name === target.name && each.namespace === target.namespace);
    if (!pod) throw new HttpError(Status.notFound({ resource: 'pods', group: '', name: target.name }));
    if (!pod.nodeName) throw new HttpError(Status.badRequest(`pod ${pod.name} does not have a host assigned`));
    if (pod.phase !== 'Running') throw new HttpError(Status.badRequest(`unable to upgrade connection: pod ${pod.name} is not running`));
    return { pod, target };
  }
}

function metadataOf(object: Json): Json {
  return (object.metadata ?? {}) as Json;
}

function namespaceJson(name: string, labels: Record<string, string> = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid: name, resourceVersion: '1', labels },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function portsOf(query: URLSearchParams): number[] {
  const ports = query
    .getAll('ports')
    .flatMap((value) => value.split(','))
    .map(Number);
  if (ports.length === 0 || ports.some((port) => !Number.isInteger(port) || port <= 0 || port > 65535)) {
    throw new HttpError(Status.badRequest('query parameter "port" is required'));
  }
  return ports;
}

const truthy = (value: string | null) => value === 'true' || value === '1';

/** The API server's checks before an exec upgrade (KUBE.md §2.4). */
function validateExec(pod: FakePod, query: URLSearchParams): ExecRequest {
  const request: ExecRequest = {
    container: query.get('container') ?? '',
    command: query.getAll('command'),
    stdin: truthy(query.get('stdin')),
    stdout: truthy(query.get('stdout')),
    stderr: truthy(query.get('stderr')),
    tty: truthy(query.get('tty')),
  };
  if (!request.stdin && !request.stdout && !request.stderr) throw new HttpError(Status.badRequest('you must specify at least 1 of stdin, stdout, stderr'));
  if (request.command.length === 0) throw new HttpError(Status.badRequest('you must specify at least one command for the container'));
  const containers = pod.containerNames;
  if (request.container === '') {
    if (containers.length !== 1) {
      throw new HttpError(Status.badRequest(`a container name must be specified for pod ${pod.name}, choose one of: [${containers.join(' ')}]`));
    }
    request.container = containers[0]!;
  }
  if (!containers.includes(request.container)) throw new HttpError(Status.badRequest(`container ${request.container} is not valid for pod ${pod.name}`));
  return request;
}

/** kubectl ≥ 1.31 tunnels the SPDY byte stream through binary WebSocket messages, without channel bytes. */
function spdyOverWebSocket(ws: WebSocket, serve: (transport: SpdyTransport) => SpdySession): void {
  const session = serve({ write: (bytes) => ws.send(bytes), close: () => ws.close(1000) });
  ws.on('message', (data: Buffer) => session.receive(data));
  ws.on('close', () => session.close());
}
