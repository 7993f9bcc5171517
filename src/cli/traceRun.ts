// Runs `pc trace`: gets the config (saved dump, admin URL, or pod), builds the request, traces it,
// prints the walk. Live, it asks Envoy only for what a trace reads: listeners, routes, clusters
// and the bootstrap (masked config_dump), then host health from /clusters when the walk reaches
// endpoints.
import { DataError, EnvoyscopeError, ExitCode, MissingSectionError, UsageError } from '../errors.ts';
import { decodeInput } from '../envoy/input.ts';
import { traceConfigFromBytes, traceConfigOf, type TraceConfig } from '../trace/config.ts';
import type { ClusterLoadAssignment, SectionKind } from '../envoy/model.ts';
import type { EnvoyAdminClient } from '../kube/types.ts';
import { formatJson, formatYaml } from '../render/output.ts';
import { readInput } from '../source/file.ts';
import { renderTraceText } from '../trace/render.ts';
import { buildTraceRequest, type TraceArgs } from '../trace/request.ts';
import { traceRequest, UNROUTED_OUTCOMES, type Trace, type TraceSources } from '../trace/trace.ts';
import type { CliContext } from './context.ts';
import { connectKube, fetchConfigDump, fetchDecoded, logger, type KubeOptions } from './proxyConfigRun.ts';

import type { TraceOutput } from './commands/trace.ts';

export type TraceSource =
  | { kind: 'file'; path: string }
  | { kind: 'pod'; target: string }
  | { kind: 'admin-url'; url: string }
  /** The pod of a waypoint (a Gateway's deployment). */
  | { kind: 'waypoint'; name: string };

export interface TraceOptions {
  source: TraceSource;
  args: TraceArgs;
  /** Pilot /debug/edsz, or a saved /clusters?format=json: endpoints a dump lacks. */
  endpointsFile?: string;
  output: TraceOutput;
  exitCode: boolean;
  /** --max-input-size for --file and --eds. */
  maxInputBytes: number;
  kube: KubeOptions;
}

/** The sections a trace reads; the others are never decoded. */
const TRACE_SECTIONS: ReadonlySet<SectionKind> = new Set(['listeners', 'routes', 'scopedRoutes', 'clusters', 'endpoints', 'bootstrap']);

const LIVE_CONFIG_PATH =
  'config_dump?mask=bootstrap.node,dynamic_listeners,static_listeners,dynamic_active_listeners,static_route_configs,dynamic_route_configs,' +
  'inline_scoped_route_configs,dynamic_scoped_route_configs,static_clusters,dynamic_active_clusters,dynamic_warming_clusters';
const LIVE_CLUSTERS_PATH = 'clusters?format=json';

export async function runTrace(options: TraceOptions, ctx: CliContext): Promise<void> {
  const extra = options.endpointsFile === undefined ? {} : await readEndpoints(options.endpointsFile, options.maxInputBytes, ctx);
  const { source } = options;
  let trace: Trace;
  if (source.kind === 'file') {
    const input = await readInput(source.path, ctx.io, { maxBytes: options.maxInputBytes });
    trace = traceConfig(traceConfigFromBytes(input.bytes, input.name), input.name, options, extra);
  } else if (source.kind === 'admin-url') {
    const { directAdmin } = await import('../kube/directAdmin.ts');
    trace = await traceLive(directAdmin(source.url, { timeoutMs: options.kube.timeoutMs, ...logger(options, ctx) }), options, extra);
  } else {
    trace = await traceOnPod(source, options, ctx, extra);
  }
  ctx.io.out.write(options.output === 'json' ? formatJson(trace) : options.output === 'yaml' ? formatYaml(trace) : renderTraceText(trace));
  if (options.exitCode && UNROUTED_OUTCOMES.has(trace.result.outcome)) {
    throw new EnvoyscopeError(`the request is not routed (${trace.result.outcome})`, ExitCode.NOT_ROUTED);
  }
}

function traceConfig(config: TraceConfig, source: string, options: TraceOptions, extra: Partial<TraceSources>): Trace {
  if (!config.sections.has('listeners')) throw new MissingSectionError(source, 'has no listeners section: pc trace starts at the listeners');
  return traceRequest({ config, ...extra }, buildTraceRequest(options.args, config));
}

async function traceLive(admin: EnvoyAdminClient, options: TraceOptions, extra: Partial<TraceSources>): Promise<Trace> {
  try {
    const config = traceConfigOf(await fetchConfigDump(admin, LIVE_CONFIG_PATH, TRACE_SECTIONS));
    const first = traceConfig(config, admin.source, options, extra);
    // Host health only matters once the walk has reached a cluster with endpoints to pick from.
    const reachedEndpoints =
      first.steps.some((step) => step.stage === 'endpoints') && first.result.outcome !== 'passthrough' && first.result.outcome !== 'blackhole';
    if (!reachedEndpoints || extra.live) return first;
    const decoded = await fetchDecoded(admin, LIVE_CLUSTERS_PATH, undefined);
    return traceConfig(config, admin.source, options, { ...extra, ...(decoded.kind === 'clusters' ? { live: decoded.clusters.cluster_statuses } : {}) });
  } finally {
    await admin.close();
  }
}

async function traceOnPod(
  source: Extract<TraceSource, { kind: 'pod' | 'waypoint' }>,
  options: TraceOptions,
  ctx: CliContext,
  extra: Partial<TraceSources>,
): Promise<Trace> {
  // The Kubernetes client costs ~350 ms to load: only commands that talk to a cluster pay for it.
  const kube = await import('../kube/index.ts');
  const { kube: k } = options;
  const session = await connectKube(kube, k, ctx);
  try {
    const { waypointPod } = await import('../kube/waypoint.ts');
    const [pod] =
      source.kind === 'waypoint'
        ? [await waypointPod(session, source.name, (line) => ctx.io.err.write(`note: ${line}\n`))]
        : await session.resolveTargets({ target: source.target });
    if (!pod) throw new UsageError(`no pod for "${source.kind === 'waypoint' ? source.name : source.target}"`);
    return await traceLive(await session.admin(pod, { via: k.via, adminPort: k.adminPort }), options, extra);
  } finally {
    await session.close();
  }
}

/** `--eds FILE`: Pilot's /debug/edsz (ClusterLoadAssignments) or a saved /clusters?format=json. */
async function readEndpoints(path: string, maxBytes: number, ctx: CliContext): Promise<Partial<TraceSources>> {
  const input = await readInput(path, ctx.io, { maxBytes });
  const decoded = decodeInput(input.bytes, input.name);
  if (decoded.kind === 'clusters') return { live: decoded.clusters.cluster_statuses };
  const assignments: ClusterLoadAssignment[] = decoded.dump.endpoints.map((entry) => entry.resource);
  if (assignments.length === 0)
    throw new DataError(input.name, 'holds no endpoints (expected Pilot /debug/edsz, a config dump with EDS, or /clusters?format=json)');
  return { edsz: assignments };
}
