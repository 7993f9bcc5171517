// `envoyscope ztunnel-config` (alias `zc`): ambient mode's node proxy. One subcommand per kind,
// with istioctl's names, aliases and filter flags, plus `log`.
import { Command, Option } from 'commander';
import { UsageError } from '../../errors.ts';
import { DIRECTIONS, splitWorkloadName, type Direction } from '../../ztunnel/filters.ts';
import { ZC_OUTPUTS, type ZcFilters, type ZcKind, type ZcOutput } from '../../ztunnel/render.ts';
import { LOG_LEVELS, parseLogLevels } from '../../ztunnel/logLevel.ts';
import type { CliContext } from '../context.ts';
import { kubeOptionsFrom } from '../kubeFlags.ts';
import { choiceOption, definedOnly, parseChoice, textOf } from '../flags.ts';
import { withExamples } from '../help.ts';
import type { ZcSource } from '../ztunnelConfigRun.ts';

type FilterFlag = 'workloadNamespace' | 'address' | 'workloadNode' | 'serviceNamespace' | 'policyNamespace' | 'direction' | 'raw' | 'workload' | 'withHeaders';

interface SubcommandSpec {
  kind: ZcKind;
  aliases: string[];
  summary: string;
  examples: string[];
  filters: FilterFlag[];
}

const SUBCOMMANDS: SubcommandSpec[] = [
  {
    kind: 'workload',
    aliases: ['workloads', 'w'],
    summary: 'Workloads ztunnel knows: address, node, waypoint and protocol (HBONE when captured)',
    examples: [
      "envoyscope zc workload reviews-v1-5b5d6494f4-qwjv4 -n bookinfo   # the ztunnel on that pod's node, that workload",
      'envoyscope zc workload --node ambient-worker --workload-namespace bookinfo',
      'envoyscope zc workload -f ztunnel_config_dump.json --address 10.244.2.53 -o json',
    ],
    filters: ['workloadNamespace', 'address', 'workloadNode'],
  },
  {
    kind: 'service',
    aliases: ['services', 's', 'svc'],
    summary: 'Services ztunnel knows: VIPs, waypoint and healthy/all endpoints',
    examples: ['envoyscope zc service --service-namespace bookinfo', 'envoyscope zc service -f examples/bookinfo-ambient.ztunnel_config_dump.json'],
    filters: ['serviceNamespace'],
  },
  {
    kind: 'policy',
    aliases: ['policies', 'p', 'pol'],
    summary: 'Authorization policies ztunnel enforces (L4)',
    examples: ['envoyscope zc policy --policy-namespace default -o yaml', 'envoyscope zc policy -f examples/bookinfo-ambient.ztunnel_config_dump.json'],
    filters: ['policyNamespace'],
  },
  {
    kind: 'certificate',
    aliases: ['certificates', 'certs', 'cert'],
    summary: "A ztunnel's workload certificates: chain, validity, serial numbers",
    examples: ['envoyscope zc certificate --node ambient-worker', 'envoyscope zc certificate -f examples/bookinfo-ambient.ztunnel_config_dump.json'],
    filters: [],
  },
  {
    kind: 'connections',
    aliases: ['cons'],
    summary: "A ztunnel's open connections, per workload and direction",
    examples: [
      'envoyscope zc connections productpage-v1-675fc69cf-jscn2 -n bookinfo --direction outbound',
      'envoyscope zc connections -f ztunnel_config_dump.json --workload productpage-v1-796f87b58-97bjk.bookinfo --raw',
    ],
    filters: ['workloadNamespace', 'workload', 'direction', 'raw'],
  },
  {
    kind: 'all',
    aliases: [],
    summary: 'Everything: workloads, services, policies, certificates and connections',
    examples: ['envoyscope zc all -f examples/bookinfo-ambient.ztunnel_config_dump.json --with-headers', 'envoyscope zc all --node ambient-worker -o json'],
    filters: ['withHeaders'],
  },
];

