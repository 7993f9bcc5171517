// Pod arguments as istioctl and kubectl take them, and the way kubectl picks "the" pod of a
// workload. Pure functions over API JSON; no client, no I/O.

import { UsageError } from '../errors.ts';

export type TargetKind = 'pod' | 'deployment' | 'statefulset' | 'daemonset' | 'replicaset' | 'service';

export interface Target {
  kind: TargetKind;
  name: string;
  /** From a `.namespace` suffix; overrides -n. */
  namespace?: string;
}

const KIND_ALIASES: Record<string, TargetKind> = {
  pod: 'pod',
  pods: 'pod',
  po: 'pod',
  deployment: 'deployment',
  deployments: 'deployment',
  deploy: 'deployment',
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
  sts: 'statefulset',
  daemonset: 'daemonset',
  daemonsets: 'daemonset',
  ds: 'daemonset',
  replicaset: 'replicaset',
  replicasets: 'replicaset',
  rs: 'replicaset',
  service: 'service',
  services: 'service',
  svc: 'service',
};

/** Where each workload kind lives in the API, and its plural as RBAC names it. */
export const WORKLOAD_API: Record<Exclude<TargetKind, 'pod'>, { prefix: string; resource: string }> = {
  deployment: { prefix: '/apis/apps/v1', resource: 'deployments' },
  statefulset: { prefix: '/apis/apps/v1', resource: 'statefulsets' },
  daemonset: { prefix: '/apis/apps/v1', resource: 'daemonsets' },
  replicaset: { prefix: '/apis/apps/v1', resource: 'replicasets' },
  service: { prefix: '/api/v1', resource: 'services' },
};

/**
 * `[type/]name[.namespace]`. As in istioctl (`inferNsInfo`), the namespace is what follows the last
 * dot after the `/`, so a pod name that contains dots is mis-split just as istioctl does. The type
 * may carry kubectl's group (`deployments.apps/x`).
 */
export function parseTarget(text: string): Target {
  const slash = text.indexOf('/');
  const typeText = slash >= 0 ? text.slice(0, slash) : 'pod';
  const rest = slash >= 0 ? text.slice(slash + 1) : text;
  const kind = KIND_ALIASES[typeText.toLowerCase().replace(/\.(v1\.)?apps$/, '')];
  if (!kind) {
    throw new UsageError(`unsupported resource type "${typeText}" in "${text}": use pod, deployment, statefulset, daemonset, replicaset or service`);
  }
  const dot = rest.lastIndexOf('.');
  const name = dot >= 0 ? rest.slice(0, dot) : rest;
  const namespace = dot >= 0 ? rest.slice(dot + 1) : undefined;
  if (name === '' || namespace === '' || rest.includes('/')) {
    throw new UsageError(`"${text}" is not a pod reference: use name, name.namespace, pod/name or deployment/name`);
  }
  return namespace === undefined ? { kind, name } : { kind, name, namespace };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** `metav1.LabelSelectorAsSelector` as a string for `?labelSelector=`. */
export function selectorString(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  const expressions = (selector.matchExpressions ?? []).map(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return `${key} in (${values.join(',')})`;
      case 'NotIn':
        return `${key} notin (${values.join(',')})`;
      case 'Exists':
        return key;
      case 'DoesNotExist':
        return `!${key}`;
      default:
        throw new UsageError(`unsupported label selector operator "${operator}" on key "${key}"`);
    }
  });
  return [...labels, ...expressions].join(',');
}

/** The parts of a Pod's JSON envoyscope reads. */
export interface PodJson {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec?: {
    nodeName?: string;
    containers?: { name: string }[];
    initContainers?: { name: string; restartPolicy?: string }[];
  };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { restartCount?: number }[];
  };
}

export const SIDECAR_CONTAINER = 'istio-proxy';

/** istio-proxy as a container, or as a native sidecar (an init container that keeps running). */
export function hasSidecar(pod: PodJson): boolean {
  return (
    (pod.spec?.containers ?? []).some((container) => container.name === SIDECAR_CONTAINER) ||
    (pod.spec?.initContainers ?? []).some((container) => container.name === SIDECAR_CONTAINER && container.restartPolicy === 'Always')
  );
}

const time = (value: string | undefined) => (value ? Date.parse(value) : 0);
export const isReady = (pod: PodJson) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
const readySince = (pod: PodJson) => time(pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.lastTransitionTime);
const maxRestarts = (pod: PodJson) => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((status) => status.restartCount ?? 0));
// Go's map lookup gives 0 for phases the table lacks, so Succeeded and Failed rank with Running.
const PHASE_RANK: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };

/** `afterOrZero(a, b)`: a zero time sorts last; otherwise a is after b. */
const afterOrZero = (a: number, b: number) => (a === 0 || b === 0 ? a === 0 : a > b);

/**
 * kubectl's `podutils.ByLogging` (used by GetFirstPod): scheduled pods first, then Running before
 * Unknown before Pending, ready first, ready for longer first, more restarts first, older first.
 */
export function byLogging(a: PodJson, b: PodJson): number {
  const less = (x: PodJson, y: PodJson): boolean => {
    const [xNode, yNode] = [x.spec?.nodeName ?? '', y.spec?.nodeName ?? ''];
    if (xNode !== yNode && (xNode === '' || yNode === '')) return xNode !== '';
    const [xPhase, yPhase] = [PHASE_RANK[x.status?.phase ?? ''] ?? 0, PHASE_RANK[y.status?.phase ?? ''] ?? 0];
    if (xPhase !== yPhase) return xPhase < yPhase;
    if (isReady(x) !== isReady(y)) return isReady(x);
    if (isReady(x) && isReady(y) && readySince(x) !== readySince(y)) return afterOrZero(readySince(y), readySince(x));
    if (maxRestarts(x) !== maxRestarts(y)) return maxRestarts(x) > maxRestarts(y);
    const [xCreated, yCreated] = [time(x.metadata?.creationTimestamp), time(y.metadata?.creationTimestamp)];
    if (xCreated !== yCreated) return afterOrZero(yCreated, xCreated);
    return false;
  };
  return less(a, b) ? -1 : less(b, a) ? 1 : 0;
}
