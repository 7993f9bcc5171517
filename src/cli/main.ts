// Process entry point: real streams, real clock, and the exit code left for Node to use once
// stdout has drained (never process.exit, which can cut piped output short).
// `--version` alone is answered before the rest of the CLI is loaded: scripts call it often, and
// the command tree, decoders and renderers would cost more than the answer.
import { VERSION } from './version.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ systemStreams }, { run }] = await Promise.all([import('../io/streams.ts'), import('./run.ts')]);
  const io = systemStreams();
  // A closed pipe (`envoyscope … | head`) is not an error worth a stack trace.
  io.out.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  process.exitCode = await run(argv, { io, now: () => new Date(), env: process.env });
}
