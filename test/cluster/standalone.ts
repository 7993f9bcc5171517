// `npm run cluster`: the bookinfo test cluster on its own, until Ctrl-C. Prints a kubeconfig path
// that envoyscope and the real kubectl can both use.

import { bookinfoScenario, skipWithoutCorpus } from './bookinfo.ts';
import { startFakeCluster } from './index.ts';

if (skipWithoutCorpus) {
  process.stderr.write(`${skipWithoutCorpus}: the bookinfo cluster needs its dumps\n`);
  process.exit(66);
}

const cluster = await startFakeCluster(bookinfoScenario());
const kc = cluster.kubeconfigPath;
process.stdout.write(
  [
    `fake cluster at ${cluster.server}`,
    `kubeconfig: ${kc}`,
    '',
    'try:',
    `  export KUBECONFIG=${kc}`,
    '  envoyscope pc listener reviews-v1-85c474d9b8-5xbfq.default --port 9080',
    '  envoyscope pc cluster deploy/reviews -n default --fqdn reviews --direction inbound -o json',
    '  envoyscope pc endpoint -l app=ratings -n default',
    '  kubectl get pods -A',
    '  kubectl exec productpage-v1-7d6cfb7dfd-ccspq -c istio-proxy -- pilot-agent request GET server_info',
    '  kubectl port-forward deploy/reviews-v1 :15000   # then curl http://127.0.0.1:<port>/config_dump',
    '',
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

const stop = async () => {
  await cluster.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
