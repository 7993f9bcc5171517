// `envoyscope proxy-config` (alias `pc`): one subcommand per kind of Envoy config, built from a table
// so that every subcommand takes the same source flags and istioctl's names and aliases.
import { Command, Option } from 'commander';
import { CLUSTER_DIRECTIONS } from '../../envoy/clusterName.ts';
import { LISTENER_TYPES } from '../../envoy/listeners.ts';
import { UsageError } from '../../errors.ts';
import { HEALTH_STATUS_NAMES } from '../../filters/endpoint.ts';
import type { PcFilters, PcKind } from '../../render/proxyConfig.ts';
import type { CliContext } from '../context.ts';
import { adminAccessOptions, kubeOptionsFrom } from '../kubeFlags.ts';
import { choiceOption, definedOnly, outputOption, parseOutput, parsePort, parseSize, textOf } from '../flags.ts';
import { EXAMPLE_DUMP, EXAMPLE_POD, withExamples } from '../help.ts';
import { DEFAULT_CONCURRENCY, runProxyConfig, type PcSource, type ProxyConfigOptions } from '../proxyConfigRun.ts';
import { diffCommand } from './diff.ts';
import { ISTIOD_OPTIONS, istiodOptions } from './istiodOptions.ts';
import { traceCommand } from './trace.ts';

interface SubcommandSpec {
  kind: PcKind;
  aliases: string[];
  summary: string;
  examples: string[];
  /** Filter flags this kind takes; `all` takes the union. */
  filters: FilterFlag[];
  /** Default `-o`: bootstrap prints JSON unless asked for the short summary, as in istioctl. */
  defaultOutput?: 'json';
  hidden?: boolean;
}

type FilterFlag = 'address' | 'port' | 'type' | 'name' | 'fqdn' | 'subset' | 'direction' | 'cluster' | 'status' | 'summary' | 'withHeaders' | 'chains';

