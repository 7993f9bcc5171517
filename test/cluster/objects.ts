// The objects the fake cluster holds: pods (with their sidecar's Envoy admin) and the workloads
// that select them, rendered as the API server's JSON.

import { createHash, randomUUID } from 'node:crypto';
import { FakeEnvoyAdmin, type EnvoySource } from './envoyAdmin.ts';
import { FakeZtunnelAdmin, type ZtunnelSource } from './ztunnelAdmin.ts';

type Json = Record<string, unknown>;

const ENVOY_ADMIN_PORT = 15000;
export const SIDECAR = 'istio-proxy';

/** The fields the API server lets field selectors name on pods. */
export const POD_FIELDS = ['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName', 'status.podIP'] as const;

export type PodPhase = 'Running' | 'Pending' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodSpec {
  name: string;
  /** Default "default". */
  namespace?: string;
  labels?: Record<string, string>;
  /** Default Running. */
  phase?: PodPhase;
  /** Default: Running pods are ready. */
  ready?: boolean;
  /** The sidecar's Envoy admin. Without it the pod has no istio-proxy container: it is not in the mesh. */
  envoy?: EnvoySource;
  /** How istio-proxy is injected: a regular container (default) or a native sidecar (restartable init container). */
  sidecar?: 'container' | 'native';
  /** Application containers; default one named after the `app` label or the pod. */
  containers?: string[];
  ip?: string;
  /** Default "fake-node-1"; Pending pods default to none (not scheduled). */
  nodeName?: string;
  /** ISO time; default: now. */
  createdAt?: string;
  restarts?: number;
  annotations?: Record<string, string>;
  /** A ztunnel's admin on port 15000 (with `containers: ['istio-proxy']`, as the ztunnel DaemonSet names it). */
  ztunnel?: ZtunnelSource;
  /** Other ports something listens on (istiod's 15012/15014): the local port now, or undefined when closed. */
  ports?: Record<number, () => number | undefined>;
}

export class FakePod {
  readonly name: string;
  readonly namespace: string;
  readonly uid = randomUUID();
  readonly labels: Record<string, string>;
  readonly ip: string;
  readonly createdAt: string;
  readonly appContainers: string[];
  readonly sidecar: 'container' | 'native' | undefined;
  readonly envoy: FakeEnvoyAdmin | undefined;
  readonly ztunnel: FakeZtunnelAdmin | undefined;
  readonly annotations: Record<string, string>;
  // Mutable, so a test can move a pod through its life.
  phase: PodPhase;
  ready: boolean;
  nodeName: string | undefined;
  restarts: number;
  /** The API server closes this pod's port-forward WebSockets after passing on this many bytes from the pod, as when it restarts mid-transfer. */
  portForwardCutAfter: number | undefined;
  private readonly ports: Record<number, () => number | undefined>;

  private constructor(spec: PodSpec, envoy: FakeEnvoyAdmin | undefined, ztunnel?: FakeZtunnelAdmin) {
    this.name = spec.name;
    this.namespace = spec.namespace ?? 'default';
    this.labels = spec.labels ?? {};
    this.phase = spec.phase ?? 'Running';
    this.ready = spec.ready ?? this.phase === 'Running';
    this.nodeName = spec.nodeName ?? (this.phase === 'Pending' ? undefined : 'fake-node-1');
    this.ip = spec.ip ?? '10.0.0.1';
    this.createdAt = spec.createdAt ?? new Date().toISOString();
    this.restarts = spec.restarts ?? 0;
    this.portForwardCutAfter = undefined;
    this.appContainers = spec.containers ?? [this.labels.app ?? spec.name];
    this.envoy = envoy;
    this.ztunnel = ztunnel;
    this.annotations = spec.annotations ?? {};
    this.sidecar = envoy ? (spec.sidecar ?? 'container') : undefined;
    this.ports = spec.ports ?? {};
  }

  static async create(spec: PodSpec): Promise<FakePod> {
    const ztunnel = spec.ztunnel ? await FakeZtunnelAdmin.start(spec.ztunnel) : undefined;
    return new FakePod(spec, spec.envoy ? await FakeEnvoyAdmin.start(spec.envoy) : undefined, ztunnel);
  }

