// Process entry point: real streams, real clock, and the exit code left for Node to use once
// stdout has drained (never process.exit, which can cut piped output short).
import { systemStreams } from '../io/streams.ts';
import { run } from './run.ts';

const io = systemStreams();
// A closed pipe (`envoyscope … | head`) is not an error worth a stack trace.
io.out.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
process.exitCode = await run(process.argv.slice(2), { io, now: () => new Date(), env: process.env });
