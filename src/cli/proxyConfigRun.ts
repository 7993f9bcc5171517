// Runs one `pc` command: get the input (file, pod, pods, or an admin URL), render it, print it.
import { DataError, EnvoyscopeError, ExitCode } from '../errors.ts';
import { decodeInput, decodeJson, type DecodedInput } from '../envoy/input.ts';
import type { ClusterLoadAssignment, Entry, SectionKind } from '../envoy/model.ts';
import { AdminBadBodyError } from '../kube/errors.ts';
import type { AdminTransport, EnvoyAdminClient } from '../kube/types.ts';
import {
  allFilterNotes,
  formatRendered,
  formatRenderedForPods,
  layoutOf,
  missingAllSections,
  renderProxyConfig,
  sectionsShown,
  type PcFilters,
  type PcKind,
  type PcRequest,
  type Rendered,
} from '../render/proxyConfig.ts';
import { isTabular, type OutputFormat } from '../render/output.ts';
import { palette } from '../io/streams.ts';
import { readInput } from '../source/file.ts';
import type { CliContext } from './context.ts';

/** Where the input comes from: exactly one of these per command (checked when the options are built). */
export type PcSource =
  | { kind: 'file'; path: string }
  | { kind: 'pod'; target: string }
  | { kind: 'selector'; selector: string; allNamespaces: boolean }
  | { kind: 'admin-url'; url: string };

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  timeoutMs: number;
  via: AdminTransport;
  adminPort: number;
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
  /** The filter flags given (`--port`, …), for `pc all`'s notes on what they do not filter. */
  filterFlags: string[];
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

/** How many pods `-l` talks to at once. */
const FAN_OUT = 4;

export async function runProxyConfig(options: ProxyConfigOptions, ctx: CliContext): Promise<void> {
  const { source } = options;
  if (source.kind === 'file') {
    const input = await readInput(source.path, ctx.io.in);
    await show(options, ctx, decodeInput(input.bytes, input.name, { only: sectionsShown(options.kind, options.output) }), input.name);
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

async function runOnPods(
  options: ProxyConfigOptions,
  source: Extract<PcSource, { kind: 'pod' | 'selector' }>,
  ctx: CliContext,
): Promise<void> {
  // The Kubernetes client costs ~350 ms to load: only commands that talk to a cluster pay for it.
  const kube = await import('../kube/index.ts');
  const { kube: k } = options;
  const session = await kube.connect({
    timeoutMs: k.timeoutMs,
    env: ctx.env,
    ...(k.kubeconfig !== undefined ? { kubeconfig: k.kubeconfig } : {}),
    ...(k.context !== undefined ? { context: k.context } : {}),
    ...(k.namespace !== undefined ? { namespace: k.namespace } : {}),
    ...logger(options, ctx),
  });
  try {
    const pods = await session.resolveTargets(
      source.kind === 'pod' ? { target: source.target } : { selector: source.selector, allNamespaces: source.allNamespaces },
    );
    const fetchPod = async (pod: (typeof pods)[number]): Promise<DecodedInput> => {
      const admin = await session.admin(pod, { via: k.via, adminPort: k.adminPort });
      try {
        return await fetchInput(admin, options);
      } finally {
        await admin.close();
      }
    };
    if (source.kind === 'pod') {
      const [pod] = pods;
      if (pod) await show(options, ctx, await fetchPod(pod), kube.podLabel(pod));
      return;
    }
    const results = await kube.settleEach(pods, FAN_OUT, fetchPod);
    const rendered: { pod: string; rendered: Rendered }[] = [];
    let failure: EnvoyscopeError | undefined;
    for (const result of results) {
      const pod = kube.podLabel(result.item);
      try {
        if (!result.ok) throw result.error;
        rendered.push({ pod, rendered: renderProxyConfig(result.value, request(options, ctx, pod)) });
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
  const input = await fetchDecoded(admin, adminPath(options.kind, options.output), sectionsShown(options.kind, options.output));
  if (input.kind !== 'clusters' || options.output !== 'wide') return input;
  // `pc endpoint -o wide`: WORKLOAD and VERSION are in the EDS metadata, which /clusters lacks.
  // Without it (an old Envoy, a refused request) those columns say `-`; the hosts are still shown.
  try {
    const eds = await fetchDecoded(admin, ADMIN_PATHS.eds, sectionsShown('eds', options.output));
    return eds.kind === 'config_dump' ? { ...input, eds: eds.dump.endpoints as Entry<ClusterLoadAssignment>[] } : input;
  } catch (error) {
    if (error instanceof EnvoyscopeError) return input;
    throw error;
  }
}

async function fetchDecoded(admin: EnvoyAdminClient, path: string, only: ReadonlySet<SectionKind> | undefined): Promise<DecodedInput> {
  const response = await admin.get(path);
  try {
    return decodeJson(response.json, admin.source, only);
  } catch (error) {
    // Valid JSON that is not what Envoy sends for this path.
    if (!(error instanceof DataError)) throw error;
    throw new AdminBadBodyError(admin.source, path, error.problem);
  }
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
  };
}

async function show(options: ProxyConfigOptions, ctx: CliContext, input: DecodedInput, source: string): Promise<void> {
  const rendered = renderProxyConfig(input, request(options, ctx, source));
  ctx.io.out.write(await highlightHeader(formatRendered(rendered, layoutOf(options.output)), rendered, options, ctx));
  if (options.kind === 'all') {
    for (const note of allFilterNotes(options.filterFlags, options.output)) ctx.io.err.write(`note: ${note}\n`);
    if (isTabular(options.output)) {
      for (const section of missingAllSections(input)) ctx.io.err.write(`note: ${source} has no ${section} section\n`);
    }
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

function logger(options: ProxyConfigOptions, ctx: CliContext): { log?: (line: string) => void } {
  return options.kube.verbose ? { log: (line) => ctx.io.err.write(`${line}\n`) } : {};
}
