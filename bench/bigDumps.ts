// The big-dump half of `npm run bench`: how section commands scale from 100 to 60,000 services
// against the JSON.parse floor (and how fast the sections are found), and whether every command and
// format works on a 1.5 GB dump from a file and from stdin within its memory budget. Files are
// written to bench/out/ and deleted when measured. `npm run bench -- curve` / `-- huge` run one alone.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sectionKindOfType } from '../src/envoy/decode.ts';
import type { SectionKind } from '../src/envoy/model.ts';
import { fastSlices } from '../src/envoy/sections.ts';
import { jsonChunks } from '../src/render/stream.ts';
import { buildSidecarDump } from './sidecarDump.ts';

export interface BenchContext {
  out: string;
  cli: string;
  verdict: (subject: string, yardstick: string, value: number, limit: number, comparison: '≤' | '<', context?: string) => void;
  verdictSeconds: (subject: string, seconds: number, limitSeconds: number) => void;
  failures: string[];
}

const CURVE = [
  { services: 100, runs: 7 },
  { services: 1_000, runs: 7 },
  { services: 10_000, runs: 5 },
  { services: 30_000, runs: 3 },
  { services: 60_000, runs: 3 },
];
const SECTION_COMMANDS = ['cluster', 'listener', 'route', 'endpoint', 'secret', 'bootstrap', 'ecds'] as const;
const HUGE_BYTES = 1.5e9;
const TARGETS = { findSeconds: 0.4, vsFloorFrom10k: 1.0, vsFloorAt1k: 1.3, rssSection: 2, rssAllJson: 3 };
const GNU_TIME = '/usr/bin/time';

/**
 * The floor: read the file and JSON.parse all of it. Above V8's string limit (~512 MB) no single
 * parse can, so each section (each element of `configs`, found by the generator's own layout) is
 * parsed on its own: still every byte parsed once, which no tool reading the whole dump avoids.
 */
const FLOOR_SCRIPT = `
const bytes = require('node:fs').readFileSync(process.argv[1]);
if (bytes.length < 5e8) JSON.parse(bytes.toString('utf8'));
else {
  const starts = [];
  for (let at = bytes.indexOf('\\n  {\\n   "@type"'); at >= 0; at = bytes.indexOf('\\n  {\\n   "@type"', at + 1)) starts.push(at);
  starts.push(bytes.lastIndexOf(']'));
  for (let i = 0; i + 1 < starts.length; i++) {
    let end = starts[i + 1];
    while (bytes[end - 1] !== 0x7d) end--;
    JSON.parse(bytes.toString('utf8', starts[i], end));
  }
}`;

