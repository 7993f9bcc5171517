// Process entry point: real streams, real clock, and the exit code left for Node to use once
// stdout has drained (never process.exit, which can cut piped output short).
// `--version` alone is answered before the rest of the CLI is loaded: scripts call it often, and
// the command tree, decoders and renderers would cost more than the answer.
import { VERSION } from './version.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ ExitCode }, { systemStreams }, { printable }, { run }] = await Promise.all([
    import('../errors.ts'),
    import('../io/streams.ts'),
    import('../util/printable.ts'),
    import('./run.ts'),
  ]);
  const io = systemStreams();
  let outputFailed = false;
  const WRITE_ERRORS: Record<string, string> = { ENOSPC: ' (no space left on device)', EIO: ' (input/output error)', EPIPE: ' (the reader went away)' };
  /** A failed write (ENOSPC, EIO, …): one line where it can still be read, exit 74, never a trace. */
  const writeFailed =
    (stream: 'stdout' | 'stderr') =>
    (error: NodeJS.ErrnoException): void => {
      // A closed pipe on stdout (`envoyscope … | head`) is the reader's choice, not a failure.
      if (stream === 'stdout' && error.code === 'EPIPE') return;
      if (outputFailed) return;
      outputFailed = true;
      process.exitCode = ExitCode.OUTPUT_FAILED;
      if (stream === 'stdout') io.err.write(`error: cannot write the output: ${error.code ?? printable(error.message)}${WRITE_ERRORS[error.code ?? ''] ?? ''}\n`);
    };
  io.out.on('error', writeFailed('stdout'));
  io.err.on('error', writeFailed('stderr'));
  const code = await run(argv, { io, now: () => new Date(), env: process.env });
  process.exitCode = outputFailed ? ExitCode.OUTPUT_FAILED : code;
}
