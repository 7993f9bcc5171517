// `npm run cluster`: the test cluster on its own, until Ctrl-C. Prints a kubeconfig path that
// envoyscope and the real kubectl can both use. With ../shared/corpus it serves the captured
// Istio 1.5.4 bookinfo mesh; without it, the bundled reviews-v1 example.

import { fileURLToPath } from 'node:url';
import { bookinfoScenario, skipWithoutCorpus } from './bookinfo.ts';
import { type ClusterScenario, startFakeCluster } from './index.ts';
import { tinySidecar } from './tinyMesh.ts';
import { ambientPods, ambientTryLines } from './ambientMesh.ts';
import { meshIstiods } from './istiod.ts';

interface Standalone {
  scenario: ClusterScenario;
  pod: string;
  execPod: string;
}

function exampleMesh(): Standalone {
  const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
  const envoy = { dump: example('reviews-v1.config_dump.json'), clusters: example('reviews-v1.clusters.json') };
  return {
    pod: 'reviews-v1-cb8655c75-b97zc',
    execPod: 'ratings-v1-6d8f9c7b5-q7w2e',
    scenario: {
      pods: [
        { name: 'reviews-v1-cb8655c75-b97zc', labels: { app: 'reviews', version: 'v1' }, envoy },
        { name: 'ratings-v1-6d8f9c7b5-q7w2e', labels: { app: 'ratings', version: 'v1' }, envoy: tinySidecar('ratings-v1-6d8f9c7b5-q7w2e', 'default', '172.33.3.9') },
      ],
      workloads: [
        { kind: 'Deployment', name: 'reviews', selector: { matchLabels: { app: 'reviews' } } },
        { kind: 'Deployment', name: 'reviews-v1', selector: { matchLabels: { app: 'reviews', version: 'v1' } } },
      ],
    },
  };
}

const mesh: Standalone = skipWithoutCorpus
  ? exampleMesh()
  : { scenario: bookinfoScenario(), pod: 'reviews-v1-85c474d9b8-5xbfq', execPod: 'productpage-v1-7d6cfb7dfd-ccspq' };
const control = await meshIstiods(mesh.scenario.pods);
const cluster = await startFakeCluster({ ...mesh.scenario, pods: [...mesh.scenario.pods, ...ambientPods, ...control.pods], configMaps: control.configMaps });
control.trust(cluster.issuedTokens);
const kc = cluster.kubeconfigPath;
process.stdout.write(
  [
    `fake cluster at ${cluster.server}${skipWithoutCorpus ? ' (serving the bundled example: ../shared/corpus is absent)' : ''}`,
    `kubeconfig: ${kc}`,
    '',
    'try:',
    `  export KUBECONFIG=${kc}`,
    `  envoyscope pc listener ${mesh.pod}.default --port 9080`,
    '  envoyscope pc cluster deploy/reviews -n default --fqdn reviews --direction inbound -o json',
    '  envoyscope pc endpoint -l app=ratings -n default',
    ...ambientTryLines,
    '  envoyscope ps                                   # istiod replicas over xDS; --transport http|exec',
    `  envoyscope ps ${mesh.pod} --exit-code`,
    '  envoyscope istiod debug connections',
    '  kubectl get pods -A',
    `  kubectl exec ${mesh.execPod} -c istio-proxy -- pilot-agent request GET server_info`,
    '  kubectl port-forward deploy/reviews-v1 :15000   # then curl http://127.0.0.1:<port>/config_dump',
    '',
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

// Closing the cluster ends its servers, and with them the process.
const stop = () => void Promise.all([cluster.close(), ...control.istiods.map((istiod) => istiod.close())]);
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
