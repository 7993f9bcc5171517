// Ambient pods for `npm run cluster`: a ztunnel on each of two nodes serving the bundled ambient
// dump, and bookinfo's productpage captured by them, so `zc` can be tried by hand.

import { fileURLToPath } from 'node:url';
import type { PodSpec } from './objects.ts';

const dump = fileURLToPath(new URL('../../examples/bookinfo-ambient.ztunnel_config_dump.json', import.meta.url));

export const AMBIENT_APP_POD = 'productpage-v1-54d799c966-2b4ss';

export const ambientPods: PodSpec[] = [
  ...['kind-worker', 'kind-worker2'].map((node, i) => ({
    name: `ztunnel-${['xljhg', 'qk2pp'][i]}`,
    namespace: 'istio-system',
    labels: { app: 'ztunnel' },
    containers: ['istio-proxy'],
    nodeName: node,
    ztunnel: { dump },
  })),
  {
    name: AMBIENT_APP_POD,
    namespace: 'bookinfo',
    labels: { app: 'productpage' },
    nodeName: 'kind-worker',
    annotations: { 'ambient.istio.io/redirection': 'enabled' },
  },
];

export const ambientTryLines = [
  `  envoyscope zc workload ${AMBIENT_APP_POD}.bookinfo   # the ztunnel on its node, its workload`,
  '  envoyscope zc all --node kind-worker2 --with-headers',
  `  envoyscope pc listener ${AMBIENT_APP_POD}.bookinfo   # ambient: says to use zc`,
];
