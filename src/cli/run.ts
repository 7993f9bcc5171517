// Builds the command tree, runs one command line, and turns every outcome into an exit code.
// This is the only place that decides exit codes and prints errors.
import { Command, CommanderError } from 'commander';
import { EnvoyscopeError, ExitCode, UsageError, type ExitCodeValue } from '../errors.ts';
import { proxyConfigCommand } from './commands/proxyConfig.ts';
import type { CliContext } from './context.ts';
import { translateIstioctlFlags } from './flags.ts';

export const VERSION = '0.1.0';

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
    return report(error, ctx);
  }
}

function report(error: unknown, ctx: CliContext): ExitCodeValue {
  const { err } = ctx.io;
  if (error instanceof CommanderError) {
    // --help and --version end with a CommanderError too, but successfully.
    if (error.exitCode === 0) return ExitCode.OK;
    err.write(`error: ${error.message.replace(/^error: /, '')}\n`);
    return ExitCode.USAGE;
  }
  if (error instanceof UsageError) {
    err.write(`error: ${error.message} (see --help)\n`);
    return error.exitCode;
  }
  if (error instanceof EnvoyscopeError) {
    err.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  err.write(`error: internal error: ${message.split('\n')[0]} (please report this; set ENVOYSCOPE_DEBUG=1 for details)\n`);
  if (ctx.env['ENVOYSCOPE_DEBUG']) err.write(`${error instanceof Error ? error.stack : ''}\n`);
  return ExitCode.INTERNAL;
}
