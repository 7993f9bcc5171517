// What every entry point does before the CLI proper is loaded. `envoyscope --version` alone is
// answered here: scripts call it often, and the command tree, decoders and renderers would cost more
// than the answer.
import { basename } from 'node:path';
import { COMPLETE_COMMAND } from './completeCommand.ts';
import { VERSION } from './version.ts';

/** Runs the command line `args` of the script at `scriptPath`; `runCli` loads the CLI and runs an argv. */
export async function main(scriptPath: string, args: readonly string[], runCli: (argv: string[]) => Promise<void>): Promise<void> {
  // kubectl completes a plugin's arguments by running `kubectl_complete-<plugin> <words…>`.
  const argv = /^kubectl_complete-/.test(basename(scriptPath)) ? [COMPLETE_COMMAND, ...args] : [...args];
  if (argv.length === 1 && argv[0] === '--version') process.stdout.write(`${VERSION}\n`);
  else await runCli(argv);
}
