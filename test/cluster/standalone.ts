// `npm run cluster`: the test cluster on its own, until Ctrl-C. Prints a kubeconfig path that
// envoyscope and the real kubectl can both use. With ../shared/corpus it serves the captured
// Istio 1.5.4 bookinfo mesh; without it, the bundled reviews-v1 example; the README's pod names
// work in both (readmeMesh.ts).

import { ambientTryLines } from './ambientMesh.ts';
import { skipWithoutCorpus } from '../helpers/corpus.ts';
import { startFakeCluster } from './index.ts';
import { meshIstiods } from './istiod.ts';
import { readmeMesh } from './readmeMesh.ts';

const mesh = readmeMesh(!skipWithoutCorpus);
const control = await meshIstiods(mesh.scenario.pods);
const cluster = await startFakeCluster({ ...mesh.scenario, pods: [...mesh.scenario.pods, ...control.pods], configMaps: control.configMaps });
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
