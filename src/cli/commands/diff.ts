// `envoyscope pc diff A B`: the config comparator between any two sources (saved dumps, pods, or two
// pods of one workload).
import { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { DIFF_KINDS, type DiffKind } from '../../diff/compare.ts';
import type { CliContext } from '../context.ts';
import { adminAccessOptions, kubeOptionsFrom } from '../kubeFlags.ts';
import { choiceOption, parseChoice, textOf } from '../flags.ts';
import { withExamples } from '../help.ts';

export const DIFF_OUTPUTS = ['short', 'json', 'yaml'] as const;

export function diffCommand(ctx: CliContext): Command {
  const command = new Command('diff')
    .summary('compare the config of two proxies or dumps: clusters, listeners, routes (secrets, endpoints)')
    .description(
      'Compares two sources resource by resource (matched by name; version_info, last_updated, order and empty defaults ignored).\n' +
        'A source is a saved /config_dump (a path, or - for stdin) or a pod (name[.namespace], kind/name).\n' +
        'With one workload (deploy/x), two of its pods are compared.',
    )
    .argument('<a>', 'first source: a file, a pod, or a workload with two pods or more')
    .argument('[b]', 'second source: a file or a pod')
    .option(
      '--kind <kinds>',
      `comma-separated kinds to compare (${DIFF_KINDS.join(', ')}); default cluster,listener,route, plus secret and endpoint when both sides have any`,
    )
    .addOption(choiceOption('-o, --output <format>', 'short (text), json or yaml', DIFF_OUTPUTS, { default: 'short' }))
    .option('--exit-code', 'exit 1 when the sources differ');
  for (const option of adminAccessOptions()) command.addOption(option);
  command.action(async (a: string, b: string | undefined, _flags: unknown, self: Command) => {
    const raw = self.optsWithGlobals() as Record<string, unknown>;
    const text = textOf(raw);
    const output = parseChoice(text('output') ?? 'short', '--output', DIFF_OUTPUTS);
    const kind = text('kind');
    // Loaded by pc diff only, so that other commands' start-up does not pay for it.
    const { runDiff } = await import('../diffRun.ts');
    await runDiff(
      {
        a,
        ...(b !== undefined ? { b } : {}),
        ...(kind !== undefined ? { kinds: parseKinds(kind) } : {}),
        output,
        exitCode: raw['exitCode'] === true,
        kube: kubeOptionsFrom(raw),
      },
      ctx,
    );
  });
  return withExamples(command, [
    'envoyscope pc diff morning.json reviews-v1-cb8655c75-b97zc',
    'envoyscope pc diff deploy/reviews --kind route',
    'envoyscope pc diff examples/reviews-v1.config_dump.json examples/reviews-v1.config_dump.json -o json',
  ]);
}

/** `cluster,route` (plurals and istioctl's short names accepted) → kinds; anything else is a usage error. */
export function parseKinds(value: string): DiffKind[] {
  const aliases: Record<string, DiffKind> = {
    clusters: 'cluster',
    c: 'cluster',
    listeners: 'listener',
    l: 'listener',
    routes: 'route',
    r: 'route',
    secrets: 'secret',
    s: 'secret',
    endpoints: 'endpoint',
    ep: 'endpoint',
  };
  return [
    ...new Set(
      value.split(',').map((word) => {
        const kind = DIFF_KINDS.find((k) => k === word.trim()) ?? aliases[word.trim()];
        if (!kind) throw new UsageError(`--kind "${word.trim()}" is not one of: ${DIFF_KINDS.join(', ')}`);
        return kind;
      }),
    ),
  ];
}
