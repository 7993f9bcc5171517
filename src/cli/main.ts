// Process entry point. `--version` alone is answered before the rest of the CLI is loaded: scripts
// call it often, and the command tree, decoders and renderers would cost more than the answer.
// Everything else is one dynamic import (each module loaded costs start-up time).
import { basename } from 'node:path';
import { COMPLETE_COMMAND } from './completeCommand.ts';
import { VERSION } from './version.ts';

// kubectl completes a plugin's arguments by running `kubectl_complete-<plugin> <words…>`.
const kubectlCompletion = /^kubectl_complete-/.test(basename(process.argv[1] ?? ''));
const argv = kubectlCompletion ? [COMPLETE_COMMAND, ...process.argv.slice(2)] : process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { start } = await import('./start.ts');
  await start(argv);
}