/** Admin JSON as Envoy prints it (one-space indent), written piece by piece: it may not fit in one string. */
function writeDump(file: string, dump: unknown): number {
  const fd = openSync(file, 'w');
  try {
    for (const chunk of jsonChunks(dump, ' ')) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

interface Run {
  seconds: number;
  peakRss: number | null;
  ok: boolean;
  problem: string;
}

function timeCommand(out: string, argv: string[], stdinFile?: string): Run {
  const rssFile = join(out, '.big.time');
  const measured = existsSync(GNU_TIME);
  const command = measured ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv] : argv;
  const [program = '', ...args] = command;
  const stdin = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r');
  const started = process.hrtime.bigint();
  // YAML of a 1.5 GB dump takes many minutes on a loaded 2-core machine.
  const result = spawnSync(program, args, { stdio: [stdin, 'ignore', 'pipe'], timeout: 2_400_000, maxBuffer: 1 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (typeof stdin === 'number') closeSync(stdin);
  let peakRss: number | null = null;
  if (measured && existsSync(rssFile)) {
    peakRss = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) * 1024;
    rmSync(rssFile);
  }
  const ok = result.status === 0;
  const problem = ok ? '' : `exit ${String(result.status ?? result.signal)}: ${result.stderr.toString('utf8').split('\n')[0] ?? ''}`;
  return { seconds, peakRss, ok, problem };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Median time of the native section search over the dump, for a command showing `kind`. */
function findSeconds(file: string, kind: SectionKind): number {
  const bytes = readFileSync(file);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    const slices = fastSlices(bytes, sectionKindOfType, new Set([kind]));
    times.push((performance.now() - started) / 1000);
    if (slices === undefined) return Number.NaN;
  }
  return median(times);
}

/** The scaling curve: every section command against the floor, 100 → 60k services. */
export function sectionCurve(context: BenchContext): void {
  const node = process.execPath;
  console.log('\nBig dumps: section commands against the floor, 100 → 60,000 services (median wall time; ratio to the floor)');
  console.log(
    `  ${'services'.padStart(8)} ${'size'.padStart(9)} ${'find'.padStart(8)} ${'floor'.padStart(8)}  ${SECTION_COMMANDS.map((c) => c.padStart(10)).join('')}`,
  );
  for (const { services, runs } of CURVE) {
    const file = join(context.out, `curve-${services}.config_dump.json`);
    try {
      const size = writeDump(file, buildSidecarDump({ services, includeEds: true }));
      const find = findSeconds(file, 'clusters');
      const floorArgv = [node, '-e', FLOOR_SCRIPT, file];
      const commands = SECTION_COMMANDS.map((command) => ({
        command,
        argv: [node, context.cli, 'pc', command, '-f', file],
        times: [] as number[],
        rss: 0,
        problem: '',
      }));
      const floor: number[] = [];
      timeCommand(context.out, floorArgv); // warms the page cache
      for (let run = 0; run < runs; run++) {
        floor.push(timeCommand(context.out, floorArgv).seconds);
        for (const entry of commands) {
          const result = timeCommand(context.out, entry.argv);
          if (!result.ok) entry.problem = result.problem;
          entry.times.push(result.seconds);
          entry.rss = Math.max(entry.rss, result.peakRss ?? 0);
        }
      }
      const floorSeconds = median(floor);
      const ratios = commands.map((entry) => (entry.problem ? Number.NaN : median(entry.times) / floorSeconds));
      console.log(
        `  ${services.toLocaleString('en-US').padStart(8)} ${`${(size / 1e6).toFixed(1)} MB`.padStart(9)} ${`${(find * 1000).toFixed(0)} ms`.padStart(8)} ${`${floorSeconds.toFixed(2)} s`.padStart(8)}  ${ratios.map((r) => `${r.toFixed(2)}×`.padStart(10)).join('')}`,
      );
      for (const entry of commands) if (entry.problem) context.failures.push(`pc ${entry.command} on ${services} services: ${entry.problem}`);
      const worst = Math.max(...ratios);
      if (services === 1_000) context.verdict('section commands at 1k', 'the floor', worst, TARGETS.vsFloorAt1k, '≤', '(slowest command)');
      if (services >= 10_000) context.verdict(`section commands at ${services / 1000}k`, 'the floor', worst, TARGETS.vsFloorFrom10k, '≤', '(slowest command)');
      if (services === 60_000) context.verdictSeconds(`section finding, ${(size / 1e6).toFixed(0)} MB`, find, TARGETS.findSeconds);
    } finally {
      rmSync(file, { force: true });
    }
  }
}

/** A dump of about 1.5 GB: the 20k-service mesh with every list repeated, so the sections are huge too. */
function writeHugeDump(file: string): number {
  const dump = buildSidecarDump({ services: 20_000, includeEds: true }) as { configs: Record<string, unknown>[] };
  const probe = writeDump(file, dump);
  const copies = Math.ceil(HUGE_BYTES / probe);
  const scaled = {
    configs: dump.configs.map((section) =>
      Object.fromEntries(
        Object.entries(section).map(([key, value]) => [
          key,
          Array.isArray(value) ? Array.from({ length: value.length * copies }, (_, i) => value[i % value.length]) : value,
        ]),
      ),
    ),
  };
  return writeDump(file, scaled);
}

/** Every command and format on the 1.5 GB dump, from the file and from stdin, within its memory budget. */
export function hugeDump(context: BenchContext): void {
  const file = join(context.out, 'huge.config_dump.json');
  try {
    const size = writeHugeDump(file);
    console.log(`\n1.5 GB dump (${(size / 1e9).toFixed(2)} GB): every command and format, peak RSS against the file size`);
    const node = process.execPath;
    const runs: { label: string; argv: string[]; stdin?: string; budget: number }[] = [];
    // Every command in the table and JSON formats, raw on two; YAML (slowest by far) on `pc all`,
    // which writes every section, last.
    for (const command of [...SECTION_COMMANDS, 'all'] as const) {
      const outputs = command === 'cluster' || command === 'all' ? ['short', 'json', 'raw'] : ['short', 'json'];
      for (const output of outputs) {
        // `pc all` parses every section at once, tables too: the whole-dump budget.
        const budget = command === 'all' ? TARGETS.rssAllJson : TARGETS.rssSection;
        runs.push({ label: `pc ${command} -o ${output} -f FILE`, argv: [node, context.cli, 'pc', command, '-o', output, '-f', file], budget });
      }
    }
    runs.push({ label: 'pc cluster -f - < FILE', argv: [node, context.cli, 'pc', 'cluster', '-f', '-'], stdin: file, budget: TARGETS.rssSection });
    runs.push({
      label: 'pc all -o json -f - < FILE',
      argv: [node, context.cli, 'pc', 'all', '-o', 'json', '-f', '-'],
      stdin: file,
      budget: TARGETS.rssAllJson,
    });
    runs.push({ label: 'pc all -o yaml -f FILE', argv: [node, context.cli, 'pc', 'all', '-o', 'yaml', '-f', file], budget: TARGETS.rssAllJson });
    for (const run of runs) {
      const result = timeCommand(context.out, run.argv, run.stdin);
      const rss = result.peakRss === null ? Number.NaN : result.peakRss / size;
      console.log(
        `  ${run.label.padEnd(34)} ${result.ok ? 'ok' : 'FAILED'} ${`${result.seconds.toFixed(1)} s`.padStart(8)} ${`${rss.toFixed(2)}×`.padStart(7)} ${result.problem}`,
      );
      if (!result.ok) context.failures.push(`${run.label} on the 1.5 GB dump: ${result.problem}`);
      else if (result.peakRss !== null) context.verdict(`${run.label} RSS`, 'the file', rss, run.budget, '≤');
    }
  } finally {
    rmSync(file, { force: true });
  }
}
