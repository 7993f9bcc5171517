// Process entry point: real streams, real clock, and the exit code left for Node to use once
// stdout has drained (never process.exit, which can cut piped output short).
import { systemStreams } from '../io/streams.ts';
import { colorModeOf } from './flags.ts';
import { basename } from 'node:path';
import { COMPLETE_COMMAND } from './commands/completion.ts';
import { run } from './run.ts';

const io = systemStreams(process.env, colorModeOf(process.argv.slice(2)));
// A closed pipe (`envoyscope … | head`) is not an error worth a stack trace.
io.out.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
// kubectl completes a plugin's arguments by running `kubectl_complete-<plugin> <words…>`.
const kubectlCompletion = /^kubectl_complete-/.test(basename(process.argv[1] ?? ''));
const argv = process.argv.slice(2);
process.exitCode = await run(kubectlCompletion ? [COMPLETE_COMMAND, ...argv] : argv, { io, now: () => new Date(), env: process.env });