const SUBCOMMANDS: SubcommandSpec[] = [
  {
    kind: 'listener',
    aliases: ['listeners', 'l'],
    summary: 'Listeners: where connections land, their filter chains and where each chain sends traffic',
    examples: [
      `envoyscope pc listener ${EXAMPLE_POD} --port 9080`,
      `envoyscope pc listener -f ${EXAMPLE_DUMP} --type HTTP --summary`,
      'envoyscope pc listener --waypoint waypoint -n bookinfo   # its chains and the matcher path to each',
    ],
    filters: ['address', 'port', 'type', 'summary', 'chains'],
  },
  {
    kind: 'route',
    aliases: ['routes', 'r'],
    summary: 'HTTP route configurations: virtual hosts, domains, matches and their VirtualService',
    examples: [
      `envoyscope pc route -f ${EXAMPLE_DUMP} --name 9080 -o wide`,
      `envoyscope pc route ${EXAMPLE_POD} --name 9080 -o json | jq '.[0].virtualHosts[].name'`,
      `envoyscope pc route -f ${EXAMPLE_DUMP} --summary`,
    ],
    filters: ['name', 'port', 'summary'],
  },
  {
    kind: 'cluster',
    aliases: ['clusters', 'c'],
    summary: 'Clusters (direction|port|subset|fqdn), their type and DestinationRule',
    examples: [
      `envoyscope pc cluster -f ${EXAMPLE_DUMP} --fqdn reviews --port 9080`,
      `envoyscope pc cluster -f ${EXAMPLE_DUMP} --fqdn reviews -o wide`,
      'envoyscope pc cluster deploy/reviews -n default --fqdn reviews --direction inbound -o json',
    ],
    filters: ['fqdn', 'port', 'subset', 'direction'],
  },
  {
    kind: 'endpoint',
    aliases: ['endpoints', 'ep'],
    summary: 'Endpoints: live host health from /clusters, or the EDS endpoints of a config dump',
    examples: [
      'envoyscope pc endpoint -l app=ratings -n default --status unhealthy',
      'envoyscope pc endpoint -f examples/reviews-v1.clusters.json --cluster "outbound|9080|v1|reviews.default.svc.cluster.local"',
      `envoyscope pc endpoint -f ${EXAMPLE_DUMP} --address 172.33.3.8 -o wide`,
    ],
    filters: ['address', 'port', 'cluster', 'status'],
  },
  {
    kind: 'eds',
    aliases: [],
    summary: "EDS endpoints of a config dump (istioctl's hidden `pc eds`)",
    examples: [`envoyscope pc eds -f ${EXAMPLE_DUMP} --port 9080`, `envoyscope pc eds ${EXAMPLE_POD} -o wide`],
    filters: ['address', 'port', 'cluster', 'status'],
    hidden: true,
  },
  {
    kind: 'bootstrap',
    aliases: ['b'],
    summary: 'Bootstrap configuration (JSON by default; -o short prints the Istio and Envoy versions)',
    examples: [`envoyscope pc bootstrap -f ${EXAMPLE_DUMP} -o short`, `envoyscope pc bootstrap ${EXAMPLE_POD} | jq '.bootstrap.node.metadata.ISTIO_VERSION'`],
    filters: [],
    defaultOutput: 'json',
  },
  {
    kind: 'secret',
    aliases: ['secrets', 's'],
    summary: 'TLS secrets: certificate chains and root CAs, their validity and serial numbers',
    examples: [`envoyscope pc secret -f ${EXAMPLE_DUMP}`, `envoyscope pc secret ${EXAMPLE_POD} -o json`],
    filters: [],
  },
  {
    kind: 'ecds',
    aliases: ['ec'],
    summary: 'Extension configs delivered by ECDS (Wasm and telemetry filters)',
    examples: [`envoyscope pc ecds -f ${EXAMPLE_DUMP}`, `envoyscope pc ecds -f ${EXAMPLE_DUMP} -o yaml`],
    filters: [],
  },
  {
    kind: 'all',
    aliases: ['a'],
    summary: 'Everything: bootstrap, clusters, listeners, routes, secrets and EDS endpoints',
    examples: [
      `envoyscope pc all -f ${EXAMPLE_DUMP} --with-headers`,
      `envoyscope pc all -f ${EXAMPLE_DUMP} --port 9080 -o wide`,
      `envoyscope pc all ${EXAMPLE_POD} -o json > dump.json`,
    ],
    filters: ['address', 'port', 'type', 'name', 'fqdn', 'subset', 'direction', 'cluster', 'status', 'summary', 'withHeaders'],
  },
];

const FILTER_OPTIONS: Record<FilterFlag, () => Option> = {
  address: () => new Option('--address <address>', 'only this address (listener: IP or pipe path; endpoint: IP or IP:port)'),
  port: () => new Option('--port <port>', 'only this port (route: the port its Istio name spells, e.g. 9080, inbound|9080||, http.8080)'),
  type: () => choiceOption('--type <type>', 'only listeners of this type (any case)', LISTENER_TYPES, { ignoreCase: true }),
  name: () => new Option('--name <name>', 'only the route configuration with this name'),
  fqdn: () => new Option('--fqdn <fqdn>', 'only clusters of this service (whole DNS labels: "reviews" matches reviews.default.svc.cluster.local)'),
  subset: () => new Option('--subset <subset>', 'only clusters of this subset'),
  direction: () => choiceOption('--direction <direction>', 'only clusters of this direction', CLUSTER_DIRECTIONS, { ignoreCase: true }),
  cluster: () => new Option('--cluster <cluster>', 'only endpoints of this cluster (exact name)'),
  status: () => choiceOption('--status <status>', 'only endpoints with this health status (any case)', HEALTH_STATUS_NAMES, { ignoreCase: true }),
  summary: () => new Option('--summary', "short table without MATCH/DESTINATION details (istioctl's --verbose=false)"),
  withHeaders: () => new Option('--with-headers', 'print a header line before each section'),
  chains: () =>
    new Option('--chains', "one row per filter chain with the filter_chain_matcher path that selects it (a waypoint's view; automatic on waypoint pods)"),
};

