// The test cluster: a fake kube-apiserver (HTTPS, test CA, bearer token) in front of pods whose
// sidecars are played by fake Envoy admins. Start one per test file:
//
//   const cluster = await startFakeCluster({ pods: [{ name: 'reviews-v1-x', labels: { app: 'reviews' }, envoy: { dump } }] });
//   … KUBECONFIG=cluster.kubeconfigPath …
//   await cluster.close();

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type ApiServerState, type DeniedPermission, FakeApiServer, type RequestRecord } from './apiserver.ts';
import { FakePod, type PodSpec, WORKLOAD_RESOURCES, type WorkloadSpec, workloadJson } from './objects.ts';
import { testPki } from './pki.ts';

export type { DeniedPermission, RequestRecord } from './apiserver.ts';
export type { EnvoyBehavior, EnvoySource } from './envoyAdmin.ts';
export type { PodPhase, PodSpec, WorkloadSpec } from './objects.ts';

export interface ClusterScenario {
  pods: PodSpec[];
  workloads?: WorkloadSpec[];
  /** Namespaces besides those of the pods and workloads; "default", "istio-system" and "kube-system" always exist. */
  namespaces?: string[];
  /** Labels of namespaces, e.g. `{ bookinfo: { 'istio.io/dataplane-mode': 'ambient' } }`. */
  namespaceLabels?: Record<string, Record<string, string>>;
  /** Permissions the token's user lacks. Mutable later through `cluster.deny`. */
  deny?: DeniedPermission[];
  /** Kubernetes minor version the server reports; the kubectl dispatcher picks its kubectl from it. Default "32". */
  minorVersion?: string;
  /** ConfigMaps (e.g. istio-ca-root-cert). */
  configMaps?: { name: string; namespace?: string; data: Record<string, string> }[];
}

export interface KubeconfigOptions {
  /** Default: the cluster's token. */
  token?: string;
  /** Default: the fake API server. */
  server?: string;
  /** false leaves the CA out, so TLS verification fails. Default true. */
  trustCa?: boolean;
  /** Namespace of the current context. Default "default". */
  namespace?: string;
  /** File name inside the cluster's temp dir. Default "kubeconfig-<n>.yaml". */
  fileName?: string;
}

export interface FakeCluster {
  /** `https://127.0.0.1:<port>` */
  server: string;
  token: string;
  user: string;
  caPath: string;
  /** A kubeconfig with contexts "fake" (namespace default, current) and "fake-istio" (namespace istio-system). */
  kubeconfigPath: string;
  /** A temp directory removed by close(); it holds the kubeconfigs and the CA certificate. */
  dir: string;
  /** Every request the API server received, in order. */
  requests: RequestRecord[];
  /** The RBAC deny list in force; change it at will. */
  deny: DeniedPermission[];
  /** Tokens issued by TokenRequest, for fake servers that check them. */
  issuedTokens: ApiServerState['issuedTokens'];
  pod(name: string, namespace?: string): FakePod;
  writeKubeconfig(options?: KubeconfigOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startFakeCluster(scenario: ClusterScenario): Promise<FakeCluster> {
  const [pki, dir, pods] = await Promise.all([
    testPki(),
    mkdtemp(join(tmpdir(), 'envoyscope-cluster-')),
    Promise.all(scenario.pods.map((spec) => FakePod.create(spec))),
  ]);
  const workloads = new Map<string, Record<string, unknown>[]>();
  for (const spec of scenario.workloads ?? []) {
    const { resource } = WORKLOAD_RESOURCES[spec.kind];
    workloads.set(resource, [...(workloads.get(resource) ?? []), workloadJson(spec)]);
  }
  workloads.set(
    'configmaps',
    (scenario.configMaps ?? []).map(({ name, namespace = 'default', data }) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, resourceVersion: '1' },
      data,
    })),
  );
  const namespaces = new Set([
    'default',
    'istio-system',
    'kube-system',
    ...(scenario.namespaces ?? []),
    ...pods.map((pod) => pod.namespace),
    ...(scenario.workloads ?? []).map((workload) => workload.namespace ?? 'default'),
  ]);
  const token = randomBytes(16).toString('hex');
  const user = 'system:serviceaccount:default:envoyscope-tester';
  const state = {
    namespaces,
    namespaceLabels: scenario.namespaceLabels ?? {},
    pods,
    workloads,
    token,
    user,
    deny: scenario.deny ?? [],
    minorVersion: scenario.minorVersion ?? '32',
    issuedTokens: new Map(),
  };
  const apiServer = new FakeApiServer(state, { key: pki.keyPem, cert: pki.certPem });
  const server = await apiServer.listen();

  let written = 0;
  const writeKubeconfig = async (options: KubeconfigOptions = {}) => {
    const path = join(dir, options.fileName ?? `kubeconfig-${written++}.yaml`);
    const cluster = {
      server: options.server ?? server,
      ...(options.trustCa === false ? {} : { 'certificate-authority-data': Buffer.from(pki.caPem).toString('base64') }),
    };
    const context = (name: string, namespace: string) => ({ name, context: { cluster: 'fake', user: 'tester', namespace } });
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster }],
      users: [{ name: 'tester', user: { token: options.token ?? token } }],
      contexts: [context('fake', options.namespace ?? 'default'), context('fake-istio', 'istio-system')],
      'current-context': 'fake',
    };
    await writeFile(path, stringify(config), { mode: 0o600 });
    return path;
  };

  const caPath = join(dir, 'ca.crt');
  await writeFile(caPath, pki.caPem);
  return {
    server,
    token,
    user,
    caPath,
    kubeconfigPath: await writeKubeconfig({ fileName: 'kubeconfig.yaml' }),
    dir,
    requests: apiServer.requests,
    issuedTokens: state.issuedTokens,
    get deny() {
      return state.deny;
    },
    set deny(rules: DeniedPermission[]) {
      state.deny = rules;
    },
    pod(name, namespace = 'default') {
      const found = pods.find((pod) => pod.name === name && pod.namespace === namespace);
      if (!found) throw new Error(`the fake cluster has no pod ${namespace}/${name}`);
      return found;
    },
    writeKubeconfig,
    async close() {
      await Promise.all([apiServer.close(), ...pods.map((pod) => pod.envoy?.close()), ...pods.map((pod) => pod.ztunnel?.close())]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
