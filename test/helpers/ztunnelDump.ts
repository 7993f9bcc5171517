// istioctl's ztunnel goldens (corpus/istioctl-ztunnel) with the arguments that print them, and
// variants of its dump (whose sections are maps keyed by address) built in place, so that both
// shapes ztunnel has written are tested without another capture.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusPath } from './corpus.ts';

type Json = Record<string, unknown>;

export const ztunnel = (name: string): string => corpusPath('istioctl-ztunnel', name);

/** Each golden and the arguments that print it from dump.json (the corpus README's table). */
export const GOLDENS: [golden: string, args: string[]][] = [
  ['workloadsummary.txt', ['workload']],
  ['workloadsummary_default.txt', ['workload', '--workloads-namespace', 'default']],
  ['workloadsummary_default.txt', ['workloads', '--workload-namespace', 'default']],
  ['workloadsummary_workload.txt', ['workload', 'productpage-v1-675fc69cf-jscn2.bookinfo']],
  ['workloadsummary_workload.txt', ['w', 'productpage-v1-675fc69cf-jscn2', '-n', 'bookinfo']],
  ['policies.txt', ['policy']],
  ['secretsummary.txt', ['certificate']],
  ['allsummary.txt', ['all']],
  ['allsummary_withheaders.txt', ['all', '--with-headers']],
  ['connectionsummary.txt', ['connections']],
  ['connectionsummary_workload.txt', ['connections', '--workload', 'productpage-v1-796f87b58-97bjk.bookinfo']],
  ['connectionsummary_workload.txt', ['cons', '--workload', 'productpage-v1-796f87b58-97bjk', '-n', 'bookinfo']],
  ['connectionsdump.json', ['connections', '-o', 'json']],
];

export function assertGolden(stdout: string, golden: string): void {
  const expected = readFileSync(ztunnel(golden), 'utf8');
  if (golden.endsWith('.json')) assert.deepEqual(JSON.parse(stdout), JSON.parse(expected));
  else assert.equal(stdout, expected);
}

const values = (section: unknown): unknown[] => Object.values(section as Json);

/** As newer ztunnels write it: workloads, services (and their endpoints) and workload states as lists. */
export function listShaped(mapDump: Json): Json {
  return {
    ...mapDump,
    workloads: values(mapDump['workloads']),
    services: values(mapDump['services']).map((service) => ({ ...(service as Json), endpoints: values((service as Json)['endpoints']) })),
    workloadState: values(mapDump['workloadState']),
  };
}

/** The other variant: certificates filed under their identity, policies under namespace/name. */
export function keyedCertificatesAndPolicies(mapDump: Json): Json {
  const certificates = mapDump['certificates'] as Json[];
  return {
    ...mapDump,
    // A map needs unique keys: the corpus lists one identity twice, so number the keys.
    certificates: Object.fromEntries(certificates.map((c, i) => [`${String(c['identity'])}#${i}`, c])),
    policies: Object.fromEntries((mapDump['policies'] as Json[]).map((p) => [`${String(p['namespace'])}/${String(p['name'])}`, p])),
  };
}