  /** The containers one can exec into (native sidecars included). */
  get containerNames(): string[] {
    return this.sidecar ? [...this.appContainers, SIDECAR] : this.appContainers;
  }

  /** The local port standing for the pod's `port`, or undefined when nothing listens there. */
  localPort(port: number): number | undefined {
    return port === ENVOY_ADMIN_PORT ? (this.envoy ?? this.ztunnel)?.port : this.ports[port]?.();
  }

  /** containerd's sandbox id, which the kubelet names in port-forward errors. */
  get sandboxId(): string {
    return createHash('sha256').update(this.uid).digest('hex');
  }

  toJson(): Json {
    const running = this.phase === 'Running';
    const container = (name: string) => ({ name, image: name === SIDECAR ? 'docker.io/istio/proxyv2:1.22.0' : `registry.example/${name}:1.0` });
    const status = (name: string) => ({
      name,
      ready: this.ready,
      restartCount: this.restarts,
      started: running,
      state: running ? { running: { startedAt: this.createdAt } } : { waiting: { reason: 'ContainerCreating' } },
    });
    const sidecar = { ...container(SIDECAR), ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }] };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        uid: this.uid,
        resourceVersion: '1',
        creationTimestamp: this.createdAt,
        labels: this.labels,
        annotations: { ...(this.sidecar ? { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } : {}), ...this.annotations },
      },
      spec: {
        ...(this.sidecar === 'native' ? { initContainers: [{ ...sidecar, restartPolicy: 'Always' }] } : {}),
        containers: [...this.appContainers.map(container), ...(this.sidecar === 'container' ? [sidecar] : [])],
        ...(this.nodeName ? { nodeName: this.nodeName } : {}),
      },
      status: {
        phase: this.phase,
        ...(this.nodeName ? { hostIP: '192.168.49.2', podIP: this.ip, podIPs: [{ ip: this.ip }], startTime: this.createdAt } : {}),
        conditions: [
          { type: 'PodScheduled', status: this.nodeName ? 'True' : 'False', lastTransitionTime: this.createdAt },
          { type: 'Ready', status: this.ready ? 'True' : 'False', lastTransitionTime: this.createdAt },
        ],
        containerStatuses: this.containerNames.map(status),
      },
    };
  }

  get fields(): Record<(typeof POD_FIELDS)[number], string> {
    return {
      'metadata.name': this.name,
      'metadata.namespace': this.namespace,
      'status.phase': this.phase,
      'spec.nodeName': this.nodeName ?? '',
      'status.podIP': this.ip,
    };
  }
}

export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Service';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface WorkloadSpec {
  kind: WorkloadKind;
  name: string;
  namespace?: string;
  /** A Service's selector is `matchLabels` alone. */
  selector: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] };
  /** Service ports (port = targetPort); default [9080]. */
  ports?: number[];
}

export const WORKLOAD_RESOURCES: Record<WorkloadKind, { resource: string; group: string }> = {
  Deployment: { resource: 'deployments', group: 'apps' },
  ReplicaSet: { resource: 'replicasets', group: 'apps' },
  StatefulSet: { resource: 'statefulsets', group: 'apps' },
  DaemonSet: { resource: 'daemonsets', group: 'apps' },
  Service: { resource: 'services', group: '' },
};

export function workloadJson(spec: WorkloadSpec): Json {
  const metadata = {
    name: spec.name,
    namespace: spec.namespace ?? 'default',
    uid: randomUUID(),
    resourceVersion: '1',
    creationTimestamp: new Date().toISOString(),
    labels: spec.selector.matchLabels ?? {},
  };
  if (spec.kind === 'Service') {
    const ports = (spec.ports ?? [9080]).map((port) => ({ name: `http-${port}`, port, targetPort: port, protocol: 'TCP' }));
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { selector: spec.selector.matchLabels ?? {}, ports, type: 'ClusterIP', clusterIP: '10.96.0.10' },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: spec.kind,
    metadata,
    spec: {
      selector: spec.selector,
      template: { metadata: { labels: spec.selector.matchLabels ?? {} }, spec: { containers: [] } },
    },
    status: {},
  };
}
