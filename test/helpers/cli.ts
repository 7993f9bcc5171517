// Runs envoyscope in-process, the way the binary does, with captured streams and a frozen clock.
import type { Command } from 'commander';
import { buildProgram, run } from '../../src/cli/run.ts';
import { testStreams } from '../../src/io/streams.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A date at which the corpus secrets' VALID CERT column reads as istioctl's goldens do. */
export const FROZEN_NOW = new Date('2026-01-01T00:00:00Z');

export async function runCli(argv: string[], options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const io = testStreams(options.stdin === undefined ? {} : { stdin: options.stdin });
  const code = await run(argv, { io, now: () => FROZEN_NOW, env: options.env ?? {} });
  // Let the captured streams deliver what was written.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Table lines with trailing whitespace trimmed: how istioctl's tabwriter goldens are compared. */
export function tableLines(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.trimEnd());
}

/** The whole command tree, the root first, each command with its words on the command line (`['pc', 'route']`). */
export function commandTree(): { path: string[]; command: Command }[] {
  const walk = (command: Command, path: string[]): { path: string[]; command: Command }[] =>
    command.commands.flatMap((sub) => [{ path: [...path, sub.name()], command: sub }, ...walk(sub, [...path, sub.name()])]);
  const root = buildProgram({ io: testStreams(), now: () => FROZEN_NOW, env: {} });
  return [{ path: [], command: root }, ...walk(root, [])];
}
