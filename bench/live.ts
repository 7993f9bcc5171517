// The live half of `npm run bench`: envoyscope against the test cluster (test/cluster: a fake
// kube-apiserver over HTTPS with port-forward over WebSocket, and fake Envoy admins), side by side
// with kubectl against the same API server in the same run. The cluster runs in this process, so
// the commands are spawned asynchronously and the servers answer meanwhile.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCluster } from '../test/cluster/index.ts';

type Json = Record<string, unknown>;

/** What run.ts lends this section: its targets' verdicts and its statistics. */
export interface BenchReport {
  verdict(subject: string, yardstick: string, value: number, limit: number, comparison: '≤' | '<', context?: string): void;
  verdictSeconds(subject: string, seconds: number, limitSeconds: number): void;
  median(values: number[]): number;
  failed(command: string, problem: string): void;
}

export interface LiveBenchOptions {
  cli: string;
  exampleDump: string;
  exampleClusters: string;
  /** Runs of each single-pod command, interleaved. */
  runs: number;
  /** Runs of the fan-out over every pod. */
  fanOutRuns: number;
  fanOutPods: number;
}

const TARGETS = {
  podSeconds: 0.35,
  podVsKubectl: 4,
  adminUrlSeconds: 0.25,
  fanOutSeconds: 1.5,
};

const POD = 'reviews-v1-cb8655c75-b97zc';
/** GNU time gives each command's CPU time (user + system): unlike the wall time, it barely moves with the machine's load. */
const GNU_TIME = '/usr/bin/time';
const FAN_OUT_LABEL = 'app=bench-fan-out';

interface Timed {
  label: string;
  argv: string[];
  seconds: number[];
  cpuSeconds: number[];
  problem: string | null;
}

export async function liveBench(options: LiveBenchOptions, report: BenchReport): Promise<void> {
  // One parsed dump shared by every fake Envoy: 200 copies would cost the bench ~1 GB.
  const envoy = {
    dump: JSON.parse(readFileSync(options.exampleDump, 'utf8')) as Json,
    clusters: JSON.parse(readFileSync(options.exampleClusters, 'utf8')) as Json,
  };
  const cluster = await startFakeCluster({
    pods: [
      { name: POD, labels: { app: 'reviews', version: 'v1' }, envoy },
      ...Array.from({ length: options.fanOutPods }, (_, index) => ({
        name: `fan-out-${String(index).padStart(3, '0')}-5b4f9c8d7-abcde`,
        labels: { app: 'bench-fan-out' },
        envoy,
      })),
    ],
  });
  const scratch = mkdtempSync(join(tmpdir(), 'envoyscope-bench-'));
  try {
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfigPath };
    const adminUrl = `http://127.0.0.1:${cluster.pod(POD).envoy!.port}`;
    const kubectl = hasKubectl();
    console.log(`\nLive commands against the test cluster (${cluster.server}; median of ${options.runs} interleaved runs)`);
    if (!kubectl) console.log('  (kubectl not found: the comparison with kubectl is skipped)');
    const kubectlGet = kubectl ? timed(`kubectl get pod ${POD} -o json`, ['kubectl', 'get', 'pod', POD, '-o', 'json']) : undefined;
    const pod = timed(`envoyscope pc cluster ${POD}`, [process.execPath, options.cli, 'pc', 'cluster', POD]);
    const direct = timed('envoyscope pc cluster --admin-url …', [process.execPath, options.cli, 'pc', 'cluster', '--admin-url', adminUrl]);
    const single = [timed('node -e 0', [process.execPath, '-e', '0']), ...(kubectlGet ? [kubectlGet] : []), pod, direct];
    for (let run = -1; run < options.runs; run++) {
      for (const entry of single) await measure(entry, env, run >= 0, report, scratch);
    }
    const fanOut = timed(`envoyscope pc cluster -l ${FAN_OUT_LABEL} (${options.fanOutPods} pods)`, [
      process.execPath,
      options.cli,
      'pc',
      'cluster',
      '-l',
      FAN_OUT_LABEL,
    ]);
    for (let run = -1; run < options.fanOutRuns; run++) await measure(fanOut, env, run >= 0, report, scratch);

    const ms = (seconds: number[]) => `${(report.median(seconds) * 1000).toFixed(0)} ms`;
    console.log(`  ${'command'.padEnd(64)} ${'wall'.padStart(8)} ${existsSync(GNU_TIME) ? 'CPU'.padStart(8) : ''}`);
    for (const entry of [...single, fanOut]) {
      const cells = entry.problem
        ? [`FAILED: ${entry.problem}`]
        : [ms(entry.seconds).padStart(8), entry.cpuSeconds.length > 0 ? ms(entry.cpuSeconds).padStart(8) : ''];
      console.log(`  ${entry.label.padEnd(64)} ${cells.join(' ')}`.trimEnd());
    }
    console.log('  targets:');
    if (pod.problem === null) {
      report.verdictSeconds('pc cluster <pod>', report.median(pod.seconds), TARGETS.podSeconds);
      if (kubectlGet && kubectlGet.problem === null) {
        report.verdict('pc cluster <pod>', 'kubectl get pod', report.median(pod.seconds) / report.median(kubectlGet.seconds), TARGETS.podVsKubectl, '≤');
      }
    }
    if (direct.problem === null) report.verdictSeconds('pc cluster --admin-url', report.median(direct.seconds), TARGETS.adminUrlSeconds);
    if (fanOut.problem === null) report.verdictSeconds(`pc cluster -l (${options.fanOutPods} pods)`, report.median(fanOut.seconds), TARGETS.fanOutSeconds);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await cluster.close();
  }
}

function timed(label: string, argv: string[]): Timed {
  return { label, argv, seconds: [], cpuSeconds: [], problem: null };
}

function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/** Runs one command to its exit (output discarded) and records its wall time, and its CPU time where GNU time is. */
async function measure(entry: Timed, env: NodeJS.ProcessEnv, record: boolean, report: BenchReport, scratch: string): Promise<void> {
  if (entry.problem !== null) return;
  const cpuFile = join(scratch, 'cpu');
  const [program = '', ...args] = existsSync(GNU_TIME) ? [GNU_TIME, '-f', '%U %S', '-o', cpuFile, ...entry.argv] : entry.argv;
  const started = process.hrtime.bigint();
  const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', resolve);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) {
    entry.problem = `exit ${String(code)}: ${stderr.split('\n')[0] ?? ''}`;
    report.failed(entry.argv.join(' '), entry.problem);
    return;
  }
  if (!record) return;
  entry.seconds.push(seconds);
  if (existsSync(GNU_TIME)) {
    const [user = NaN, system = NaN] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    entry.cpuSeconds.push(user + system);
  }
}