/** The flags a filter flag is spelled with on the command line, by commander's attribute name. */
const FILTER_FLAG_NAMES: Partial<Record<string, string>> = {
  address: '--address',
  port: '--port',
  type: '--type',
  name: '--name',
  fqdn: '--fqdn',
  subset: '--subset',
  direction: '--direction',
  cluster: '--cluster',
  status: '--status',
};

/** The command's name and its alias (istioctl's). */
export const PROXY_CONFIG_NAMES = ['proxy-config', 'pc'] as const;

/** The kind of the subcommand this word names (`cluster`, `clusters`, `c` …), if any. */
export function subcommandNamed(word: string | undefined): PcKind | undefined {
  return SUBCOMMANDS.find((spec) => spec.kind === word || spec.aliases.includes(word ?? ''))?.kind;
}

/**
 * `only`: build just that subcommand (the one the command line names, see run.ts), since building
 * all of them costs more start-up time than running an offline command.
 */
export function proxyConfigCommand(ctx: CliContext, only?: PcKind): Command {
  const pc = new Command(PROXY_CONFIG_NAMES[0])
    .alias(PROXY_CONFIG_NAMES[1])
    .summary("show a proxy's listeners, routes, clusters, endpoints, secrets and bootstrap")
    .description('Show the Envoy configuration of a pod (through Kubernetes) or of a saved /config_dump (--file).');
  for (const spec of SUBCOMMANDS) {
    if (only === undefined || spec.kind === only) pc.addCommand(subcommand(spec, ctx), spec.hidden ? { hidden: true } : {});
  }
  if (only === undefined) {
    pc.addCommand(diffCommand(ctx));
    pc.addCommand(traceCommand(ctx));
  }
  return withExamples(pc, [
    `envoyscope pc route -f ${EXAMPLE_DUMP} --name 9080 -o wide`,
    `envoyscope pc cluster ${EXAMPLE_POD} --fqdn reviews`,
    'envoyscope pc endpoint -l app=ratings -n default',
  ]);
}

/** Where a proxy's config comes from: a target pod, -f, -l or --admin-url (read by toOptions). */
export function addSourceOptions(command: Command): Command {
  command
    .argument('[target]', 'pod, pod.namespace, or kind/name (deploy/reviews, svc/ratings …)')
    .option('-f, --file <path>', "read a saved /config_dump (or /clusters?format=json for endpoint); '-' for stdin")
    .option('--strict', 'parse every section of --file, not only the ones shown, so damage anywhere in it is an error')
    .option('--max-input-size <size>', `give up on a --file (or stdin) longer than this (default ${DEFAULT_MAX_INPUT_SIZE})`)
    .option('-l, --selector <selector>', 'every pod matching this label selector (e.g. app=reviews), one POD column')
    .option('--admin-url <url>', 'talk to this Envoy admin directly (e.g. http://127.0.0.1:15000)')
    .option('--waypoint <name>', "the pod of this waypoint (Gateway) in -n's namespace")
    .option('--concurrency <pods>', 'with -l: how many pods to fetch from at once', String(DEFAULT_CONCURRENCY));
  for (const option of adminAccessOptions()) command.addOption(option);
  return command;
}

