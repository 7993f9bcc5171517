// Runs one `pc` command: get the input (file, pod, pods, or an admin URL), render it, print it.
import { DataError, EnvoyscopeError, ExitCode, UsageError } from '../errors.ts';
import { configsOneByOne, decodeInput, decodeJson, type DecodedInput } from '../envoy/input.ts';
import type { ClusterLoadAssignment, ConfigDump, Entry, SectionKind } from '../envoy/model.ts';
import { AdminBadBodyError } from '../kube/errors.ts';
import type { KubeSession } from '../kube/session.ts';
import type { AdminTransport, EnvoyAdminClient } from '../kube/types.ts';
import {
  allFilterNotes,
  formatRendered,
  formatRenderedForPods,
  layoutOf,
  missingAllSections,
  renderedChunks,
  renderProxyConfig,
  sectionsToDecode,
  type PcFilters,
  type PcKind,
  type PcRequest,
  type Rendered,
} from '../render/proxyConfig.ts';
import { isTabular, type OutputFormat } from '../render/output.ts';
import { palette, writeChunks } from '../io/streams.ts';
import { wholeDumpChunks } from '../render/stream.ts';
import { readInput } from '../source/file.ts';
import type { IstiodCliOptions } from './commands/istiodOptions.ts';
import type { CliContext } from './context.ts';
import { definedOnly } from './flags.ts';
import { fanOutProgress } from './progress.ts';

/** Where the input comes from: exactly one of these per command (checked when the options are built). */
export type PcSource =
  | { kind: 'file'; path: string }
  | { kind: 'pod'; target: string }
  | { kind: 'selector'; selector: string; allNamespaces: boolean }
  | { kind: 'admin-url'; url: string }
  /** The pod of a waypoint (a Gateway's deployment), found by its gateway-name label. */
  | { kind: 'waypoint'; name: string };

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  timeoutMs: number;
  via: AdminTransport;
  adminPort: number;
  /** --concurrency: how many pods `-l` talks to at once. */
  concurrency: number;
  /** --verbose: report each fetch on stderr. */
  verbose: boolean;
}

export interface ProxyConfigOptions {
  kind: PcKind;
  source: PcSource;
  kube: KubeOptions;
  output: OutputFormat;
  filters: PcFilters;
  detailed: boolean;
  withHeaders: boolean;
  /** `pc endpoint --source istiod`: ask istiod (edsz) instead of the pod's Envoy. */
  istiod?: IstiodCliOptions;
  /** The filter flags given (`--port`, …), for `pc all`'s notes on what they do not filter. */
  filterFlags: string[];
  /** --chains: listeners as a waypoint's chains (automatic on waypoint pods). */
  chains?: boolean;
  /** --strict: parse every section of a file, so damage anywhere in it is reported. */
  strict: boolean;
  /** --max-input-size: a longer input (an endless stream) is an error. */
  maxInputBytes: number;
}

/**
 * What each command asks a live Envoy for: only the sections it shows (istioctl's masks), EDS only
 * where endpoints are shown, and live host health from /clusters for `pc endpoint`.
 */
export const ADMIN_PATHS: Record<PcKind, string> = {
  listener: 'config_dump?mask=dynamic_listeners,static_listeners',
  route: 'config_dump?mask=dynamic_route_configs,static_route_configs',
  cluster: 'config_dump?mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters',
  endpoint: 'clusters?format=json',
  eds: 'config_dump?include_eds&mask=dynamic_endpoint_configs,static_endpoint_configs',
  bootstrap: 'config_dump?mask=bootstrap',
  secret: 'config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets,static_secrets',
  ecds: 'config_dump?mask=ecds_filters',
  all: 'config_dump?include_eds',
};

/** `pc cluster -o wide` counts each cluster's endpoints, so it asks for the EDS sections as well. */
const WIDE_ADMIN_PATHS: Partial<Record<PcKind, string>> = {
  cluster: 'config_dump?include_eds&mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters,dynamic_endpoint_configs,static_endpoint_configs',
};

export function adminPath(kind: PcKind, output: OutputFormat): string {
  return (output === 'wide' ? WIDE_ADMIN_PATHS[kind] : undefined) ?? ADMIN_PATHS[kind];
}

/**
 * How many pods `-l` talks to at once by default: each is a port-forward through the API server,
 * which a real API server (and its rate limits) takes well, and enough to hide each one's latency.
 */
export const DEFAULT_CONCURRENCY = 8;

