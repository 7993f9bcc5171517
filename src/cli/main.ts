// Process entry point. `--version` alone is answered before the rest of the CLI is loaded: scripts
// call it often, and the command tree, decoders and renderers would cost more than the answer.
// Everything else is one dynamic import (each module loaded costs start-up time).
import { VERSION } from './version.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { start } = await import('./start.ts');
  await start(argv);
}
