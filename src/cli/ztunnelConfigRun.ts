// Runs one `zc` command: get a ztunnel /config_dump (file, or the ztunnel the user means), decode,
// render, print. `zc log` gets or sets the log level of one ztunnel or all of them.
import { DataError, EnvoyscopeError, ExitCode } from '../errors.ts';
import { parseJsonInput } from '../envoy/input.ts';
import { NoZtunnelError, ZtunnelNotReadyError } from '../kube/ambient.ts';
import { AdminBadBodyError, podLabel } from '../kube/errors.ts';
import { settleEach } from '../kube/fanOut.ts';
import type { KubeSession } from '../kube/session.ts';
import type { PodRef } from '../kube/types.ts';
import type { ZtunnelChoice } from '../kube/ztunnel.ts';
import { formatRendered } from '../render/proxyConfig.ts';
import { readInput } from '../source/file.ts';
import { decodeZtunnelDump } from '../ztunnel/decode.ts';
import { loggingPath } from '../ztunnel/logLevel.ts';
import type { ZtunnelDump } from '../ztunnel/model.ts';
import { renderZtunnel, type ZcFilters, type ZcKind, type ZcOutput } from '../ztunnel/render.ts';
import type { CliContext } from './context.ts';
import { connectKube, type KubeOptions } from './proxyConfigRun.ts';

/** A saved dump, or a live ztunnel: named by a pod (ztunnel or application), by --node, or none. */
export type ZcSource = { kind: 'file'; path: string } | { kind: 'live'; target?: string; node?: string };

export interface ZtunnelConfigOptions {
  kind: ZcKind;
  source: ZcSource;
  kube: KubeOptions;
  istioNamespace: string;
  output: ZcOutput;
  filters: ZcFilters;
  withHeaders: boolean;
}

export interface ZtunnelLogOptions {
  source: Extract<ZcSource, { kind: 'live' }>;
  kube: KubeOptions;
  istioNamespace: string;
  /** The `level=` value, already checked and spelled for ztunnel. */
  level?: string;
  reset: boolean;
}

const CONFIG_DUMP_PATH = 'config_dump';

export async function runZtunnelConfig(options: ZtunnelConfigOptions, ctx: CliContext): Promise<void> {
  if (options.source.kind === 'file') {
    const input = await readInput(options.source.path, ctx.io);
    const json = parseJsonInput(input.bytes, input.name);
    show(options, ctx, decodeZtunnelDump(json, input.name), json, options.filters);
    return;
  }
  const { source } = options;
  await withSession(options.kube, ctx, async (session) => {
    const choice = await chooseAndSay(session, source, options, ctx);
    const admin = await session.admin(choice.ztunnel, { via: 'port-forward', adminPort: options.kube.adminPort, anyContainer: true });
    const response = await admin.get(CONFIG_DUMP_PATH);
    let dump: ZtunnelDump;
    try {
      dump = decodeZtunnelDump(response.json, admin.source);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      throw new AdminBadBodyError(admin.source, CONFIG_DUMP_PATH, error.problem);
    }
    // An application pod: show its workload (and its connections), the question users have.
    const filters = choice.workload ? narrowTo(options.filters, choice.workload) : options.filters;
    if (choice.workload && !dump.workloads.some((w) => w.name === choice.workload?.name && w.namespace === choice.workload.namespace)) {
      ctx.io.err.write(`note: ztunnel ${admin.source} does not know workload ${choice.workload.name}.${choice.workload.namespace}\n`);
    }
    show(options, ctx, dump, response.json, filters);
  });
}

/** The ztunnel the command's target names (a ztunnel, an application pod, a node, or any), with its notes said on stderr. */
async function chooseAndSay(
  session: KubeSession,
  source: Extract<ZcSource, { kind: 'live' }>,
  options: { istioNamespace: string; kube: KubeOptions },
  ctx: CliContext,
): Promise<ZtunnelChoice> {
  const { chooseZtunnel } = await import('../kube/ztunnel.ts');
  const choice = await chooseZtunnel(session, {
    istioNamespace: options.istioNamespace,
    ...(source.target !== undefined ? { target: source.target } : {}),
    ...(source.node !== undefined ? { node: source.node } : {}),
    ...(options.kube.namespace !== undefined ? { namespace: options.kube.namespace } : {}),
  });
  for (const note of choice.notes) ctx.io.err.write(`note: ${note}\n`);
  return choice;
}

function narrowTo(filters: ZcFilters, workload: { name: string; namespace: string }): ZcFilters {
  return { ...filters, workload: { ...filters.workload, ...workload }, connections: { ...filters.connections, ...workload } };
}

function show(options: ZtunnelConfigOptions, ctx: CliContext, dump: ZtunnelDump, json: unknown, filters: ZcFilters): void {
  const rendered = renderZtunnel(dump, json, { kind: options.kind, output: options.output, filters, withHeaders: options.withHeaders, now: ctx.now() });
  ctx.io.out.write(formatRendered(rendered, options.output === 'table' ? 'boxes' : 'columns'));
}

export async function runZtunnelLog(options: ZtunnelLogOptions, ctx: CliContext): Promise<void> {
  const { source } = options;
  await withSession(options.kube, ctx, async (session) => {
    const { listZtunnels } = await import('../kube/ztunnel.ts');
    let pods: PodRef[];
    if (source.target === undefined && source.node === undefined) {
      pods = await listZtunnels(session, options.istioNamespace);
      if (pods.length === 0) throw new NoZtunnelError('at all', options.istioNamespace);
    } else {
      pods = [(await chooseAndSay(session, source, options, ctx)).ztunnel];
    }
    if (options.reset) ctx.io.err.write('note: resetting the log level to ztunnel\'s default, "info"\n');
    const path = loggingPath(options.level, options.reset);
    const results = await settleEach(pods, options.kube.concurrency, async (pod) => {
      if (!pod.ready) throw new ZtunnelNotReadyError(pod);
      const admin = await session.admin(pod, { via: 'port-forward', adminPort: options.kube.adminPort, anyContainer: true });
      return (await admin.post(path)).body;
    });
    // One ztunnel's failure is reported and the others are still shown, as istioctl does.
    let firstFailure: EnvoyscopeError | undefined;
    for (const result of results) {
      if (result.ok) {
        ctx.io.out.write(`${podLabel(result.item)}:\n${result.value}\n`);
        continue;
      }
      if (!(result.error instanceof EnvoyscopeError)) throw result.error;
      firstFailure ??= result.error;
      if (results.length > 1) ctx.io.err.write(`error: ${result.error.message}\n`);
    }
    const failed = results.filter((result) => !result.ok).length;
    if (firstFailure) {
      throw failed === results.length ? firstFailure : new EnvoyscopeError(`${failed} of ${results.length} ztunnels failed (see above)`, ExitCode.PARTIAL);
    }
  });
}

async function withSession(k: KubeOptions, ctx: CliContext, work: (session: KubeSession) => Promise<void>): Promise<void> {
  // The Kubernetes client loads only for commands that talk to a cluster.
  const kube = await import('../kube/index.ts');
  const session = await connectKube(kube, k, ctx);
  try {
    await work(session);
  } finally {
    await session.close();
  }
}
