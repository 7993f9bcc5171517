// Runs `pc diff`: get both sides (files or pods), compare, print; with --exit-code, exit 1 on differences.
import { existsSync } from 'node:fs';
import { DifferencesFound, UsageError } from '../errors.ts';
import { compareDumps, type DiffKind, type KindDiff } from '../diff/compare.ts';
import { diffData, diffText, type DiffLabels } from '../diff/view.ts';
import { decodeInput } from '../envoy/input.ts';
import type { ConfigDump } from '../envoy/model.ts';
import { formatData } from '../render/output.ts';
import { readInput } from '../source/file.ts';
import type { CliContext } from './context.ts';
import { connectKube, fetchConfigDump, type KubeOptions } from './proxyConfigRun.ts';

export interface DiffOptions {
  a: string;
  b?: string;
  kinds?: DiffKind[];
  output: 'short' | 'json' | 'yaml';
  exitCode: boolean;
  kube: KubeOptions;
}

interface Side {
  label: string;
  dump: ConfigDump;
}

/** A path that exists (or `-`) is a saved dump; anything else names a pod. */
const isFile = (arg: string) => arg === '-' || existsSync(arg);

export async function runDiff(options: DiffOptions, ctx: CliContext): Promise<void> {
  const pods = [options.a, options.b].filter((arg): arg is string => arg !== undefined && !isFile(arg));
  if (options.b === undefined && pods.length === 0) throw new UsageError('pc diff needs two sources, or one workload (deploy/x) to compare two of its pods');
  const fromPods = pods.length > 0 ? await podDumps(pods, options, ctx) : new Map<string, Side>();
  const side = async (arg: string): Promise<Side> => fromPods.get(arg) ?? (await fileSide(arg, ctx));
  const [a, b] = options.b === undefined ? [...fromPods.values()] : [await side(options.a), await side(options.b)];
  if (!a || !b) throw new UsageError(`${options.a} has only one pod: name a second source to compare it with`);
  printComparison(
    compareDumps(a.dump, b.dump, { ...(options.kinds ? { kinds: options.kinds } : {}), labels: { a: a.label, b: b.label } }),
    { a: a.label, b: b.label },
    options,
    ctx,
  );
}

/** Prints a comparison in the asked format; with --exit-code, differences end the command with exit 1. */
export function printComparison(
  kinds: KindDiff[],
  labels: DiffLabels,
  options: { output: 'short' | 'json' | 'yaml'; exitCode: boolean },
  ctx: CliContext,
): void {
  ctx.io.out.write(options.output === 'short' ? diffText(kinds, labels) : formatData(diffData(kinds, labels), options.output));
  if (options.exitCode && kinds.some((kind) => !kind.match)) throw new DifferencesFound();
}

async function fileSide(path: string, ctx: CliContext): Promise<Side> {
  const input = await readInput(path, ctx.io);
  const decoded = decodeInput(input.bytes, input.name);
  if (decoded.kind !== 'config_dump') throw new UsageError(`${input.name} is Envoy's /clusters output, not a config dump: pc diff compares config dumps`);
  return { label: input.name, dump: decoded.dump };
}

/** Each pod's full config dump (EDS included when endpoints are compared); one workload alone gives two pods. */
async function podDumps(targets: string[], options: DiffOptions, ctx: CliContext): Promise<Map<string, Side>> {
  const kube = await import('../kube/index.ts');
  const { kube: k } = options;
  const session = await connectKube(kube, k, ctx);
  const path = options.kinds?.includes('endpoint') ? 'config_dump?include_eds' : 'config_dump';
  try {
    const twoOfOne = options.b === undefined;
    const chosen = await Promise.all(
      targets.map(async (target) => {
        const pods = await session.resolveTargets({ target, allPods: twoOfOne });
        return (twoOfOne ? pods.slice(0, 2) : pods).map((pod) => ({ key: twoOfOne ? kube.podLabel(pod) : target, pod }));
      }),
    );
    // Both dumps at once: on a big mesh each is a port-forward and seconds of transfer.
    const fetched = await Promise.all(
      chosen.flat().map(async ({ key, pod }) => {
        const admin = await session.admin(pod, { via: k.via, adminPort: k.adminPort });
        try {
          return { key, side: { label: kube.podLabel(pod), dump: await fetchConfigDump(admin, path) } };
        } finally {
          await admin.close();
        }
      }),
    );
    return new Map(fetched.map(({ key, side }) => [key, side]));
  } finally {
    await session.close();
  }
}
