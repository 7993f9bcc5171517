// Regenerates the bundled examples from the dump builder: `npx tsx bench/make-example.ts`.
// test/example.test.ts checks that the committed files equal what this produces, so they never go stale.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClustersStatus, buildSidecarDump, serializeAdminJson, WELL_KNOWN_SERVICE_PORTS } from './sidecarDump.ts';

/** The pod the seed article follows: bookinfo's reviews v1, with istiod, kube-dns, prometheus … around it. */
const REVIEWS_V1 = {
  services: WELL_KNOWN_SERVICE_PORTS,
  podName: 'reviews-v1-cb8655c75-b97zc',
  podIp: '172.33.3.3',
  namespace: 'default',
};

export interface ExampleFile {
  path: string;
  text: string;
}

export function exampleFiles(): ExampleFile[] {
  const inExamples = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
  return [
    {
      path: inExamples('reviews-v1.config_dump.json'),
      text: serializeAdminJson(buildSidecarDump({ ...REVIEWS_V1, includeEds: true })),
    },
    {
      path: inExamples('reviews-v1.clusters.json'),
      text: serializeAdminJson(buildClustersStatus(REVIEWS_V1)),
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of exampleFiles()) {
    writeFileSync(file.path, file.text);
    console.log(`wrote ${relative(process.cwd(), file.path)} (${(file.text.length / 1024).toFixed(0)} KB)`);
  }
}
