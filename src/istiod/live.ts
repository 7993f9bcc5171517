// Asking a cluster's istiod replicas for their debug data: finds the pods, then asks each through
// the first transport that works (xDS on :15012, HTTP on :15014, exec of pilot-discovery), in
// istioctl's order unless --transport picks one. Loaded only by the commands that talk to istiod.
import { EnvoyscopeError, ExitCode } from '../errors.ts';
import type { IstiodCliOptions } from '../cli/commands/istiodOptions.ts';
import type { CliContext } from '../cli/context.ts';
import { AdminBadStatusError, AdminRefusedError, NotInMeshError } from '../kube/errors.ts';
import { execFailureDetail, unsuccessfulAnswer } from '../kube/execOutcome.ts';
import type { KubeSession, PodRef } from '../kube/index.ts';
import { IstiodNotReadyError, IstiodUnreachableError, NoIstiodError, ProxyNotConnectedError } from './errors.ts';
import { ISTIOD_TRANSPORTS, type IstiodTransport } from './transports.ts';
import { at } from '../util/at.ts';

/** One replica's answer to a debug path. */
export interface ReplicaAnswer {
  replica: string;
  transport: IstiodTransport;
  text: string;
  /** The parsed body; undefined when it is not JSON. */
  json: unknown;
}

export interface IstiodConnection {
  readonly replicas: readonly PodRef[];
  /** The Kubernetes session the replicas were found with, for the commands' other pods. */
  readonly session: KubeSession;
  /**
   * `path` (e.g. `syncz`, `configz`) from every replica. A replica that fails is reported on stderr
   * and left out; when all fail, the first failure is thrown. `partial` says whether any failed.
   */
  askAll(path: string): Promise<ReplicaAnswer[] & { partial?: EnvoyscopeError }>;
  /** `<path>?proxyID=<proxy>` (e.g. `config_dump`, `edsz`) from the replica that holds the proxy's connection. */
  askForProxy(path: string, proxy: string): Promise<ReplicaAnswer>;
  close(): Promise<void>;
}

/** The answer a transport got: istiod's status (where the transport carries one) and its body. */
export interface TransportAnswer {
  status: number;
  body: string;
}

/** One way of asking one istiod replica a debug path (`syncz`, `config_dump?proxyID=x`). */
export type TransportAsk = (pod: PodRef, path: string) => Promise<TransportAnswer>;

const DEFAULT_SELECTORS = ['app=istiod', 'istio=pilot'];
const DEFAULT_PILOT_PORT = 15014;
/** pilot-discovery prints this (with a 404) for a proxy another replica holds. */
const NOT_CONNECTED = /not connected to this Pilot instance/i;

