// `envoyscope proxy-config` (alias `pc`): one subcommand per kind of Envoy config, built from a table
// so that every subcommand takes the same source flags and istioctl's names and aliases.
import { Command, Option } from 'commander';
import { UsageError } from '../../errors.ts';
import type { PcFilters, PcKind } from '../../render/proxyConfig.ts';
import type { CliContext } from '../context.ts';
import { parseDuration, parseOutput, parsePort, parsePositiveInteger, parseSize } from '../flags.ts';
import { DEFAULT_CONCURRENCY, runProxyConfig, type PcSource, type ProxyConfigOptions } from '../proxyConfigRun.ts';

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

type FilterFlag = 'address' | 'port' | 'type' | 'name' | 'fqdn' | 'subset' | 'direction' | 'cluster' | 'status' | 'summary' | 'withHeaders';

const SUBCOMMANDS: SubcommandSpec[] = [
  {
    kind: 'listener',
    aliases: ['listeners', 'l'],
    summary: 'Listeners: where connections land, their filter chains and where each chain sends traffic',
    examples: [
      'envoyscope pc listener reviews-v1-cb8655c75-b97zc --address 172.33.3.3 --port 9080 -o json',
      'envoyscope pc listener -f config_dump.json --type HTTP',
    ],
    filters: ['address', 'port', 'type', 'summary'],
  },
  {
    kind: 'route',
    aliases: ['routes', 'r'],
    summary: 'HTTP route configurations: virtual hosts, domains, matches and their VirtualService',
    examples: [
      "envoyscope pc route reviews-v1-cb8655c75-b97zc --name 9080 -o json | jq '.[0].virtualHosts[].name'",
      'envoyscope pc route -f config_dump.json --summary',
    ],
    filters: ['name', 'summary'],
  },
  {
    kind: 'cluster',
    aliases: ['clusters', 'c'],
    summary: 'Clusters (direction|port|subset|fqdn), their type and DestinationRule',
    examples: [
      'envoyscope pc cluster reviews-v1-cb8655c75-b97zc --fqdn reviews.default.svc.cluster.local --direction inbound -o json',
      'envoyscope pc cluster -f config_dump.json --fqdn reviews --port 9080',
    ],
    filters: ['fqdn', 'port', 'subset', 'direction'],
  },
  {
    kind: 'endpoint',
    aliases: ['endpoints', 'ep'],
    summary: 'Endpoints: live host health from /clusters, or the EDS endpoints of a config dump',
    examples: [
      'envoyscope pc endpoint deploy/ratings.default',
      'envoyscope pc endpoint -f clusters.json --status unhealthy',
      'envoyscope pc endpoint -f config_dump.json --cluster "outbound|9080||reviews.default.svc.cluster.local"',
    ],
    filters: ['address', 'port', 'cluster', 'status'],
  },
  {
    kind: 'eds',
    aliases: [],
    summary: 'EDS endpoints of a config dump (istioctl\'s hidden `pc eds`)',
    examples: ['envoyscope pc eds -f config_dump.json --port 9080'],
    filters: ['address', 'port', 'cluster', 'status'],
    hidden: true,
  },
  {
    kind: 'bootstrap',
    aliases: ['b'],
    summary: 'Bootstrap configuration (JSON by default; -o short prints the Istio and Envoy versions)',
    examples: ['envoyscope pc bootstrap -f config_dump.json -o short'],
    filters: [],
    defaultOutput: 'json',
  },
  {
    kind: 'secret',
    aliases: ['secrets', 's'],
    summary: 'TLS secrets: certificate chains and root CAs, their validity and serial numbers',
    examples: ['envoyscope pc secret -f config_dump.json'],
    filters: [],
  },
  {
    kind: 'ecds',
    aliases: ['ec'],
    summary: 'Extension configs delivered by ECDS (Wasm and telemetry filters)',
    examples: ['envoyscope pc ecds -f config_dump.json -o yaml'],
    filters: [],
  },
  {
    kind: 'all',
    aliases: ['a'],
    summary: 'Everything: bootstrap, clusters, listeners, routes, secrets and EDS endpoints',
    examples: ['envoyscope pc all -f examples/reviews-v1.config_dump.json --with-headers', 'envoyscope pc all -f config_dump.json --port 9080'],
    filters: ['address', 'port', 'type', 'name', 'fqdn', 'subset', 'direction', 'summary', 'withHeaders'],
  },
];

const FILTER_OPTIONS: Record<FilterFlag, () => Option> = {
  address: () => new Option('--address <address>', 'only this address (listener: IP or pipe path; endpoint: IP or IP:port)'),
  port: () => new Option('--port <port>', 'only this port'),
  type: () => new Option('--type <type>', 'only listeners of this type: HTTP, TCP, HTTP+TCP or UNKNOWN'),
  name: () => new Option('--name <name>', 'only the route configuration with this name'),
  fqdn: () => new Option('--fqdn <fqdn>', 'only clusters of this service (whole DNS labels: "reviews" matches reviews.default.svc.cluster.local)'),
  subset: () => new Option('--subset <subset>', 'only clusters of this subset'),
  direction: () => new Option('--direction <direction>', 'only clusters of this direction (inbound, outbound, inbound-vip, …)'),
  cluster: () => new Option('--cluster <cluster>', 'only endpoints of this cluster (exact name)'),
  status: () => new Option('--status <status>', 'only endpoints with this health status (HEALTHY, UNHEALTHY, DRAINING, …)'),
  summary: () => new Option('--summary', "short table without MATCH/DESTINATION details (istioctl's --verbose=false)"),
  withHeaders: () => new Option('--with-headers', 'print a header line before each section'),
};

