// `npm run bench`: how fast and how lean `envoyscope pc` is on large sidecar dumps.
// It generates dumps of 1,000 and 10,000 services into bench/out/, then times the built CLI against
// two yardsticks: the floor (a bare node that reads and JSON.parses the file, which no Node tool can
// beat) and jq doing the same extraction. It prints PASS/FAIL per target and exits 0 either way,
// unless a command itself failed.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hugeDump, sectionCurve } from './bigDumps.ts';
import { istiodBench } from './istiod.ts';
import { liveBench } from './live.ts';
import { buildSidecarDump, serializeAdminJson } from './sidecarDump.ts';
import { buildZtunnelDump } from './ztunnelDump.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const CLI = join(ROOT, 'bin', 'envoyscope.cjs');
const EXAMPLE = join(ROOT, 'examples', 'reviews-v1.config_dump.json');
const EXAMPLE_CLUSTERS = join(ROOT, 'examples', 'reviews-v1.clusters.json');
const GNU_TIME = '/usr/bin/time';
const MESH_SIZES = [
  { services: 1_000, runs: 9 },
  { services: 10_000, runs: 5 },
];
const COLD_START_RUNS = 15;
const LIVE = { runs: 15, fanOutRuns: 5, fanOutPods: 200 };
const SECTIONS = ['cold', 'live', 'mesh', 'ztunnel', 'trace', 'curve', 'huge', 'istiod'] as const;
/** A run slower than this counts as failed, so the bench always ends within minutes. */
const RUN_TIMEOUT_MS = 120_000;

const TARGETS = {
  coldStartVsNode: 1.4,
  versionVsNode: 1.2,
  timeVsFloor: 1.5,
  timeVsJq: 1,
  rssVsFile: 4,
  traceVsRoute: 1.5,
};

type Sample = { ok: true; seconds: number; peakRssBytes: number | null } | { ok: false; problem: string };

interface Tool {
  label: string;
  argv: string[];
}

interface Measured {
  tool: Tool;
  seconds: number[];
  peakRssBytes: number[];
  rows: number | null;
  problem: string | null;
}

