// Builds the command tree, runs one command line, and turns every outcome into an exit code.
// This is the only place that decides exit codes and prints errors.
import { Command, CommanderError } from 'commander';
import { DifferencesFound, EnvoyscopeError, ExitCode, UsageError, type ExitCodeValue } from '../errors.ts';
import { proxyConfigCommand } from './commands/proxyConfig.ts';
import { proxyStatusCommand } from './commands/proxyStatus.ts';
import { istiodCommand } from './commands/istiod.ts';
import { ztunnelConfigCommand } from './commands/ztunnelConfig.ts';
import { palette } from '../io/streams.ts';
import type { CliContext } from './context.ts';
import { translateIstioctlFlags } from './flags.ts';
import { VERSION } from './version.ts';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('envoyscope')
    .description('Inspect the Envoy sidecars of an Istio mesh: listeners, routes, clusters, endpoints.')
    .version(VERSION, '--version', 'print the envoyscope version')
    .showSuggestionAfterError(true)
    // kubectl's connection flags; they may stand anywhere on the command line.
    .option('-n, --namespace <namespace>', 'namespace of the pod (default: the kubeconfig context\'s, else "default")')
    .option('--context <context>', 'kubeconfig context to use')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--timeout <duration>', 'give up on the cluster or Envoy after this long', '15s')
    .option('-v, --verbose', 'report on stderr what is fetched, from where, how many bytes and how long it took');
  program.addCommand(proxyConfigCommand(ctx));
  program.addCommand(proxyStatusCommand(ctx));
  program.addCommand(istiodCommand(ctx));
  program.addCommand(ztunnelConfigCommand(ctx));
  // Errors and help go through our streams, and no command may end the process itself.
  const applyToAll = (command: Command): void => {
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
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(translateIstioctlFlags(argv), { from: 'user' });
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
  ctx.io.err.write(`${color ? color.red('error:') : 'error:'} ${message}\n`);
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