function subcommand(spec: SubcommandSpec, ctx: CliContext): Command {
  const command = addSourceOptions(new Command(spec.kind).aliases(spec.aliases).summary(spec.summary).description(spec.summary)).addOption(
    outputOption(spec.defaultOutput ?? 'short'),
  );
  for (const flag of spec.filters) command.addOption(FILTER_OPTIONS[flag]());
  if (spec.kind === 'endpoint') {
    command.addOption(
      choiceOption('--source <source>', "whose endpoints: the pod's Envoy, or what istiod holds for it (edsz)", ['envoy', 'istiod'], { default: 'envoy' }),
    );
    for (const option of ISTIOD_OPTIONS()) command.addOption(option);
  }
  // istioctl's `--verbose=false` (read as --summary) is accepted by every kind; it changes only the
  // listener and route tables, so elsewhere it is a hidden no-op.
  if (!spec.filters.includes('summary')) command.addOption(FILTER_OPTIONS.summary().hideHelp());
  withExamples(command, spec.examples);
  command.action(async (target: string | undefined, _flags: unknown, self: Command) => {
    await runProxyConfig(toOptions(spec.kind, target, self.optsWithGlobals()), ctx);
  });
  return command;
}

const DEFAULT_MAX_INPUT_SIZE = '8GiB';

/** Commander's raw values → typed options; every value is checked here, before any I/O. */
export function toOptions(kind: PcKind, target: string | undefined, raw: Record<string, unknown>): ProxyConfigOptions {
  const text = textOf(raw);
  const port = text('port');
  const portNumber = port === undefined ? undefined : parsePort(port, '--port');
  const filters: PcFilters = {
    listener: definedOnly({ address: text('address'), port: portNumber, type: text('type') }),
    route: definedOnly({ name: text('name'), port: portNumber }),
    cluster: definedOnly({ fqdn: text('fqdn'), port: portNumber, subset: text('subset'), direction: text('direction') }),
    endpoint: definedOnly({ address: text('address'), port: portNumber, cluster: text('cluster'), status: text('status') }),
  };
  return {
    kind,
    source: sourceOf(kind, target, text('file'), text('selector'), text('adminUrl'), text('waypoint'), raw['allNamespaces'] === true),
    kube: kubeOptionsFrom(raw),
    output: parseOutput(text('output') ?? 'short'),
    filters,
    detailed: raw['summary'] !== true,
    withHeaders: raw['withHeaders'] === true,
    filterFlags: Object.keys(raw).flatMap((key) => {
      const flag = FILTER_FLAG_NAMES[key];
      return flag !== undefined && raw[key] !== undefined ? [flag] : [];
    }),
    chains: raw['chains'] === true,
    strict: raw['strict'] === true,
    maxInputBytes: parseSize(text('maxInputSize') ?? DEFAULT_MAX_INPUT_SIZE, '--max-input-size'),
    ...(raw['source'] === 'istiod' ? { istiod: istiodOptions(raw) } : {}),
  };
}

/** Exactly one source: a pod, a selector, a saved file, an admin URL, or a waypoint. */
function sourceOf(kind: PcKind, target?: string, file?: string, selector?: string, adminUrl?: string, waypoint?: string, allNamespaces = false): PcSource {
  const given = [
    target !== undefined && 'a pod name',
    file !== undefined && '--file',
    selector !== undefined && '--selector',
    adminUrl !== undefined && '--admin-url',
    waypoint !== undefined && '--waypoint',
  ].filter((x): x is string => x !== false);
  if (given.length === 0) throw new UsageError(`pc ${kind} requires a pod name, --selector, --file, --admin-url or --waypoint`);
  if (given.length > 1) throw new UsageError(`pc ${kind} takes one of a pod name, --selector, --file, --admin-url or --waypoint, not ${given.join(' and ')}`);
  if (allNamespaces && selector === undefined) throw new UsageError('-A/--all-namespaces goes with -l/--selector (every matching pod in every namespace)');
  if (waypoint !== undefined) return { kind: 'waypoint', name: waypoint };
  if (file !== undefined) return { kind: 'file', path: file };
  if (selector !== undefined) return { kind: 'selector', selector, allNamespaces };
  if (adminUrl !== undefined) return { kind: 'admin-url', url: adminUrl };
  return { kind: 'pod', target: target ?? '' };
}
