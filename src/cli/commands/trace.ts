// `envoyscope pc trace`: where does this request go through this proxy, and why?
import { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import type { CliContext } from '../context.ts';
import { adminAccessOptions, kubeOptionsFrom } from '../kubeFlags.ts';
import { choiceOption, definedOnly, parseChoice, parseSize, textOf } from '../flags.ts';
import { EXAMPLE_DUMP, EXAMPLE_POD, withExamples } from '../help.ts';
import type { TraceOptions, TraceSource } from '../traceRun.ts';

const TRACE_OUTPUTS = ['short', 'json', 'yaml'] as const;
export type TraceOutput = (typeof TRACE_OUTPUTS)[number];

const EXAMPLES = [
  `envoyscope pc trace ${EXAMPLE_POD} http://ratings.default.svc.cluster.local:9080/ratings/0`,
  `envoyscope pc trace -f ${EXAMPLE_DUMP} --inbound http://reviews:9080/reviews/0`,
  'envoyscope pc trace -f dump.json --dst 10.96.0.1:443 --sni kubernetes.default.svc tcp',
];

export function traceCommand(ctx: CliContext): Command {
  const command = new Command('trace')
    .summary('follow one request through listeners, filter chains, routes, clusters and endpoints')
    .description(
      'Follow one request through the proxy the way Envoy would: capture listener, original-destination hand-off, ' +
        'listener filters, filter chain, network filter, route configuration, virtual host, route, cluster, endpoints. ' +
        'Each stage says what matched, why, and the nearest candidates that did not.',
    )
    .argument('<target-or-url...>', '[pod] then a URL (http://host:port/path?query, https://…, tcp://host:port) or "tcp"')
    .option('-f, --file <path>', "read a saved /config_dump; '-' for stdin")
    .option('--admin-url <url>', 'talk to this Envoy admin directly (e.g. http://127.0.0.1:15000)')
    .option('--waypoint <name>', "the pod of this waypoint (Gateway) in -n's namespace")
    .option('--dst <ip:port>', 'original destination (default: the VIP the host resolves to in the config)')
    .option('--inbound', 'the connection arrives on the pod (inbound capture port) instead of leaving it')
    .option('-X, --method <method>', 'HTTP method', 'GET')
    .option('-H, --header <header>', "request header 'name: value' (repeatable)", (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--src <ip[:port]>', 'source address of the connection')
    .option('--sni <name>', 'TLS SNI the client sends (implies --tls)')
    .option('--alpn <protocols>', 'TLS ALPN the client offers, comma-separated (implies --tls)')
    .option('--tls', 'the client speaks TLS (what tls_inspector detects); https:// URLs imply it')
    .option('--random <n>', 'random value for weighted clusters and runtime fractions (as router_check_tool)', '0')
    .option('--eds <path>', "endpoints for a dump without EDS: Pilot's /debug/edsz or a saved /clusters?format=json")
    .option('--exit-code', 'exit 1 when the request reaches no destination (no route, no listener, BlackHole …)')
    .option('--max-input-size <size>', 'give up on a --file (or stdin) longer than this', '8GiB')
    .addOption(choiceOption('-o, --output <format>', 'short (the step-by-step walk), json or yaml', TRACE_OUTPUTS, { default: 'short' }));
  for (const option of adminAccessOptions()) command.addOption(option);
  withExamples(command, EXAMPLES);
  command.action(async (positional: string[], _flags: unknown, self: Command) => {
    const options = toOptions(positional, self.optsWithGlobals());
    // The trace engine is loaded by pc trace only: every other command's start-up would pay for it.
    const { runTrace } = await import('../traceRun.ts');
    await runTrace(options, ctx);
  });
  return command;
}

function toOptions(positional: string[], raw: Record<string, unknown>): TraceOptions {
  const text = textOf(raw);
  if (positional.length > 2) throw new UsageError(`pc trace takes [pod] and one URL, not ${positional.length} arguments`);
  const [first = '', second] = positional;
  const url = second ?? first;
  const pod = second === undefined ? undefined : first;
  const output = parseChoice(text('output') ?? 'short', '--output', TRACE_OUTPUTS);
  const endpointsFile = text('eds');
  return {
    source: sourceOf(pod, text('file'), text('adminUrl'), text('waypoint')),
    args: {
      target: url,
      inbound: raw['inbound'] === true,
      headers: Array.isArray(raw['header']) ? (raw['header'] as string[]) : [],
      tls: raw['tls'] === true,
      ...definedOnly({ dst: text('dst'), method: text('method'), src: text('src'), sni: text('sni'), alpn: text('alpn'), random: text('random') }),
    },
    ...(endpointsFile !== undefined ? { endpointsFile } : {}),
    output,
    exitCode: raw['exitCode'] === true,
    maxInputBytes: parseSize(text('maxInputSize') ?? '8GiB', '--max-input-size'),
    kube: kubeOptionsFrom(raw),
  };
}

function sourceOf(pod: string | undefined, file: string | undefined, adminUrl: string | undefined, waypoint: string | undefined): TraceSource {
  const given = [
    pod !== undefined && 'a pod name',
    file !== undefined && '--file',
    adminUrl !== undefined && '--admin-url',
    waypoint !== undefined && '--waypoint',
  ].filter((x): x is string => x !== false);
  if (given.length === 0) throw new UsageError('pc trace requires a pod name, --file, --admin-url or --waypoint before the URL');
  if (given.length > 1) throw new UsageError(`pc trace takes one of a pod name, --file, --admin-url or --waypoint, not ${given.join(' and ')}`);
  if (file !== undefined) return { kind: 'file', path: file };
  if (adminUrl !== undefined) return { kind: 'admin-url', url: adminUrl };
  if (waypoint !== undefined) return { kind: 'waypoint', name: waypoint };
  return { kind: 'pod', target: pod ?? '' };
}