const FILTER_OPTIONS: Record<FilterFlag, () => Option[]> = {
  workloadNamespace: () => [
    new Option('--workload-namespace <namespace>', 'only workloads of this namespace'),
    // istioctl's goldens spell it in the plural.
    new Option('--workloads-namespace <namespace>').hideHelp(),
  ],
  address: () => [new Option('--address <ip>', 'only the workload with this IP')],
  workloadNode: () => [new Option('--workload-node <node>', 'only workloads on this node')],
  serviceNamespace: () => [new Option('--service-namespace <namespace>', 'only services of this namespace')],
  policyNamespace: () => [new Option('--policy-namespace <namespace>', 'only policies of this namespace')],
  direction: () => [choiceOption('--direction <direction>', 'only connections in this direction (any case)', DIRECTIONS, { ignoreCase: true })],
  raw: () => [new Option('--raw', 'show IP addresses instead of the names of services and workloads')],
  workload: () => [new Option('--workload <name[.namespace]>', "only this workload's connections (-n gives the namespace)")],
  withHeaders: () => [new Option('--with-headers', 'print a header line before each section')],
};

const TARGET_HELP = 'a ztunnel pod, or an application pod (the ztunnel on its node, filtered to it): name[.namespace]';

/** How a command names its ztunnel; `log` talks to live ztunnels only, the others also read files. */
function commonOptions(command: Command, targetHelp = TARGET_HELP): Command {
  return (
    command
      .argument('[target]', targetHelp)
      .option('--node <node>', 'the ztunnel on this node')
      // -i/--istio-namespace (where the ztunnel DaemonSet runs) is the global flag of run.ts.
      .option('--proxy-admin-port <port>', 'ztunnel admin port', '15000')
  );
}

export function ztunnelConfigCommand(ctx: CliContext): Command {
  const zc = new Command('ztunnel-config')
    .alias('zc')
    .summary("show ambient mode's ztunnel: workloads, services, policies, certificates, connections, log levels")
    .description('Show the configuration of a ztunnel (through Kubernetes) or of a saved ztunnel /config_dump (--file).');
  for (const spec of SUBCOMMANDS) zc.addCommand(subcommand(spec, ctx));
  zc.addCommand(logCommand(ctx));
  return withExamples(zc, [
    'envoyscope zc workload reviews-v1-5b5d6494f4-qwjv4 -n bookinfo',
    `envoyscope zc all -f examples/bookinfo-ambient.ztunnel_config_dump.json --with-headers`,
    'envoyscope zc log --node ambient-worker --level debug',
  ]);
}

function subcommand(spec: SubcommandSpec, ctx: CliContext): Command {
  const command = commonOptions(new Command(spec.kind).aliases(spec.aliases).summary(spec.summary).description(spec.summary))
    .option('-f, --file <path>', "read a saved ztunnel /config_dump; '-' for stdin")
    .addOption(choiceOption('-o, --output <format>', "table columns (short) or the dump's objects", ZC_OUTPUTS, { default: 'short' }));
  for (const flag of spec.filters) for (const option of FILTER_OPTIONS[flag]()) command.addOption(option);
  withExamples(command, spec.examples);
  command.action(async (target: string | undefined, _flags: unknown, self: Command) => {
    const raw = self.optsWithGlobals();
    const text = textOf(raw);
    const source = sourceOf(spec.kind, target, text('file'), text('node'));
    // Loaded by ztunnel-config only, so that other commands' start-up does not pay for it.
    const { runZtunnelConfig } = await import('../ztunnelConfigRun.ts');
    await runZtunnelConfig(
      {
        kind: spec.kind,
        source,
        kube: kubeOptionsFrom(raw),
        istioNamespace: text('istioNamespace') ?? 'istio-system',
        output: parseZcOutput(text('output') ?? 'short'),
        filters: filtersOf(spec.kind, source, target, raw),
        withHeaders: raw['withHeaders'] === true,
      },
      ctx,
    );
  });
  return command;
}

