// `envoyscope proxy-status` (alias `ps`): has istiod's config reached each proxy? With a pod,
// compares what istiod would send it with what its Envoy holds.
import { Command } from 'commander';
import { choiceOption, parseChoice } from '../flags.ts';
import type { CliContext } from '../context.ts';
import { istiodOptions, ISTIOD_OPTIONS } from './istiodOptions.ts';
import { withExamples } from '../help.ts';
import { adminAccessOptions, kubeOptionsFrom } from '../kubeFlags.ts';

export const STATUS_OUTPUTS = ['short', 'json', 'yaml'] as const;

export function proxyStatusCommand(ctx: CliContext): Command {
  const command = new Command('proxy-status')
    .alias('ps')
    .summary("which proxies istiod has reached, per xDS type; with a pod, istiod's config vs its Envoy's")
    .description(
      'Without a pod: one row per proxy connected to istiod, one column per xDS type (SYNCED, NOT SENT, STALE, ERROR, IGNORED).\n' +
        'With a pod: compares the clusters, listeners and routes istiod would send it with those its Envoy holds.',
    )
    .argument('[pod]', "pod, pod.namespace or kind/name: compare istiod's config for it with its Envoy's")
    .option('-f, --file <path>', "without a pod: a saved syncz answer; with a pod: the Envoy's saved /config_dump")
    .option('--types', "istioctl's default table: SUBSCRIBED TYPES instead of one column per type")
    .addOption(choiceOption('-o, --output <format>', 'short (table), json or yaml', STATUS_OUTPUTS, { default: 'short' }))
    .option('--exit-code', 'with a pod: exit 1 when istiod and Envoy differ');
  for (const option of [...adminAccessOptions(), ...ISTIOD_OPTIONS({ labelShortFlag: true })]) command.addOption(option);
  withExamples(command, [
    'envoyscope ps --types -i istio-system --revision canary',
    'envoyscope ps -f examples/syncz.json -n default',
    'envoyscope ps reviews-v1-cb8655c75-b97zc --exit-code',
  ]);
  command.action(async (pod: string | undefined, _flags: unknown, self: Command) => {
    const raw = self.optsWithGlobals() as Record<string, unknown>;
    const format = parseChoice(String(raw['output']), '--output', STATUS_OUTPUTS);
    // Loaded by proxy-status only, so that other commands' start-up does not pay for it.
    const { runProxyStatus } = await import('../proxyStatusRun.ts');
    await runProxyStatus(
      {
        ...(pod !== undefined ? { pod } : {}),
        ...(typeof raw['file'] === 'string' ? { file: raw['file'] } : {}),
        types: raw['types'] === true,
        output: format,
        exitCode: raw['exitCode'] === true,
        istiod: istiodOptions(raw),
        envoyAdmin: kubeOptionsFrom(raw),
      },
      ctx,
    );
  });
  return command;
}
