// The mesh `npm run cluster` serves, in both of its modes: the captured Istio 1.5.4 bookinfo mesh
// when ../shared/corpus is there, else the bundled reviews-v1 example; ambient ztunnels in both. Both answer to the pod names
// the README's live examples use (test/readme-live.test.ts runs them against each mode).

import { fileURLToPath } from 'node:url';
import { ambientPods } from './ambientMesh.ts';
import { corpusPath } from '../helpers/corpus.ts';
import { bookinfoScenario } from './bookinfo.ts';
import type { ClusterScenario, PodSpec } from './index.ts';
import { tinySidecar } from './tinyMesh.ts';

/** The pods the README names. */
export const README_PODS = {
  reviews: 'reviews-v1-cb8655c75-b97zc',
  ratings: 'ratings-v1-6d8f9c7b5-q7w2e',
  productpage: 'productpage-v1-54d799c966-2b4ss',
} as const;

export interface ReadmeMesh {
  scenario: ClusterScenario;
  /** A pod to try commands on, and one to try `kubectl exec` on. */
  pod: string;
  execPod: string;
}

export function readmeMesh(withCorpus: boolean): ReadmeMesh {
  const sidecars = withCorpus ? bookinfoWithReadmeNames() : exampleMesh();
  // Ambient mode beside the sidecars, for the README's `zc` and `--waypoint` examples.
  const scenario = { ...sidecars, pods: [...sidecars.pods, ...ambientPods, waypointPod(withCorpus)] };
  return { scenario, pod: README_PODS.reviews, execPod: README_PODS.productpage };
}

/** The captured mesh, its v1 pods renamed to the README's names (the dumps do not depend on them). */
function bookinfoWithReadmeNames(): ClusterScenario {
  const scenario = bookinfoScenario();
  const renamed: Record<string, string> = {
    'reviews-v1-85c474d9b8-5xbfq': README_PODS.reviews,
    'ratings-v1-f745cf57b-njkpq': README_PODS.ratings,
    'productpage-v1-7d6cfb7dfd-ccspq': README_PODS.productpage,
  };
  return { ...scenario, pods: scenario.pods.map((pod): PodSpec => ({ ...pod, name: renamed[pod.name] ?? pod.name })) };
}

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

/**
 * Gateway `waypoint` of namespace bookinfo: the corpus's captured waypoint dump, or without the
 * corpus the bundled sidecar dump (no waypoint dump is bundled; its chains still show the view).
 */
function waypointPod(withCorpus: boolean): PodSpec {
  return {
    name: 'waypoint-6f8c9d7b5-k2m4n',
    namespace: 'bookinfo',
    labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'gateway.istio.io/managed': 'istio.io-mesh-controller' },
    nodeName: 'kind-worker2',
    envoy: { dump: withCorpus ? corpusPath('istioctl', 'all-summary', 'config_dump.json') : example('reviews-v1.config_dump.json') },
  };
}

function exampleMesh(): ClusterScenario {
  const envoy = { dump: example('reviews-v1.config_dump.json'), clusters: example('reviews-v1.clusters.json') };
  return {
    pods: [
      { name: README_PODS.reviews, labels: { app: 'reviews', version: 'v1' }, envoy },
      { name: README_PODS.ratings, labels: { app: 'ratings', version: 'v1' }, envoy: tinySidecar(README_PODS.ratings, 'default', '172.33.3.9') },
      // The only full dump at hand: sidecars of one mesh have the same outbound routes anyway.
      { name: README_PODS.productpage, labels: { app: 'productpage', version: 'v1' }, envoy },
    ],
    workloads: [
      { kind: 'Deployment', name: 'reviews', selector: { matchLabels: { app: 'reviews' } } },
      { kind: 'Deployment', name: 'reviews-v1', selector: { matchLabels: { app: 'reviews', version: 'v1' } } },
    ],
  };
}
