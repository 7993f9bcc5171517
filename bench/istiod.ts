// The istiod part of `npm run bench`: proxy-status over a large mesh (3 replicas, 2,000 proxies;
// the decode + merge + render that follow the fetch, in process, and the CLI on the saved answers)
// and `pc diff` of two 10k-service dumps against the floor of reading and JSON.parsing both.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { showAnswers } from '../src/cli/proxyStatusRun.ts';
import { decodeSynczDocument } from '../src/istiod/syncz.ts';
import { buildSidecarDump, serializeAdminJson } from './sidecarDump.ts';

const PROXIES = 2_000;
const REPLICAS = 3;
const RUNS = 5;
const TYPES = [
  'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  'type.googleapis.com/envoy.config.listener.v3.Listener',
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
];
const STATES = ['SYNCED', 'SYNCED', 'SYNCED', 'STALE', 'NOT_SENT', 'ERROR'];

export interface BenchContext {
  root: string;
  out: string;
  cli: string;
  verdict: (subject: string, yardstick: string, value: number, limit: number, comparison: '≤' | '<') => void;
  verdictSeconds: (subject: string, seconds: number, limitSeconds: number) => void;
  median: (values: number[]) => number;
}

export function istiodBench(context: BenchContext): void {
  proxyStatus(context);
  configDiff(context);
}

/** `{<replica>: DiscoveryResponse}` with PROXIES ClientConfigs spread over REPLICAS replicas. */
function meshAnswers(): Record<string, unknown> {
  const answers: Record<string, { resources: unknown[]; [field: string]: unknown }> = {};
  for (let i = 0; i < PROXIES; i++) {
    const replica = `istiod-${i % REPLICAS}`;
    let answer = answers[replica];
    if (!answer) {
      answer = {
        versionInfo: '1',
        resources: [],
        typeUrl: 'istio.io/debug/syncz',
        controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: replica }) },
      };
      answers[replica] = answer;
    }
    answer.resources.push({
      '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
      node: { id: `app-${i}-7d4b9c8f5-x${i % 97}.ns-${i % 40}`, metadata: { CLUSTER_ID: 'Kubernetes', NAMESPACE: `ns-${i % 40}`, ISTIO_VERSION: '1.24.0' } },
      genericXdsConfigs: TYPES.map((typeUrl, t) => ({
        typeUrl,
        configStatus: STATES[(i + t) % STATES.length],
        lastUpdated: new Date(Date.UTC(2026, 0, 1) - i * 1000).toISOString(),
      })),
    });
  }
  return answers;
}

function proxyStatus({ root, out, cli, verdictSeconds, median }: BenchContext): void {
  const answers = meshAnswers();
  const text = JSON.stringify(answers);
  const file = join(out, `syncz-${PROXIES}.json`);
  writeFileSync(file, text);
  console.log(
    `\nproxy-status: ${PROXIES.toLocaleString('en-US')} proxies from ${REPLICAS} replicas (${relative(root, file)}, ${(text.length / 1e6).toFixed(1)} MB)`,
  );
  const now = new Date(Date.UTC(2026, 0, 1, 1));
  const options = (types: boolean) => ({
    types,
    output: 'short' as const,
    istiod: { istioNamespace: 'istio-system', transport: 'auto' as const, xdsPort: 15012, insecure: false, timeoutMs: 1, verbose: false },
  });
  // After the fetch: decode both replicas' answers, merge, and render the default table and --types.
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const decoded = decodeSynczDocument(JSON.parse(text), 'bench');
    const table = showAnswers(decoded, options(false), now);
    const types = showAnswers(decoded, options(true), now);
    times.push((performance.now() - started) / 1000);
    if (table.split('\n').length !== PROXIES + 2 || types.split('\n').length !== PROXIES + 2) throw new Error('proxy-status bench: wrong row count');
  }
  const inProcess = median(times);
  console.log(`  decode + merge + both tables, in process: ${(inProcess * 1000).toFixed(0)} ms (median of ${RUNS})`);
  verdictSeconds('proxy-status after fetch', inProcess, 1.5);
  const cliRun = timeCommand([process.execPath, cli, 'ps', '-f', file]);
  console.log(`  envoyscope ps -f (whole process, start-up included): ${(cliRun * 1000).toFixed(0)} ms`);
}

function configDiff({ root, out, cli, verdict, median }: BenchContext): void {
  const morning = buildSidecarDump({ services: 10_000, includeEds: true, seed: 7 }) as { configs: Record<string, unknown>[] };
  const evening = structuredClone(morning);
  // What changed since the morning: one cluster in a hundred has a new timeout, ten are gone.
  const clusters = evening.configs.find((config) => String(config['@type']).endsWith('ClustersConfigDump'))?.['dynamic_active_clusters'] as {
    cluster: Record<string, unknown>;
  }[];
  clusters.forEach((entry, i) => {
    if (i % 100 === 0) entry.cluster['connect_timeout'] = '7s';
  });
  clusters.splice(0, 10);
  const fileA = join(out, 'diff-morning.config_dump.json');
  const fileB = join(out, 'diff-evening.config_dump.json');
  writeFileSync(fileA, serializeAdminJson(morning));
  writeFileSync(fileB, serializeAdminJson(evening));
  console.log(`\npc diff of two 10,000-service dumps (${relative(root, fileA)}, ${relative(root, fileB)})`);
  const parseBoth = [
    process.execPath,
    '-e',
    "for (const f of process.argv.slice(1)) JSON.parse(require('node:fs').readFileSync(f).toString('utf8'))",
    fileA,
    fileB,
  ];
  const diff = [process.execPath, cli, 'pc', 'diff', fileA, fileB, '-o', 'json'];
  const floor: number[] = [];
  const ours: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    const f = timeCommand(parseBoth);
    const d = timeCommand(diff);
    if (run >= 0) {
      floor.push(f);
      ours.push(d);
    }
  }
  console.log(`  floor (node reads + JSON.parses both): ${median(floor).toFixed(2)} s; envoyscope pc diff: ${median(ours).toFixed(2)} s (medians of ${RUNS})`);
  verdict('pc diff 10k vs 10k', 'the floor', median(ours) / median(floor), 3, '≤');
}

function timeCommand(argv: string[]): number {
  const started = performance.now();
  const result = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`${argv.slice(1).join(' ')} failed: ${result.stderr?.toString().split('\n')[0]}`);
  return (performance.now() - started) / 1000;
}
