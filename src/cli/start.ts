// Runs one command line in this process: real streams, real clock, and the exit code left for Node
// to use once stdout has drained (never process.exit, which can cut piped output short).
import { ExitCode } from '../errors.ts';
import { systemStreams } from '../io/streams.ts';
import { printable } from '../util/printable.ts';
import { colorModeOf } from './flags.ts';
import { run } from './run.ts';

export async function start(argv: string[]): Promise<void> {
  const io = systemStreams(process.env, colorModeOf(argv));
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
      if (stream === 'stdout')
        io.err.write(`error: cannot write the output: ${error.code ?? printable(error.message)}${WRITE_ERRORS[error.code ?? ''] ?? ''}\n`);
    };
  io.out.on('error', writeFailed('stdout'));
  io.err.on('error', writeFailed('stderr'));
  const code = await run(argv, { io, now: () => new Date(), env: process.env });
  process.exitCode = outputFailed ? ExitCode.OUTPUT_FAILED : code;
}