function logCommand(ctx: CliContext): Command {
  const command = commonOptions(new Command('log').alias('o'), 'a ztunnel pod, or an application pod (the ztunnel on its node): name[.namespace]')
    .summary('Get or set ztunnel log levels (every ztunnel unless one is named)')
    .description('Get or set the log level of one ztunnel (a pod or --node) or of every ztunnel in the Istio namespace.')
    .option('--level <levels>', `[<logger>:]<level>,… with level one of ${LOG_LEVELS.join(', ')}`)
    .option('-r, --reset', 'reset the level to its default (info)');
  withExamples(command, ['envoyscope zc log', 'envoyscope zc log --node ambient-worker --level debug', 'envoyscope zc log ztunnel-xljhg -r']);
  command.action(async (target: string | undefined, _flags: unknown, self: Command) => {
    const raw = self.optsWithGlobals();
    const text = textOf(raw);
    const level = text('level');
    const reset = raw['reset'] === true;
    if (level !== undefined && reset) throw new UsageError('--level cannot be combined with --reset');
    const node = text('node');
    if (target !== undefined && node !== undefined) throw new UsageError('zc log takes a pod name or --node, not both');
    const { runZtunnelLog } = await import('../ztunnelConfigRun.ts');
    await runZtunnelLog(
      {
        source: { kind: 'live', ...(target !== undefined ? { target } : {}), ...(node !== undefined ? { node } : {}) },
        kube: kubeOptionsFrom(raw),
        istioNamespace: text('istioNamespace') ?? 'istio-system',
        ...(level !== undefined ? { level: parseLogLevels(level) } : {}),
        reset,
      },
      ctx,
    );
  });
  return command;
}

export function parseZcOutput(value: string): ZcOutput {
  return parseChoice(value, '--output', ZC_OUTPUTS);
}

function parseDirection(value: string): Direction {
  return parseChoice(value.toLowerCase(), '--direction', DIRECTIONS);
}

/** At most one of a target, --node, or --file, as in istioctl. */
function sourceOf(kind: ZcKind, target?: string, file?: string, node?: string): ZcSource {
  // Offline, an argument can only name a workload of the dump (workload and connections filter on it).
  const targetNamesWorkload = file !== undefined && (kind === 'workload' || kind === 'connections');
  const given = [target !== undefined && !targetNamesWorkload && 'a pod name', file !== undefined && '--file', node !== undefined && '--node'].filter(
    (x): x is string => x !== false,
  );
  if (given.length > 1) throw new UsageError(`zc ${kind} takes at most one of a pod name, --file or --node, not ${given.join(' and ')}`);
  if (file !== undefined) return { kind: 'file', path: file };
  return { kind: 'live', ...(target !== undefined ? { target } : {}), ...(node !== undefined ? { node } : {}) };
}

/** Filters from the flags; offline, a workload argument filters like --workload. */
function filtersOf(kind: ZcKind, source: ZcSource, target: string | undefined, raw: Record<string, unknown>): ZcFilters {
  const text = textOf(raw);
  const namespaceFlag = text('namespace');
  const workloadNamespace = text('workloadNamespace') ?? text('workloadsNamespace');
  const named = text('workload') ?? (source.kind === 'file' ? target : undefined);
  const workload = named === undefined ? undefined : splitWorkloadName(named);
  const direction = text('direction');
  const workloadName = kind === 'workload' || kind === 'connections' ? workload : undefined;
  return {
    workload: definedOnly({
      namespace: workloadName ? (workloadName.namespace ?? namespaceFlag ?? workloadNamespace) : workloadNamespace,
      name: workloadName?.name,
      address: text('address'),
      node: text('workloadNode'),
    }),
    service: definedOnly({ namespace: text('serviceNamespace') }),
    policy: definedOnly({ namespace: text('policyNamespace') }),
    connections: definedOnly({
      namespace: workloadName ? (workloadName.namespace ?? namespaceFlag ?? workloadNamespace) : workloadNamespace,
      name: workloadName?.name,
      direction: direction === undefined ? undefined : parseDirection(direction),
      raw: raw['raw'] === true ? true : undefined,
    }),
  };
}
