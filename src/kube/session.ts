// A connection to one cluster: which pods a command means, and their Envoy admins. Loaded only
// through index.ts's connect(), because it pulls in @kubernetes/client-node (the bundle's biggest chunk).

import { UsageError } from '../errors.ts';
import { KubeApi, type Permission } from './apiClient.ts';
import { ApiServerError, ForbiddenError, NamespaceNotFoundError, NoPodsMatchError, NotInMeshError, PodNotFoundError, PodNotRunningError } from './errors.ts';
import { ambientPodError, isZtunnelPod, type NamespaceJson, ZtunnelNotEnvoyError } from './ambient.ts';
import { resolveKubeconfig } from './kubeconfig.ts';
import { execInPod, forwardLocalPort, type LocalForward, podAdmin } from './podAdmin.ts';
import { byLogging, hasSidecar, isReady, type LabelSelector, parseTarget, type PodJson, selectorString, WORKLOAD_API } from './target.ts';
import type { AdminTransport, EnvoyAdminClient, ExecOutcome, Logger, PodRef } from './types.ts';

export interface ConnectOptions {
  /** --kubeconfig */
  kubeconfig?: string;
  /** --context */
  context?: string;
  /** -n/--namespace */
  namespace?: string;
  /** --timeout, for each API request and each admin request. */
  timeoutMs: number;
  /** --verbose */
  log?: Logger;
  /** Default process.env (KUBECONFIG, HOME, in-cluster variables). */
  env?: NodeJS.ProcessEnv;
}

export interface TargetRequest {
  /** `name`, `name.namespace`, `pod/name`, `deployment/name`, `svc/name.namespace`, … */
  target?: string;
  /** -l/--selector: every matching pod. */
  selector?: string;
  /** For a workload target: all of its pods (in kubectl's preference order), not just the first. */
  allPods?: boolean;
  /** -A/--all-namespaces: the selector's pods in every namespace. */
  allNamespaces?: boolean;
}

export interface AdminOptions {
  via: AdminTransport;
  /** --proxy-admin-port, default 15000. */
  adminPort: number;
  /** The admin is not a sidecar's (ztunnel): skip the istio-proxy check. */
  anyContainer?: boolean;
}

export interface KubeSession {
  /** The kubeconfig context in use. */
  readonly context: string;
  /** The namespace used when a target has no `.namespace`: -n, else the context's, else "default". */
  readonly namespace: string;
  /** The API server URL, without credentials. */
  readonly server: string;
  /** One pod for a target (the one kubectl would pick for a workload); every matching pod for a selector. */
  resolveTargets(request: TargetRequest): Promise<PodRef[]>;
  /** The pod's Envoy admin, after checking the pod is Running and in the mesh. */
  admin(pod: PodRef, options: AdminOptions): Promise<EnvoyAdminClient>;
  /** Names of the namespace's pods that have a sidecar, sorted (shell completion). */
  meshPodNames(): Promise<string[]>;
  /** Names of the cluster's namespaces, sorted (shell completion). */
  namespaceNames(): Promise<string[]>;
  /** GET an API object or list (undefined on 404), for lookups beyond pods (ztunnel, namespaces). */
  read<T>(path: string, query: Record<string, string>, permission: Permission): Promise<T | undefined>;
  /** Every pod of `namespace` matching `selector`, sorted by name; none is not an error. */
  listPods(namespace: string, selector: string): Promise<PodRef[]>;
  /** HTTP GETs to any port of a pod (istiod's debug port), each over its own port-forward. */
  podHttp(pod: PodRef, port: number): EnvoyAdminClient;
  /** Runs `command` in `container` of the pod and collects what it printed. */
  exec(pod: PodRef, container: string, command: string[]): Promise<ExecOutcome>;
  /** A local port forwarded to the pod's port, for clients that dial a TCP address (gRPC). */
  forwardPort(pod: PodRef, port: number): Promise<LocalForward>;
  /** A TokenRequest: a short-lived token of the service account for `audience`. */
  requestToken(namespace: string, serviceAccount: string, audience: string): Promise<string>;
  /** A ConfigMap's data, or undefined when there is no such ConfigMap. */
  readConfigMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  close(): Promise<void>;
}