export async function openIstiod(options: IstiodCliOptions, ctx: CliContext): Promise<IstiodConnection> {
  const log = options.verbose ? (line: string) => ctx.io.err.write(`${line}\n`) : undefined;
  // Through import(): the Kubernetes client is loaded by the commands that talk to a cluster only.
  const { connect } = await import('../kube/index.ts');
  const session = await connect({
    timeoutMs: options.timeoutMs,
    env: ctx.env,
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(log ? { log } : {}),
  });
  try {
    const replicas = await findReplicas(session, options);
    return connection(session, replicas, options, ctx, log);
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** Running, ready istiod pods: `--xds-label`, else `app=istiod`, else Pilot's `istio=pilot`; `--revision` narrows. */
async function findReplicas(session: KubeSession, options: IstiodCliOptions): Promise<PodRef[]> {
  const revision = options.revision === undefined ? '' : `,istio.io/rev=${options.revision}`;
  const selectors = (options.selector !== undefined ? [options.selector] : DEFAULT_SELECTORS).map((s) => s + revision);
  for (const selector of selectors) {
    const pods = await session.listPods(options.istioNamespace, selector);
    if (pods.length === 0) continue;
    const ready = pods.filter((pod) => pod.phase === 'Running' && pod.ready !== false);
    if (ready.length === 0)
      throw new IstiodNotReadyError(
        options.istioNamespace,
        pods.map((pod) => `${pod.name}: ${pod.phase}${pod.ready === false ? ', not ready' : ''}`),
      );
    return ready;
  }
  throw new NoIstiodError(options.istioNamespace, selectors);
}

function connection(
  session: KubeSession,
  replicas: PodRef[],
  options: IstiodCliOptions,
  ctx: CliContext,
  log: ((line: string) => void) | undefined,
): IstiodConnection {
  const order: IstiodTransport[] = options.transport === 'auto' ? [...ISTIOD_TRANSPORTS] : [options.transport];
  const transports = transportsFor(session, options);
  /** The transport that worked last for each replica: asked first next time. */
  const working = new Map<string, IstiodTransport>();
  const closers = new Set<() => Promise<void>>();

  const ask = async (pod: PodRef, path: string): Promise<ReplicaAnswer> => {
    // The transport that answered before goes first; the others still follow if it fails now.
    const known = working.get(pod.name);
    const tries = known ? [known, ...order.filter((transport) => transport !== known)] : order;
    const failures: string[] = [];
    for (const transport of tries) {
      const startedAt = performance.now();
      try {
        const { ask: askWith, close } = await transports[transport]();
        if (close) closers.add(close);
        const answer = await askWith(pod, path);
        const ms = Math.round(performance.now() - startedAt);
        log?.(`istiod ${pod.name}: ${transport} /debug/${path}: ${answer.status}, ${answer.body.length} bytes in ${ms} ms`);
        working.set(pod.name, transport);
        if (answer.status === 404 || NOT_CONNECTED.test(answer.body.slice(0, 200))) throw new NotFoundAnswer(pod.name, path, answer.body);
        if (answer.status !== 200)
          throw new EnvoyscopeError(
            `istiod ${pod.name} answered ${answer.status} to /debug/${path}: ${answer.body.trim().split('\n')[0] ?? ''}`,
            ExitCode.ISTIOD_UNREACHABLE,
          );
        return { replica: pod.name, transport, text: answer.body, json: parseOrUndefined(answer.body) };
      } catch (error) {
        if (error instanceof NotFoundAnswer) throw error;
        // A typed failure that is about the cluster, not the transport, ends the search.
        if (!(error instanceof Error)) throw error;
        const line = `${transport}: ${error.message}`;
        log?.(`istiod ${pod.name}: ${line}`);
        failures.push(line);
        // With one transport asked for, its own error says it best.
        if (error instanceof EnvoyscopeError && (isFinal(error) || order.length === 1)) throw error;
      }
    }
    throw new IstiodUnreachableError(pod.name, failures);
  };

  return {
    replicas,
    session,
    async askAll(path) {
      const results = await Promise.allSettled(replicas.map((pod) => ask(pod, path)));
      const answers: ReplicaAnswer[] & { partial?: EnvoyscopeError } = [];
      const failures: unknown[] = [];
      results.forEach((result) => {
        if (result.status === 'fulfilled') answers.push(result.value);
        else failures.push(result.reason);
      });
      // When every replica failed, the first failure is the error (they usually share their cause).
      if (answers.length === 0) throw failures[0];
      results.forEach((result, i) => {
        if (result.status === 'rejected') ctx.io.err.write(`error: istiod ${at(replicas, i).name}: ${(result.reason as Error).message}\n`);
      });
      if (failures.length > 0)
        answers.partial = new EnvoyscopeError(
          `${failures.length} of ${replicas.length} istiod replicas failed (see above): the answer is incomplete`,
          ExitCode.PARTIAL,
        );
      return answers;
    },
    async askForProxy(path, proxy) {
      for (const pod of replicas) {
        try {
          return await ask(pod, `${path}${path.includes('?') ? '&' : '?'}proxyID=${encodeURIComponent(proxy)}`);
        } catch (error) {
          if (!(error instanceof NotFoundAnswer)) throw error;
          log?.(`istiod ${pod.name}: ${proxy} is not connected to it`);
        }
      }
      throw new ProxyNotConnectedError(
        proxy,
        replicas.map((pod) => pod.name),
      );
    },
    async close() {
      const pending = [...closers];
      closers.clear();
      await Promise.allSettled(pending.map((close) => close()));
      await session.close();
    },
  };
}

/** Failures no other transport can fix: the API server refuses us, or the pod went away. */
function isFinal(error: EnvoyscopeError): boolean {
  return ([ExitCode.UNAUTHORIZED, ExitCode.API_UNREACHABLE, ExitCode.TLS_FAILURE, ExitCode.KUBECONFIG] as number[]).includes(error.exitCode);
}

/** istiod answered 404: for a proxy, "not connected to this instance"; otherwise an unknown debug path. */
class NotFoundAnswer extends EnvoyscopeError {
  constructor(pod: string, path: string, body: string) {
    super(`istiod ${pod} answered 404 to /debug/${path}: ${body.trim().split('\n')[0] || '(empty)'}`, ExitCode.ISTIOD_UNREACHABLE);
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type TransportFactory = () => Promise<{ ask: TransportAsk; close?: () => Promise<void> }>;

function transportsFor(session: KubeSession, options: IstiodCliOptions): Record<IstiodTransport, TransportFactory> {
  let xds: ReturnType<TransportFactory> | undefined;
  return {
    // @grpc/grpc-js is loaded only when the xDS transport is tried; one channel per replica, reused.
    xds: () => (xds ??= import('./xds.ts').then((module) => module.xdsTransport(session, options))),
    http: async () => ({
      ask: async (pod, path) => {
        const port = options.pilotPort ?? DEFAULT_PILOT_PORT;
        try {
          const response = await session.podHttp(pod, port).get(`debug/${path}`);
          return { status: 200, body: response.body };
        } catch (error) {
          if (error instanceof AdminBadStatusError) return { status: error.status, body: error.bodyLine };
          if (error instanceof AdminRefusedError) throw new Error(`nothing listens on port ${port} of ${pod.name} (connection refused; --pilot-port?)`);
          throw error;
        }
      },
    }),
    exec: async () => ({ ask: (pod, path) => execRequest(session, pod, path) }),
  };
}

/** `pilot-discovery request GET /debug/<path>` in container `discovery` (istioctl 1.0–1.10's way). */
async function execRequest(session: KubeSession, pod: PodRef, path: string): Promise<TransportAnswer> {
  const outcome = await session.exec(pod, 'discovery', ['pilot-discovery', 'request', 'GET', `/debug/${path}`]).catch((error: unknown) => {
    // The API server's "container not valid" is about the discovery container here, not a sidecar.
    if (error instanceof NotInMeshError) throw new Error(`${pod.name} has no container "discovery" to run pilot-discovery in`);
    throw error;
  });
  if (outcome.status?.status === 'Success') return { status: 200, body: outcome.stdout.toString('utf8') };
  const unsuccessful = unsuccessfulAnswer(outcome.stderr);
  if (unsuccessful) return unsuccessful;
  throw new Error(`pilot-discovery request in ${pod.name}/discovery failed: ${execFailureDetail(outcome)}`);
}
