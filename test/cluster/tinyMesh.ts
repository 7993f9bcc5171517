// A small mesh for tests that must run without the corpus: sidecars with a small but well-formed
// Istio config dump (Envoy v3 admin types: one static and one EDS cluster, one listener, one
// route), every workload kind, and pods that are pending or outside the mesh.

import type { EnvoySource } from './envoyAdmin.ts';
import type { ClusterScenario, PodSpec } from './index.ts';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
export const TINY_EDS_CLUSTER = 'outbound|9080||ratings.default.svc.cluster.local';

const socketAddress = (address: string, port: number) => ({ socket_address: { address, port_value: port } });
const assignment = (clusterName: string, address: string, port: number) => ({
  cluster_name: clusterName,
  endpoints: [{ locality: {}, lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }],
});

/** The dump and EDS of a sidecar in pod `name.namespace` with IP `ip`. */
export function tinySidecar(name: string, namespace: string, ip: string): EnvoySource {
  const dump = {
    configs: [
      {
        '@type': `${ADMIN}BootstrapConfigDump`,
        bootstrap: {
          node: {
            id: `sidecar~${ip}~${name}.${namespace}~${namespace}.svc.cluster.local`,
            cluster: `${name.split('-')[0]}.${namespace}`,
            user_agent_build_version: { version: { major_number: 1, minor_number: 30, patch: 2 } },
          },
        },
      },
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        version_info: '2024-01-01T00:00:00Z/1',
        static_clusters: [
          { cluster: { '@type': CLUSTER, name: 'prometheus_stats', type: 'STATIC', load_assignment: assignment('prometheus_stats', '127.0.0.1', 15000) } },
        ],
        dynamic_active_clusters: [
          {
            version_info: '2024-01-01T00:00:00Z/1',
            cluster: { '@type': CLUSTER, name: TINY_EDS_CLUSTER, type: 'EDS', eds_cluster_config: { service_name: TINY_EDS_CLUSTER } },
          },
        ],
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        version_info: '2024-01-01T00:00:00Z/1',
        dynamic_listeners: [
          {
            name: '0.0.0.0_9080',
            active_state: {
              listener: { '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', name: '0.0.0.0_9080', address: socketAddress('0.0.0.0', 9080) },
            },
          },
        ],
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamic_route_configs: [{ route_config: { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: '9080' } }],
      },
    ],
  };
  return { dump, eds: [assignment(TINY_EDS_CLUSTER, '10.0.0.7', 9080)] };
}

export const TINY = {
  reviewsV1: 'reviews-v1-5b4f9c8d7-abcde',
  /** Injected as a native sidecar (restartable init container). */
  reviewsV2: 'reviews-v2-6c7d8e9f0-fghij',
  /** Pending, not scheduled. */
  reviewsV3: 'reviews-v3-7e8f9a0b1-uvwxy',
  ratings: 'ratings-v1-7d8f9a0b1-klmno',
  gateway: 'istio-ingressgateway-6d8f9c7b5-zz9xq',
  /** In namespace "legacy", without a sidecar. */
  legacy: 'legacy-5f6d7c8b9-pqrst',
} as const;

export function tinyMeshScenario(): ClusterScenario {
  const meshPod = (name: string, labels: Record<string, string>, createdAt: string, ip: string, namespace = 'default'): PodSpec => ({
    name,
    namespace,
    labels,
    createdAt,
    ip,
    envoy: tinySidecar(name, namespace, ip),
  });
  return {
    pods: [
      meshPod(TINY.reviewsV1, { app: 'reviews', version: 'v1' }, '2024-01-01T00:00:00Z', '10.0.0.5'),
      { ...meshPod(TINY.reviewsV2, { app: 'reviews', version: 'v2' }, '2024-01-02T00:00:00Z', '10.0.0.6'), sidecar: 'native' },
      {
        name: TINY.reviewsV3,
        labels: { app: 'reviews', version: 'v3' },
        createdAt: '2024-01-03T00:00:00Z',
        phase: 'Pending',
        envoy: tinySidecar(TINY.reviewsV3, 'default', '10.0.0.9'),
      },
      meshPod(TINY.ratings, { app: 'ratings', version: 'v1' }, '2024-01-01T00:00:00Z', '10.0.0.7'),
      meshPod(TINY.gateway, { app: 'istio-ingressgateway', istio: 'ingressgateway' }, '2024-01-01T00:00:00Z', '10.0.0.2', 'istio-system'),
      { name: TINY.legacy, namespace: 'legacy', labels: { app: 'legacy' }, createdAt: '2024-01-01T00:00:00Z' },
    ],
    workloads: [
      { kind: 'Deployment', name: 'reviews', selector: { matchLabels: { app: 'reviews' } } },
      { kind: 'Deployment', name: 'reviews-v1', selector: { matchLabels: { app: 'reviews', version: 'v1' } } },
      {
        kind: 'Deployment',
        name: 'reviews-v2-or-v3',
        selector: { matchLabels: { app: 'reviews' }, matchExpressions: [{ key: 'version', operator: 'In', values: ['v2', 'v3'] }] },
      },
      { kind: 'Deployment', name: 'orphan', selector: { matchLabels: { app: 'nothing' } } },
      { kind: 'ReplicaSet', name: 'reviews-v1-5b4f9c8d7', selector: { matchLabels: { app: 'reviews', version: 'v1' } } },
      { kind: 'StatefulSet', name: 'ratings-db', selector: { matchLabels: { app: 'ratings' } } },
      { kind: 'DaemonSet', name: 'node-agent', namespace: 'istio-system', selector: { matchLabels: { istio: 'ingressgateway' } } },
      { kind: 'Service', name: 'ratings', selector: { matchLabels: { app: 'ratings' } } },
      { kind: 'Service', name: 'external', selector: {} },
    ],
    namespaces: ['quiet'],
  };
}