interface PodList {
  items?: PodJson[];
}

export function toPodRef(pod: PodJson, namespace: string): PodRef {
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? namespace,
    phase: pod.status?.phase ?? '',
    inMesh: hasSidecar(pod),
    labels: pod.metadata?.labels ?? {},
    annotations: pod.metadata?.annotations ?? {},
    nodeName: pod.spec?.nodeName ?? '',
    ready: isReady(pod),
  };
}

const segment = encodeURIComponent;

export function openSession(options: ConnectOptions): KubeSession {
  const resolved = resolveKubeconfig({
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  const api = new KubeApi(resolved.kubeConfig, resolved.server, options.timeoutMs, options.log);

  /** Namespaces read so far: the pods of one namespace (a selector's, a fan-out's) ask about it once. */
  const namespaces = new Map<string, Promise<NamespaceJson | undefined>>();
  const readNamespace = (namespace: string): Promise<NamespaceJson | undefined> => {
    let found = namespaces.get(namespace);
    if (!found) {
      found = api.read<NamespaceJson>(`/api/v1/namespaces/${segment(namespace)}`, {}, { verb: 'get', resource: 'namespaces' });
      namespaces.set(namespace, found);
    }
    return found;
  };

  /** Called once a lookup found nothing: a missing namespace explains it better than a missing pod. */
  const requireNamespace = async (namespace: string) => {
    try {
      const found = await readNamespace(namespace);
      if (!found) throw new NamespaceNotFoundError(namespace);
    } catch (error) {
      // Many users may not read namespaces; then the original "not found" stands.
      if (!(error instanceof ForbiddenError)) throw error;
    }
  };

  /** `namespace` undefined: every namespace (kubectl's -A). */
  const listPods = async (namespace: string | undefined, labelSelector: string, describe: string): Promise<PodJson[]> => {
    try {
      const path = namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${segment(namespace)}/pods`;
      const list = await api.read<PodList>(path, { labelSelector }, { verb: 'list', resource: 'pods', ...(namespace === undefined ? {} : { namespace }) });
      return list?.items ?? [];
    } catch (error) {
      if (error instanceof ApiServerError && error.status === 400) throw new UsageError(`${describe} is not a valid label selector: ${error.serverMessage}`);
      throw error;
    }
  };

  const podsForSelector = async (selector: string, namespace: string | undefined): Promise<PodRef[]> => {
    if (selector.trim() === '') throw new UsageError('-l/--selector needs a label selector such as app=reviews');
    const pods = await listPods(namespace, selector, `"${selector}"`);
    if (pods.length === 0) {
      if (namespace === undefined) throw new NoPodsMatchError(`selector "${selector}"`);
      await requireNamespace(namespace);
      throw new NoPodsMatchError(`selector "${selector}"`, namespace);
    }
    return pods.map((pod) => toPodRef(pod, namespace ?? '')).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  };

  const podsForTarget = async (text: string, allPods: boolean): Promise<PodRef[]> => {
    const target = parseTarget(text);
    const namespace = target.namespace ?? resolved.namespace;
    if (target.kind === 'pod') {
      const pod = await api.read<PodJson>(
        `/api/v1/namespaces/${segment(namespace)}/pods/${segment(target.name)}`,
        {},
        { verb: 'get', resource: 'pods', namespace },
      );
      if (!pod) {
        await requireNamespace(namespace);
        throw new PodNotFoundError('pod', target.name, namespace);
      }
      return [toPodRef(pod, namespace)];
    }
    const { prefix, resource } = WORKLOAD_API[target.kind];
    const workload = await api.read<{ spec?: { selector?: LabelSelector | Record<string, string> } }>(
      `${prefix}/namespaces/${segment(namespace)}/${resource}/${segment(target.name)}`,
      {},
      { verb: 'get', resource, namespace },
    );
    if (!workload) {
      await requireNamespace(namespace);
      throw new PodNotFoundError(target.kind, target.name, namespace);
    }
    // A Service selects with a plain label map; the apps workloads with a LabelSelector.
    const selector =
      target.kind === 'service'
        ? selectorString({ matchLabels: (workload.spec?.selector ?? {}) as Record<string, string> })
        : selectorString((workload.spec?.selector ?? {}) as LabelSelector);
    const described = `${target.kind}/${target.name}`;
    if (selector === '') throw new NoPodsMatchError(`${described} (it has no selector)`, namespace);
    const pods = await listPods(namespace, selector, `the selector of ${described}`);
    const sorted = pods.sort(byLogging);
    if (sorted.length === 0) throw new NoPodsMatchError(`${described} (selector ${selector})`, namespace);
    return (allPods ? sorted : sorted.slice(0, 1)).map((pod) => toPodRef(pod, namespace));
  };

  return {
    context: resolved.context,
    namespace: resolved.namespace,
    server: api.server,
    async resolveTargets({ target, selector, allNamespaces, allPods = false }) {
      if (target !== undefined && selector !== undefined) throw new UsageError('give either a pod or -l/--selector, not both');
      if (allNamespaces && selector === undefined) throw new UsageError('-A/--all-namespaces goes with -l/--selector');
      if (selector !== undefined) return podsForSelector(selector, allNamespaces ? undefined : resolved.namespace);
      if (target === undefined) throw new UsageError('name a pod (name[.namespace], deployment/name, …) or pass -l/--selector');
      return podsForTarget(target, allPods);
    },
    async admin(pod, { via, adminPort, anyContainer }) {
      if (pod.phase !== 'Running') throw new PodNotRunningError(pod, pod.phase || undefined);
      if (!anyContainer && isZtunnelPod(pod)) throw new ZtunnelNotEnvoyError(pod);
      if (!anyContainer && !pod.inMesh) throw (await ambientPodError(readNamespace, pod)) ?? new NotInMeshError(pod);
      return podAdmin(api, pod, { via, adminPort, timeoutMs: options.timeoutMs, log: options.log });
    },
    async meshPodNames() {
      const pods = await listPods(resolved.namespace, '', 'all pods');
      return pods
        .filter(hasSidecar)
        .map((pod) => pod.metadata?.name ?? '')
        .filter((name) => name !== '')
        .sort();
    },
    async namespaceNames() {
      const list = await api.read<{ items?: { metadata?: { name?: string } }[] }>('/api/v1/namespaces', {}, { verb: 'list', resource: 'namespaces' });
      return (list?.items ?? [])
        .map((item) => item.metadata?.name ?? '')
        .filter((name) => name !== '')
        .sort();
    },
    read: (path, query, permission) => api.read(path, query, permission),
    async listPods(namespace, selector) {
      const pods = await listPods(namespace, selector, `"${selector}"`);
      return pods.map((pod) => toPodRef(pod, namespace)).sort((a, b) => a.name.localeCompare(b.name));
    },
    podHttp(pod, port) {
      return podAdmin(api, pod, { via: 'port-forward', adminPort: port, timeoutMs: options.timeoutMs, log: options.log });
    },
    exec(pod, container, command) {
      return execInPod(api, pod, container, command, AbortSignal.timeout(options.timeoutMs));
    },
    forwardPort(pod, port) {
      return forwardLocalPort(api, pod, port, options.timeoutMs);
    },
    async requestToken(namespace, serviceAccount, audience) {
      const request = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [audience], expirationSeconds: 3600 } };
      const path = `/api/v1/namespaces/${segment(namespace)}/serviceaccounts/${segment(serviceAccount)}/token`;
      const created = await api.create<{ status?: { token?: string } }>(path, request, { verb: 'create', resource: 'serviceaccounts/token', namespace });
      const token = created?.status?.token;
      if (!token) throw new ApiServerError(api.server, `POST ${path}`, 404, `service account "${serviceAccount}" not found in namespace "${namespace}"`);
      return token;
    },
    async readConfigMap(namespace, name) {
      const found = await api.read<{ data?: Record<string, string> }>(
        `/api/v1/namespaces/${segment(namespace)}/configmaps/${segment(name)}`,
        {},
        { verb: 'get', resource: 'configmaps', namespace },
      );
      return found ? (found.data ?? {}) : undefined;
    },
    // Every request releases its own connections; there is nothing left to close.
    async close() {},
  };
}