export async function runProxyConfig(options: ProxyConfigOptions, ctx: CliContext): Promise<void> {
  // Said once, whatever the source: which sections of `pc all` each filter narrows.
  if (options.kind === 'all') {
    for (const note of allFilterNotes(options.filterFlags, options.output)) ctx.io.err.write(`note: ${note}\n`);
  }
  const { source } = options;
  if (source.kind === 'file') {
    const input = await readInput(source.path, ctx.io, { maxBytes: options.maxInputBytes });
    try {
      await showFile(options, ctx, input.bytes, input.name);
    } catch (error) {
      throw limitError(error, input.name, input.bytes.length, options) ?? error;
    }
    return;
  }
  if (options.istiod) {
    if (source.kind !== 'pod') throw new UsageError(`--source istiod takes one pod (or --file with a saved edsz), not a ${source.kind}`);
    await runOnIstiod(options, options.istiod, source.target, ctx);
    return;
  }
  if (source.kind === 'admin-url') {
    const { directAdmin } = await import('../kube/directAdmin.ts');
    const admin = directAdmin(source.url, { timeoutMs: options.kube.timeoutMs, ...logger(options, ctx) });
    await show(options, ctx, await fetchInput(admin, options), admin.source);
    return;
  }
  await runOnPods(options, source, ctx);
}

/** What istiod holds for the pod's proxy (`edsz?proxyID=`), shown like the pod's own. */
async function runOnIstiod(options: ProxyConfigOptions, istiodOptions: IstiodCliOptions, target: string, ctx: CliContext): Promise<void> {
  const { openIstiod } = await import('../istiod/live.ts');
  const { podLabel } = await import('../kube/index.ts');
  const istiod = await openIstiod(istiodOptions, ctx);
  try {
    const [pod] = await istiod.session.resolveTargets({ target });
    if (!pod) return;
    const answer = await istiod.askForProxy('edsz', podLabel(pod));
    const source = `the edsz of istiod ${answer.replica} for ${podLabel(pod)}`;
    await show(options, ctx, decodeInput(answer.text, source, { only: sectionsToDecode(options.kind, options.output) }), source);
  } finally {
    await istiod.close();
  }
}

async function runOnPods(options: ProxyConfigOptions, source: Extract<PcSource, { kind: 'pod' | 'selector' | 'waypoint' }>, ctx: CliContext): Promise<void> {
  // The Kubernetes client is the biggest chunk of the bundle: only commands that talk to a cluster load it.
  const kube = await import('../kube/index.ts');
  const { kube: k } = options;
  const session = await connectKube(kube, k, ctx);
  try {
    const { isWaypointPod, waypointPod } = await import('../kube/waypoint.ts');
    const pods =
      source.kind === 'waypoint'
        ? [await waypointPod(session, source.name, (line) => ctx.io.err.write(`note: ${line}\n`))]
        : await session.resolveTargets(source.kind === 'pod' ? { target: source.target } : { selector: source.selector, allNamespaces: source.allNamespaces });
    const fetchPod = async (pod: (typeof pods)[number]): Promise<DecodedInput> => {
      const admin = await session.admin(pod, { via: k.via, adminPort: k.adminPort });
      try {
        return await fetchInput(admin, options);
      } finally {
        await admin.close();
      }
    };
    if (source.kind !== 'selector') {
      const [pod] = pods;
      // A waypoint's listeners read best as its chains.
      if (pod) await show({ ...options, chains: options.chains === true || isWaypointPod(pod) }, ctx, await fetchPod(pod), kube.podLabel(pod));
      return;
    }
    // Each pod's dump is rendered as soon as it arrives, so that only its rows stay in memory.
    const fetchAndRender = async (pod: (typeof pods)[number]): Promise<Rendered> =>
      renderProxyConfig(await fetchPod(pod), request(options, ctx, kube.podLabel(pod)));
    const progress = fanOutProgress(ctx.io.err, pods.length);
    const results = await kube.settleEach(pods, k.concurrency, fetchAndRender, progress.settled).finally(progress.end);
    const rendered: { pod: string; rendered: Rendered }[] = [];
    let failure: EnvoyscopeError | undefined;
    for (const result of results) {
      try {
        if (!result.ok) throw result.error;
        rendered.push({ pod: kube.podLabel(result.item), rendered: result.value });
      } catch (error) {
        // One pod's failure is reported, and the others are still shown.
        if (!(error instanceof EnvoyscopeError)) throw error;
        failure ??= error;
        // When every pod fails, the first failure alone is the command's error (printed once, by run()).
        if (results.length > 1) ctx.io.err.write(`error: ${error.message}\n`);
      }
    }
    ctx.io.out.write(await highlightHeader(formatRenderedForPods(rendered, layoutOf(options.output)), rendered[0]?.rendered, options, ctx));
    if (failure) {
      throw rendered.length === 0
        ? failure
        : new EnvoyscopeError(`${results.length - rendered.length} of ${results.length} pods failed (see above)`, ExitCode.PARTIAL);
    }
  } finally {
    await session.close();
  }
}

async function fetchInput(admin: EnvoyAdminClient, options: ProxyConfigOptions): Promise<DecodedInput> {
  const input = await fetchDecoded(admin, adminPath(options.kind, options.output), sectionsToDecode(options.kind, options.output));
  if (input.kind !== 'clusters' || options.output !== 'wide') return input;
  // `pc endpoint -o wide`: WORKLOAD and VERSION are in the EDS metadata, which /clusters lacks.
  // Without it (an old Envoy, a refused request) those columns say `-`; the hosts are still shown.
  try {
    const eds = await fetchDecoded(admin, ADMIN_PATHS.eds, sectionsToDecode('eds', options.output));
    return eds.kind === 'config_dump' ? { ...input, eds: eds.dump.endpoints as Entry<ClusterLoadAssignment>[] } : input;
  } catch (error) {
    if (error instanceof EnvoyscopeError) return input;
    throw error;
  }
}

