// Builds the command tree, runs one command line, and turns every outcome into an exit code.
// This is the only place that decides exit codes and prints errors.
import { Command, CommanderError } from 'commander';
import { DifferencesFound, EnvoyscopeError, ExitCode, UsageError, type ExitCodeValue } from '../errors.ts';
import { completionCommand, runComplete } from './commands/completion.ts';
import { PROXY_CONFIG_NAMES, proxyConfigCommand, subcommandNamed } from './commands/proxyConfig.ts';
import type { PcKind } from '../render/proxyConfig.ts';
import { versionCommand } from './commands/version.ts';
import { proxyStatusCommand } from './commands/proxyStatus.ts';
import { istiodCommand } from './commands/istiod.ts';
import { ztunnelConfigCommand } from './commands/ztunnelConfig.ts';
import { COMPLETE_COMMAND } from './completeCommand.ts';
import { EXAMPLE_DUMP, EXAMPLE_POD, withExamples } from './help.ts';
import { COLOR_MODES, palette } from '../io/streams.ts';
import type { CliContext } from './context.ts';
import { choiceOption, normalizeArgv } from './flags.ts';
import { VERSION } from './version.ts';
import { printable } from '../util/printable.ts';

export { VERSION } from './version.ts';

/**
 * The `pc` subcommand that a command line such as `pc cluster -f dump.json` runs, when nothing on it
 * needs the rest of the tree (help lists it, completion walks it, an unknown or misspelt command is
 * compared with it): building only that path halves an offline command's start-up. Any other shape
 * (flags before the command, `help`, -h) gets the whole tree.
 */
function onlyProxyConfigSubcommand(argv: readonly string[]): PcKind | undefined {
  if (!PROXY_CONFIG_NAMES.some((name) => name === argv[0])) return undefined;
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.some((arg) => arg === 'help' || arg === '-h' || arg === '--help')) return undefined;
  return subcommandNamed(argv[1]);
}

/** The whole command tree; with `argv`, only as much of it as that command line needs. */
export function buildProgram(ctx: CliContext, argv?: readonly string[]): Command {
  const onlyPc = argv === undefined ? undefined : onlyProxyConfigSubcommand(argv);
  const program = new Command('envoyscope')
    .description('Inspect the Envoy sidecars of an Istio mesh: listeners, routes, clusters, endpoints.')
    .version(VERSION, '--version', 'print the envoyscope version')
    .showSuggestionAfterError(true)
    // kubectl's connection flags; they may stand anywhere on the command line.
    .option('-n, --namespace <namespace>', 'namespace of the pod (default: the kubeconfig context\'s, else "default")')
    .option('--context <context>', 'kubeconfig context to use')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--timeout <duration>', 'give up on the cluster or Envoy after this long', '15s')
    .option('-v, --verbose', 'report on stderr what is fetched, from where, how many bytes and how long it took')
    // Shared by every command that needs them (read with `command.optsWithGlobals()`: allNamespaces,
    // istioNamespace); defined once here so that all commands spell them alike.
    .option('-A, --all-namespaces', 'with -l/--selector: matching pods in every namespace')
    .option('-i, --istio-namespace <namespace>', 'namespace of the Istio control plane (istiod)', 'istio-system')
    // Read by main.ts before parsing (colorModeOf); declared here so that it is checked and documented.
    .addOption(choiceOption('--color <when>', 'colour: auto (terminal only; FORCE_COLOR, NO_COLOR), always, never', COLOR_MODES, { default: 'auto' }));
  program.addCommand(proxyConfigCommand(ctx, onlyPc));
  if (onlyPc === undefined) {
    program.addCommand(proxyStatusCommand(ctx));
    program.addCommand(istiodCommand(ctx));
    program.addCommand(ztunnelConfigCommand(ctx));
    program.addCommand(versionCommand(ctx, VERSION));
    program.addCommand(completionCommand(ctx));
  }
  withExamples(program, [
    `envoyscope pc all -f ${EXAMPLE_DUMP} --with-headers`,
    `envoyscope pc route ${EXAMPLE_POD} --name 9080 -o wide`,
    'envoyscope pc endpoint -l app=ratings -A --status unhealthy',
  ]);
  // Errors and help go through our streams, and no command may end the process itself.
  const applyToAll = (command: Command): void => {
    // Each command's help lists the global flags too: they may be given after the command.
    command.configureHelp({ showGlobalOptions: true });
    command.exitOverride().configureOutput({
      writeOut: (text) => ctx.io.out.write(text),
      writeErr: (text) => ctx.io.err.write(text),
      outputError: () => {}, // run() prints the one-line error itself
    });
    command.commands.forEach(applyToAll);
  };
  applyToAll(program);
  return program;
}

/** Runs `argv` (without node and script) and returns the exit code. Never throws. */
export async function run(argv: readonly string[], ctx: CliContext): Promise<ExitCodeValue> {
  const program = buildProgram(ctx, argv);
  // kubectl's habit: no arguments at all is a request for help, on stdout, and not an error.
  if (argv.length === 0) {
    ctx.io.out.write(program.helpInformation());
    return ExitCode.OK;
  }
  // The completion scripts' entry point takes the raw words: commander must not parse them.
  if (argv[0] === COMPLETE_COMMAND) {
    await runComplete(program, argv.slice(1), ctx);
    return ExitCode.OK;
  }
  try {
    await program.parseAsync(normalizeArgv(argv), { from: 'user' });
    return ExitCode.OK;
  } catch (error) {
    return await report(error, ctx);
  }
}

async function report(error: unknown, ctx: CliContext): Promise<ExitCodeValue> {
  // --help and --version end with a CommanderError too, but successfully.
  if (error instanceof CommanderError && error.exitCode === 0) return ExitCode.OK;
  // A command group without its subcommand: commander has printed the help on stderr already.
  if (error instanceof CommanderError && error.code === 'commander.help') return ExitCode.USAGE;
  if (error instanceof DifferencesFound) return error.exitCode;
  const { message, code } = describe(error);
  const color = await palette(ctx.io.colorErr);
  // One printable line whatever the message holds (user values can be long or hold escape sequences).
  ctx.io.err.write(`${color ? color.red('error:') : 'error:'} ${printable(message, 600)}\n`);
  if (code === ExitCode.INTERNAL && ctx.env['ENVOYSCOPE_DEBUG']) ctx.io.err.write(`${error instanceof Error ? error.stack : ''}\n`);
  return code;
}

/** The one line to print for a failure, and its exit code. */
function describe(error: unknown): { message: string; code: ExitCodeValue } {
  if (error instanceof CommanderError) return { message: error.message.replace(/^error: /, ''), code: ExitCode.USAGE };
  if (error instanceof UsageError) return { message: `${error.message} (see --help)`, code: error.exitCode };
  if (error instanceof EnvoyscopeError) return { message: error.message, code: error.exitCode };
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0] ?? '';
  return { message: `internal error: ${firstLine} (please report this; ENVOYSCOPE_DEBUG=1 prints details)`, code: ExitCode.INTERNAL };
}
