// Istio's bookinfo sample as captured from a real Istio 1.5.4 mesh (corpus dumps/istio-1.5.4-bookinfo):
// productpage, details, ratings and reviews v1/v2/v3 in "default", the ingress gateway in
// "istio-system", and a pod outside the mesh in "legacy". The corpus is read in place.

import { corpusPath } from '../helpers/corpus.ts';
import type { ClusterScenario, PodSpec, WorkloadSpec } from './index.ts';

const bookinfo = (file: string) => corpusPath('dumps', 'istio-1.5.4-bookinfo', file);

function meshPod(name: string, labels: Record<string, string>, dumpFile: string, ip: string, namespace = 'default'): PodSpec {
  return {
    name,
    namespace,
    labels: { ...labels, 'security.istio.io/tlsMode': 'istio' },
    ip,
    envoy: { dump: bookinfo(dumpFile), eds: bookinfo('pilot-edsz.json') },
  };
}

export function bookinfoScenario(): ClusterScenario {
  const app = (name: string, version: string, hash: string) => ({ app: name, version, 'pod-template-hash': hash });
  // The mesh had one reviews pod captured; v2 and v3 serve the same sidecar config, as in that mesh.
  const pods: PodSpec[] = [
    meshPod('productpage-v1-7d6cfb7dfd-ccspq', app('productpage', 'v1', '7d6cfb7dfd'), 'productpage.json', '10.44.0.11'),
    meshPod('details-v1-c5b5f496d-mzlkw', app('details', 'v1', 'c5b5f496d'), 'details.json', '10.44.0.12'),
    meshPod('ratings-v1-f745cf57b-njkpq', app('ratings', 'v1', 'f745cf57b'), 'ratings.json', '10.44.0.13'),
    meshPod('reviews-v1-85c474d9b8-5xbfq', app('reviews', 'v1', '85c474d9b8'), 'reviews.json', '10.44.0.8'),
    meshPod('reviews-v2-6cb6ccd848-qdg2k', app('reviews', 'v2', '6cb6ccd848'), 'reviews.json', '10.44.0.9'),
    meshPod('reviews-v3-cc56b578-kbbgq', app('reviews', 'v3', 'cc56b578'), 'reviews.json', '10.44.0.10'),
    meshPod(
      'istio-ingressgateway-568476969c-v7xw7',
      { app: 'istio-ingressgateway', istio: 'ingressgateway', 'pod-template-hash': '568476969c' },
      'ingressgateway.json',
      '10.44.0.2',
      'istio-system',
    ),
    { name: 'sleep-7f9c8f7b4d-x2x7p', namespace: 'legacy', labels: { app: 'sleep', 'pod-template-hash': '7f9c8f7b4d' }, ip: '10.44.0.20' },
  ];
  const deployment = (name: string, matchLabels: Record<string, string>, namespace = 'default'): WorkloadSpec => ({
    kind: 'Deployment',
    name,
    namespace,
    selector: { matchLabels },
  });
  const service = (name: string): WorkloadSpec => ({ kind: 'Service', name, selector: { matchLabels: { app: name } }, ports: [9080] });
  const workloads: WorkloadSpec[] = [
    ...['productpage', 'details', 'ratings'].map((name) => deployment(`${name}-v1`, { app: name, version: 'v1' })),
    ...['v1', 'v2', 'v3'].map((version) => deployment(`reviews-${version}`, { app: 'reviews', version })),
    // A deployment that selects every reviews pod, as one `reviews` workload would.
    deployment('reviews', { app: 'reviews' }),
    { kind: 'ReplicaSet', name: 'reviews-v1-85c474d9b8', selector: { matchLabels: { app: 'reviews', version: 'v1', 'pod-template-hash': '85c474d9b8' } } },
    ...['productpage', 'details', 'ratings', 'reviews'].map(service),
    deployment('istio-ingressgateway', { app: 'istio-ingressgateway', istio: 'ingressgateway' }, 'istio-system'),
    deployment('sleep', { app: 'sleep' }, 'legacy'),
  ];
  return { pods, workloads };
}