export function proxyConfigCommand(ctx: CliContext): Command {
  const pc = new Command('proxy-config')
    .alias('pc')
    .summary("show a proxy's listeners, routes, clusters, endpoints, secrets and bootstrap")
    .description(
      'Show the Envoy configuration of a pod (through Kubernetes) or of a saved /config_dump (--file).',
    );
  for (const spec of SUBCOMMANDS) pc.addCommand(subcommand(spec, ctx), spec.hidden ? { hidden: true } : {});
  return pc;
}

function subcommand(spec: SubcommandSpec, ctx: CliContext): Command {
  const command = new Command(spec.kind)
    .aliases(spec.aliases)
    .summary(spec.summary)
    .description(spec.summary)
    .argument('[target]', 'pod, pod.namespace, or kind/name (deploy/reviews, svc/ratings …)')
    .option('-f, --file <path>', "read a saved /config_dump (or /clusters?format=json for endpoint); '-' for stdin")
    .option('--strict', 'parse every section of --file, not only the ones shown, so damage anywhere in it is an error')
    .option('--max-input-size <size>', `give up on a --file (or stdin) longer than this (default ${DEFAULT_MAX_INPUT_SIZE})`)
    .option('-l, --selector <selector>', 'every pod matching this label selector (e.g. app=reviews), one POD column')
    .option('--admin-url <url>', 'talk to this Envoy admin directly (e.g. http://127.0.0.1:15000)')
    .addOption(new Option('--via <transport>', 'how to reach Envoy admin in a pod').choices(['port-forward', 'exec']).default('port-forward'))
    .option('--proxy-admin-port <port>', "Envoy admin port in the pod", '15000')
    .option('--concurrency <pods>', 'with -l: how many pods to fetch from at once', String(DEFAULT_CONCURRENCY))
    .addOption(
      new Option('-o, --output <format>', "short (istioctl's columns), table (boxed), json, yaml, or raw (Envoy's own snake_case JSON)").default(
        spec.defaultOutput ?? 'short',
      ),
    );
  for (const flag of spec.filters) command.addOption(FILTER_OPTIONS[flag]());
  command.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`);
  command.action(async (target: string | undefined, _flags: unknown, self: Command) => {
    await runProxyConfig(toOptions(spec.kind, target, self.optsWithGlobals()), ctx);
  });
  return command;
}

const DEFAULT_MAX_INPUT_SIZE = '8GiB';

/** Commander's raw values → typed options; every value is checked here, before any I/O. */
function toOptions(kind: PcKind, target: string | undefined, raw: Record<string, unknown>): ProxyConfigOptions {
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  const port = text('port');
  const portNumber = port === undefined ? undefined : parsePort(port, '--port');
  const filters: PcFilters = {
    listener: definedOnly({ address: text('address'), port: portNumber, type: text('type') }),
    route: definedOnly({ name: text('name') }),
    cluster: definedOnly({ fqdn: text('fqdn'), port: portNumber, subset: text('subset'), direction: text('direction') }),
    endpoint: definedOnly({ address: text('address'), port: portNumber, cluster: text('cluster'), status: text('status') }),
  };
  return {
    kind,
    source: sourceOf(kind, target, text('file'), text('selector'), text('adminUrl')),
    kube: {
      timeoutMs: parseDuration(text('timeout') ?? '15s', '--timeout'),
      via: text('via') === 'exec' ? 'exec' : 'port-forward',
      adminPort: parsePort(text('proxyAdminPort') ?? '15000', '--proxy-admin-port'),
      concurrency: parsePositiveInteger(text('concurrency') ?? String(DEFAULT_CONCURRENCY), '--concurrency'),
      verbose: raw['verbose'] === true,
      ...definedOnly({ kubeconfig: text('kubeconfig'), context: text('context'), namespace: text('namespace') }),
    },
    output: parseOutput(text('output') ?? 'short'),
    filters,
    detailed: raw['summary'] !== true,
    withHeaders: raw['withHeaders'] === true,
    strict: raw['strict'] === true,
    maxInputBytes: parseSize(text('maxInputSize') ?? DEFAULT_MAX_INPUT_SIZE, '--max-input-size'),
  };
}

/** Exactly one source: a pod, a selector, a saved file, or an admin URL. */
function sourceOf(kind: PcKind, target?: string, file?: string, selector?: string, adminUrl?: string): PcSource {
  const given = [
    target !== undefined && 'a pod name',
    file !== undefined && '--file',
    selector !== undefined && '--selector',
    adminUrl !== undefined && '--admin-url',
  ].filter((x): x is string => x !== false);
  if (given.length === 0) throw new UsageError(`pc ${kind} requires a pod name, --selector, --file or --admin-url`);
  if (given.length > 1) throw new UsageError(`pc ${kind} takes one of a pod name, --selector, --file or --admin-url, not ${given.join(' and ')}`);
  if (file !== undefined) return { kind: 'file', path: file };
  if (selector !== undefined) return { kind: 'selector', selector };
  if (adminUrl !== undefined) return { kind: 'admin-url', url: adminUrl };
  return { kind: 'pod', target: target ?? '' };
}

/** Only the flags that were given: exactOptionalPropertyTypes keeps "absent" and "undefined" apart. */
function definedOnly<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