/** One admin path, decoded; a body that is JSON but not what Envoy sends there is AdminBadBodyError. */
export async function fetchDecoded(admin: EnvoyAdminClient, path: string, only: ReadonlySet<SectionKind> | undefined): Promise<DecodedInput> {
  const response = await admin.get(path);
  try {
    return decodeJson(response.json, admin.source, only);
  } catch (error) {
    // Valid JSON that is not what Envoy sends for this path.
    if (!(error instanceof DataError)) throw error;
    throw new AdminBadBodyError(admin.source, path, error.problem);
  }
}

/** A config dump from Envoy admin at `path`: anything else there is a bad answer. */
export async function fetchConfigDump(admin: EnvoyAdminClient, path: string, only?: ReadonlySet<SectionKind>): Promise<ConfigDump> {
  const decoded = await fetchDecoded(admin, path, only);
  if (decoded.kind !== 'config_dump') throw new AdminBadBodyError(admin.source, path, 'is not a config dump');
  return decoded.dump;
}

function request(options: ProxyConfigOptions, ctx: CliContext, source: string): PcRequest {
  return {
    kind: options.kind,
    output: options.output,
    filters: options.filters,
    detailed: options.detailed,
    withHeaders: options.withHeaders,
    source,
    now: ctx.now(),
    chains: options.chains === true,
  };
}

async function showFile(options: ProxyConfigOptions, ctx: CliContext, bytes: Buffer, source: string): Promise<void> {
  const { kind, output, strict } = options;
  // `pc all -o json|yaml|raw` prints the whole dump: a big one is read and written a section at a time.
  const whole = kind === 'all' && !isTabular(output) ? configsOneByOne(bytes, source, { strict }) : undefined;
  if (whole) {
    await writeChunks(ctx.io.out, wholeDumpChunks(whole, output === 'yaml' ? 'yaml' : 'json'));
    return;
  }
  await show(options, ctx, decodeInput(bytes, source, { only: sectionsToDecode(kind, output), strict }), source);
}

/**
 * A V8 limit met on a huge input (a string or buffer too long, a stack too deep) as one line that
 * names the size and what to do instead; undefined for any other error.
 */
function limitError(error: unknown, source: string, bytes: number, options: ProxyConfigOptions): DataError | undefined {
  if (!(error instanceof Error)) return undefined;
  const command = `'pc ${options.kind} -o ${options.output}'`;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new DataError(source, `is nested too deeply for ${command} (the call stack ran out); -o json and -o raw handle any depth`);
  }
  const tooBig = /invalid string length|invalid array length|allocation failed|string longer than/i.test(error.message);
  if (!tooBig && (error as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') return undefined;
  return new DataError(
    source,
    `(${(bytes / 1e6).toFixed(0)} MB) is too big for ${command} (${error.message}): use a section command (pc cluster, pc listener, …), filters, or -o json`,
  );
}

async function show(options: ProxyConfigOptions, ctx: CliContext, input: DecodedInput, source: string): Promise<void> {
  const rendered = renderProxyConfig(input, request(options, ctx, source));
  if (rendered.kind === 'data') {
    await writeChunks(ctx.io.out, renderedChunks(rendered));
    return;
  }
  ctx.io.out.write(await highlightHeader(formatRendered(rendered, layoutOf(options.output)), rendered, options, ctx));
  if (options.kind === 'all' && isTabular(options.output)) {
    for (const section of missingAllSections(input)) ctx.io.err.write(`note: ${source} has no ${section} section\n`);
  }
}

/** On a terminal, a column table's header line is bold (after layout, so the columns stay aligned). */
async function highlightHeader(text: string, rendered: Rendered | undefined, options: ProxyConfigOptions, ctx: CliContext): Promise<string> {
  const columns = options.output === 'short' || options.output === 'wide';
  const color = rendered?.kind === 'table' && columns ? await palette(ctx.io.colorOut) : undefined;
  if (!color) return text;
  const end = text.indexOf('\n');
  return color.bold(text.slice(0, end)) + text.slice(end);
}

export function logger(options: { kube: KubeOptions }, ctx: CliContext): { log?: (line: string) => void } {
  return options.kube.verbose ? { log: (line) => ctx.io.err.write(`${line}\n`) } : {};
}

/** A session on the kubeconfig's cluster with the command's connection flags (`kube` is the lazily loaded module). */
export function connectKube(kube: typeof import('../kube/index.ts'), k: KubeOptions, ctx: CliContext): Promise<KubeSession> {
  return kube.connect({
    timeoutMs: k.timeoutMs,
    env: ctx.env,
    ...definedOnly({ kubeconfig: k.kubeconfig, context: k.context, namespace: k.namespace }),
    ...logger({ kube: k }, ctx),
  });
}
