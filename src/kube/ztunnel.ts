// Which ztunnel a `zc` command talks to, as an operator thinks of it: a ztunnel pod, the ztunnel of
// a node, the ztunnel of an application pod's node, or any ready one.

import { ambientFromPod, isZtunnelPod, NoZtunnelError, ZTUNNEL_SELECTOR, ZtunnelNotReadyError } from './ambient.ts';
import { NamespaceNotFoundError, PodNotFoundError, PodNotRunningError, podLabel } from './errors.ts';
import { toPodRef, type KubeSession } from './session.ts';
import { byLogging, parseTarget, type PodJson } from './target.ts';
import type { PodRef } from './types.ts';

export interface ZtunnelRequest {
  /** A ztunnel pod, or an application pod: `name[.namespace]` (or `deploy/name`, …). */
  target?: string;
  node?: string;
  /** -i/--istio-namespace: where the ztunnel DaemonSet runs. */
  istioNamespace: string;
  /** -n, when given: the namespace of a target without `.namespace`. */
  namespace?: string;
}

export interface ZtunnelChoice {
  ztunnel: PodRef;
  /** Set when the target was an application pod: the workload to show. */
  workload?: { name: string; namespace: string };
  /** What to tell the user on stderr about the choice. */
  notes: string[];
}

/** Every ztunnel pod in the Istio namespace (on `node` when given), kubectl's preferred pod first. */
export async function listZtunnels(session: KubeSession, namespace: string, node?: string): Promise<PodRef[]> {
  const query: Record<string, string> = { labelSelector: ZTUNNEL_SELECTOR, ...(node !== undefined ? { fieldSelector: `spec.nodeName=${node}` } : {}) };
  const list = await session.read<{ items?: PodJson[] }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, query, {
    verb: 'list',
    resource: 'pods',
    namespace,
  });
  return (list?.items ?? []).sort(byLogging).map((pod) => toPodRef(pod, namespace));
}

/** The first ready ztunnel of a list, or the error that says why there is none. */
function readyOne(pods: PodRef[], where: string, namespace: string): PodRef {
  const [first] = pods;
  if (!first) throw new NoZtunnelError(where, namespace);
  if (!first.ready || first.phase !== 'Running') throw new ZtunnelNotReadyError(first);
  return first;
}

async function findPod(session: KubeSession, request: ZtunnelRequest & { target: string }): Promise<PodRef> {
  const target = parseTarget(request.target);
  // As istioctl: a bare pod name without -n is looked for in the Istio namespace first (which -i
  // may name wrongly: the ztunnel lookup then says so).
  if (target.kind === 'pod' && target.namespace === undefined && request.namespace === undefined) {
    try {
      const [pod] = await session.resolveTargets({ target: `${target.name}.${request.istioNamespace}` });
      if (pod) return pod;
    } catch (error) {
      if (!(error instanceof PodNotFoundError || error instanceof NamespaceNotFoundError)) throw error;
    }
  }
  const [pod] = await session.resolveTargets({ target: request.target });
  if (!pod) throw new PodNotFoundError(target.kind, target.name, target.namespace ?? session.namespace);
  return pod;
}

export async function chooseZtunnel(session: KubeSession, request: ZtunnelRequest): Promise<ZtunnelChoice> {
  const { istioNamespace } = request;
  if (request.node !== undefined) {
    return { ztunnel: readyOne(await listZtunnels(session, istioNamespace, request.node), `on node "${request.node}"`, istioNamespace), notes: [] };
  }
  if (request.target === undefined) {
    const ztunnel = readyOne(await listZtunnels(session, istioNamespace), 'at all', istioNamespace);
    return { ztunnel, notes: [`using ztunnel ${podLabel(ztunnel)} on node ${ztunnel.nodeName || '(none)'} (name a pod or --node to choose)`] };
  }
  const pod = await findPod(session, { ...request, target: request.target });
  if (isZtunnelPod(pod)) {
    if (!pod.ready) throw new ZtunnelNotReadyError(pod);
    return { ztunnel: pod, notes: [] };
  }
  if (pod.nodeName === '') throw new PodNotRunningError(pod, pod.phase || undefined);
  const ztunnel = readyOne(
    await listZtunnels(session, istioNamespace, pod.nodeName),
    `on node "${pod.nodeName}" (where ${podLabel(pod)} runs)`,
    istioNamespace,
  );
  const notes = [`pod ${podLabel(pod)} runs on node ${pod.nodeName}, served by ztunnel ${podLabel(ztunnel)}`];
  if (!ambientFromPod(pod) && pod.inMesh)
    notes.push(`pod ${podLabel(pod)} has an istio-proxy sidecar: ztunnel does not capture its traffic ("pc … ${podLabel(pod)}" shows its Envoy)`);
  else if (!ambientFromPod(pod))
    notes.push(
      `pod ${podLabel(pod)} lacks the annotation ambient.istio.io/redirection=enabled: ztunnel does not capture its traffic (is its namespace labelled istio.io/dataplane-mode=ambient?)`,
    );
  return { ztunnel, workload: { name: pod.name, namespace: pod.namespace }, notes };
}