const failures: string[] = [];
const verdicts = { passed: 0, failed: 0 };
const hasGnuTime = existsSync(GNU_TIME);

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !SECTIONS.some((section) => section === name));
  if (unknown.length > 0) throw new Error(`unknown bench section ${unknown.join(', ')} (sections: ${SECTIONS.join(', ')})`);
  const wanted = (section: (typeof SECTIONS)[number]) => asked.length === 0 || asked.includes(section);
  mkdirSync(OUT, { recursive: true });
  const cliBuilt = existsSync(join(ROOT, 'dist', 'cli', 'envoyscope.cjs'));
  console.log('envoyscope benchmark');
  console.log(`node ${process.version}, ${toolVersion('jq', '--version')}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`);
  if (!hasGnuTime) console.log(`(no ${GNU_TIME}: peak RSS is not measured)`);
  if (!cliBuilt) console.log('(dist/ is missing: run `npm run build`; only the floor and jq are measured)');

  if (cliBuilt && wanted('cold')) coldStart();
  if (cliBuilt && wanted('live')) {
    await liveBench(
      { cli: CLI, exampleDump: EXAMPLE, exampleClusters: EXAMPLE_CLUSTERS, ...LIVE },
      { verdict, verdictSeconds, median, failed: (command, problem) => failures.push(`${command}: ${problem}`) },
    );
  }
  if (wanted('mesh')) for (const { services, runs } of MESH_SIZES) meshRound(services, runs, cliBuilt);
  if (cliBuilt && wanted('ztunnel')) ztunnelRound();
  if (cliBuilt && wanted('trace')) traceRound(10_000, 5);
  const big = { out: OUT, cli: CLI, verdict, verdictSeconds, failures };
  if (cliBuilt && wanted('curve')) sectionCurve(big);
  if (cliBuilt && wanted('huge')) hugeDump(big);
  if (cliBuilt && wanted('istiod')) istiodBench({ root: ROOT, out: OUT, cli: CLI, verdict, verdictSeconds, median });

  console.log(`\n${verdicts.passed} targets passed, ${verdicts.failed} failed.`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} command(s) failed:`);
    for (const failure of failures) console.log(`  ${failure}`);
    process.exitCode = 1;
  }
}

function coldStart(): void {
  const tools: Tool[] = [
    { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { label: `envoyscope pc cluster -f ${relative(ROOT, EXAMPLE)}`, argv: [process.execPath, CLI, 'pc', 'cluster', '-f', EXAMPLE] },
    { label: 'envoyscope --version', argv: [process.execPath, CLI, '--version'] },
  ];
  const measured = tools.map(emptyMeasurement);
  // Interleaved, after one warm-up each, so drift in machine load hits both alike.
  for (let run = -1; run < COLD_START_RUNS; run++) {
    for (const entry of measured) record(entry, execute(entry.tool.argv, null, false), run >= 0);
  }
  console.log(`\nCold start (median of ${COLD_START_RUNS} runs)`);
  for (const entry of measured) console.log(`  ${entry.tool.label.padEnd(62)} ${formatMs(median(entry.seconds))}`);
  const [node, cli, version] = measured;
  if (node && cli) verdict('pc cluster -f', 'node -e 0', ratio(cli.seconds, node.seconds), TARGETS.coldStartVsNode, '≤');
  if (node && version) verdict('--version', 'node -e 0', ratio(version.seconds, node.seconds), TARGETS.versionVsNode, '≤');
}

/** Mesh dumps written by this run (a file left in bench/out by an earlier run may come from an older generator). */
const meshDumps = new Map<number, { file: string; generatedIn: number }>();

function meshDump(services: number): { file: string; generatedIn: number } {
  let dump = meshDumps.get(services);
  if (!dump) {
    const file = join(OUT, `sidecar-${services}.config_dump.json`);
    const started = performance.now();
    writeFileSync(file, serializeAdminJson(buildSidecarDump({ services, includeEds: true })));
    dump = { file, generatedIn: (performance.now() - started) / 1000 };
    meshDumps.set(services, dump);
  }
  return dump;
}

function meshRound(services: number, runs: number, cliBuilt: boolean): void {
  const { file, generatedIn } = meshDump(services);
  const fileBytes = statSync(file).size;
  console.log(
    `\nMesh of ${services.toLocaleString('en-US')} services: ${relative(ROOT, file)}, ${formatMb(fileBytes)}` + ` (generated in ${generatedIn.toFixed(1)} s)`,
  );

  // The fastest read measured here (one read, decoded whole: faster than readFileSync(…, 'utf8')
  // and than fs/promises' chunked decoding), so no Node tool can go below it.
  const floor = emptyMeasurement({
    label: 'floor: node reads + JSON.parse',
    argv: [process.execPath, '-e', "JSON.parse(require('node:fs').readFileSync(process.argv[1]).toString('utf8'))", file],
  });
  const pairs = EXTRACTIONS.map((extraction) => ({
    cli: cliBuilt ? emptyMeasurement({ label: `pc ${extraction.command}`, argv: [process.execPath, CLI, 'pc', extraction.command, '-f', file] }) : null,
    jq: emptyMeasurement({ label: `jq: ${extraction.jqLabel}`, argv: ['jq', '-r', extraction.jqFilter, file] }),
  }));
  const all = [floor, ...pairs.flatMap(({ cli, jq }) => (cli ? [cli, jq] : [jq]))];

  // The first round warms the page cache and counts output rows; the timed rounds discard output.
  const rowsFile = join(OUT, '.rows');
  for (const entry of all) {
    const sample = execute(entry.tool.argv, rowsFile, true);
    record(entry, sample, false);
    if (sample.ok) entry.rows = countLines(rowsFile);
  }
  for (let run = 0; run < runs; run++) {
    for (const entry of all) if (entry.problem === null) record(entry, execute(entry.tool.argv, null, true), true);
  }

  console.log(`  ${'command'.padEnd(40)} ${`wall (median of ${runs})`.padStart(20)} ${'peak RSS'.padStart(10)} ${'rows'.padStart(8)}`);
  for (const entry of all) {
    const cells = entry.problem
      ? [`FAILED: ${entry.problem}`]
      : [
          formatSeconds(median(entry.seconds)).padStart(20),
          (entry.peakRssBytes.length > 0 ? formatMb(Math.max(...entry.peakRssBytes)) : 'n/a').padStart(10),
          (entry.rows === null ? '' : entry.rows.toLocaleString('en-US')).padStart(8),
        ];
    console.log(`  ${entry.tool.label.padEnd(40)} ${cells.join(' ')}`);
  }

  if (!cliBuilt) return;
  console.log('  targets:');
  for (const { cli, jq } of pairs) {
    if (!cli || cli.problem !== null) continue;
    const name = cli.tool.label;
    if (floor.problem === null) verdict(name, 'the floor', ratio(cli.seconds, floor.seconds), TARGETS.timeVsFloor, '≤');
    if (jq.problem === null) verdict(name, 'jq', ratio(cli.seconds, jq.seconds), TARGETS.timeVsJq, '<');
    if (cli.peakRssBytes.length > 0) {
      const rssRatio = (entry: Measured) => Math.max(...entry.peakRssBytes) / fileBytes;
      // On small files Node's own ~40 MB dominates; the floor's ratio shows how much of it is the runtime.
      const context = floor.peakRssBytes.length > 0 ? `(floor ${rssRatio(floor).toFixed(2)}×)` : '';
      verdict(`${name} peak RSS`, 'the file size', rssRatio(cli), TARGETS.rssVsFile, '≤', context);
    }
  }
}

/** The request `pc trace` follows through the big dump: outbound HTTP to a service, resolved by name. */
const TRACED_URL = 'http://ratings.default.svc.cluster.local:9080/ratings/0';

/**
 * `pc trace` visits every listener but one route configuration, one cluster and one EDS assignment:
 * it should cost little more than `pc route`, which decodes the routes section alone.
 */
function traceRound(services: number, runs: number): void {
  const { file } = meshDump(services);
  const route = emptyMeasurement({ label: 'pc route', argv: [process.execPath, CLI, 'pc', 'route', '-f', file] });
  const trace = emptyMeasurement({ label: `pc trace ${TRACED_URL}`, argv: [process.execPath, CLI, 'pc', 'trace', '-f', file, TRACED_URL] });
  for (let run = -1; run < runs; run++) {
    for (const entry of [route, trace]) if (entry.problem === null) record(entry, execute(entry.tool.argv, null, false), run >= 0);
  }
  console.log(`\nTrace through the ${services.toLocaleString('en-US')}-service dump (median of ${runs})`);
  for (const entry of [route, trace]) {
    console.log(`  ${entry.tool.label.padEnd(72)} ${entry.problem ? `FAILED: ${entry.problem}` : formatSeconds(median(entry.seconds))}`);
  }
  if (route.problem === null && trace.problem === null) verdict('pc trace', 'pc route', ratio(trace.seconds, route.seconds), TARGETS.traceVsRoute, '≤');
}

const ZTUNNEL_MESH = { workloads: 20_000, services: 5_000, runs: 5 };

/** `zc` on an ambient mesh's ztunnel dump, against the floor and jq printing the same rows. */
function ztunnelRound(): void {
  const { workloads, services, runs } = ZTUNNEL_MESH;
  const file = join(OUT, `ztunnel-${workloads}.config_dump.json`);
  writeFileSync(file, JSON.stringify(buildZtunnelDump({ workloads, services }), null, 2));
  const fileBytes = statSync(file).size;
  console.log(
    `\nztunnel of ${workloads.toLocaleString('en-US')} workloads, ${services.toLocaleString('en-US')} services: ${relative(ROOT, file)}, ${formatMb(fileBytes)}`,
  );
  const floor = emptyMeasurement({
    label: 'floor: node reads + JSON.parse',
    argv: [process.execPath, '-e', "JSON.parse(require('node:fs').readFileSync(process.argv[1]).toString('utf8'))", file],
  });
  const pairs = [
    { command: 'workload', jq: '.workloads[] | [.namespace, .name, (.workloadIps | join(",")), .node, (.waypoint.destination // "None"), .protocol] | @tsv' },
    { command: 'service', jq: '.services[] | [.namespace, .name, (.vips | join(",")), (.endpoints | length)] | @tsv' },
  ].map(({ command, jq }) => ({
    cli: emptyMeasurement({ label: `zc ${command}`, argv: [process.execPath, CLI, 'zc', command, '-f', file] }),
    jq: emptyMeasurement({ label: `jq: ${command} rows`, argv: ['jq', '-r', jq, file] }),
  }));
  const all = [floor, ...pairs.flatMap(({ cli, jq }) => [cli, jq])];
  for (const entry of all) record(entry, execute(entry.tool.argv, null, true), false);
  for (let run = 0; run < runs; run++) {
    for (const entry of all) if (entry.problem === null) record(entry, execute(entry.tool.argv, null, true), true);
  }
  for (const entry of all) {
    const rss = entry.peakRssBytes.length > 0 ? formatMb(Math.max(...entry.peakRssBytes)) : 'n/a';
    console.log(
      `  ${entry.tool.label.padEnd(40)} ${entry.problem ? `FAILED: ${entry.problem}` : `${formatSeconds(median(entry.seconds)).padStart(20)} ${rss.padStart(10)}`}`,
    );
  }
  console.log('  targets:');
  for (const { cli, jq } of pairs) {
    if (cli.problem !== null) continue;
    if (floor.problem === null) verdict(cli.tool.label, 'the floor', ratio(cli.seconds, floor.seconds), TARGETS.timeVsFloor, '≤');
    if (jq.problem === null) verdict(cli.tool.label, 'jq', ratio(cli.seconds, jq.seconds), TARGETS.timeVsJq, '<');
  }
}

/** What each command prints, and jq producing roughly the same rows from the same dump. */
const EXTRACTIONS = [
  {
    command: 'cluster',
    jqLabel: 'cluster names, types, DRs',
    jqFilter:
      '.configs[] | select(."@type" | endswith(".ClustersConfigDump"))' +
      ' | (.dynamic_active_clusters[]?, .static_clusters[]?) | .cluster' +
      ' | [.name, (.type // "STATIC"), (.metadata.filter_metadata.istio.config // "")] | @tsv',
  },
  {
    command: 'route',
    jqLabel: 'route vhosts, domains, matches',
    jqFilter:
      '.configs[] | select(."@type" | endswith(".RoutesConfigDump"))' +
      ' | (.dynamic_route_configs[]?, .static_route_configs[]?) | .route_config | (.name // "") as $name' +
      ' | .virtual_hosts[]? | . as $vhost | .routes[]?' +
      ' | [$name, $vhost.name, ($vhost.domains | join(",")), (.match.prefix // .match.path // ""),' +
      ' (.metadata.filter_metadata.istio.config // "")] | @tsv',
  },
  {
    command: 'endpoint',
    jqLabel: 'EDS addresses, health, localities',
    jqFilter:
      '.configs[] | select(."@type" | endswith(".EndpointsConfigDump"))' +
      ' | (.dynamic_endpoint_configs[]?, .static_endpoint_configs[]?) | .endpoint_config | .cluster_name as $cluster' +
      ' | .endpoints[]? | ([.locality.region, .locality.zone] | map(select(. != null)) | join("/")) as $locality' +
      ' | .lb_endpoints[] | .endpoint.address as $address' +
      ' | [(if $address.socket_address then "\\($address.socket_address.address):\\($address.socket_address.port_value)"' +
      ' else "unix://\\($address.pipe.path)" end), (.health_status // "UNKNOWN"), $locality, $cluster] | @tsv',
  },
] as const;

// ---------------------------------------------------------------------------------------------

function emptyMeasurement(tool: Tool): Measured {
  return { tool, seconds: [], peakRssBytes: [], rows: null, problem: null };
}

function record(entry: Measured, sample: Sample, timed: boolean): void {
  if (!sample.ok) {
    if (entry.problem === null) failures.push(`${entry.tool.argv.map(shellQuote).join(' ')}: ${sample.problem}`);
    entry.problem = sample.problem;
    return;
  }
  if (!timed) return;
  entry.seconds.push(sample.seconds);
  if (sample.peakRssBytes !== null) entry.peakRssBytes.push(sample.peakRssBytes);
}

/** Runs one command to completion; stdout goes to `stdoutFile` or /dev/null. */
function execute(argv: string[], stdoutFile: string | null, measureRss: boolean): Sample {
  const rssFile = join(OUT, '.time');
  const wrapped = measureRss && hasGnuTime ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv] : argv;
  const [program = '', ...args] = wrapped;
  const stdout = stdoutFile === null ? 'ignore' : openSync(stdoutFile, 'w');
  const started = process.hrtime.bigint();
  const result = spawnSync(program, args, {
    stdio: ['ignore', stdout, 'pipe'],
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (typeof stdout === 'number') closeSync(stdout);
  if (result.error) return { ok: false, problem: result.error.message };
  if (result.signal) return { ok: false, problem: `killed by ${result.signal}` };
  if (result.status !== 0) {
    const firstLine =
      result.stderr
        .toString('utf8')
        .split('\n')
        .find((line) => line.trim() !== '') ?? '';
    return { ok: false, problem: `exit ${String(result.status)}${firstLine ? `: ${firstLine.trim()}` : ''}` };
  }
  // GNU time reports the maximum resident set size in KiB.
  const peakRssBytes = wrapped === argv ? null : Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) * 1024;
  return { ok: true, seconds, peakRssBytes };
}

function verdict(subject: string, yardstick: string, value: number, limit: number, comparison: '≤' | '<', context = ''): void {
  const pass = comparison === '≤' ? value <= limit : value < limit;
  if (pass) verdicts.passed++;
  else verdicts.failed++;
  const claim = `${value.toFixed(2)}× ${yardstick}`;
  const target = `target ${comparison} ${limit}×`;
  console.log(`    ${subject.padEnd(24)} ${claim.padEnd(22)} ${target.padEnd(14)} ${pass ? 'PASS' : 'FAIL'} ${context}`.trimEnd());
}

/** An absolute target: a wall time in seconds. */
function verdictSeconds(subject: string, seconds: number, limitSeconds: number): void {
  const pass = seconds <= limitSeconds;
  if (pass) verdicts.passed++;
  else verdicts.failed++;
  console.log(`    ${subject.padEnd(24)} ${formatSeconds(seconds).padEnd(22)} ${`target ≤ ${limitSeconds} s`.padEnd(14)} ${pass ? 'PASS' : 'FAIL'}`);
}

function ratio(numerator: number[], denominator: number[]): number {
  return median(numerator) / median(denominator);
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function countLines(file: string): number {
  const text = readFileSync(file, 'utf8');
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function toolVersion(program: string, flag: string): string {
  const result = spawnSync(program, [flag], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : `${program} not found`;
}

function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(3)} s`;
}

function formatMs(seconds: number): string {
  return `${(seconds * 1000).toFixed(0)} ms`;
}

function formatMb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function shellQuote(word: string): string {
  return /^[\w./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

await main();
