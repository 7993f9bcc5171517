// The only place that knows about the process's standard streams. Commands get an IOStreams and
// write data to `out`, messages to `err`; tests build one from string buffers.
import { PassThrough, type Readable, type Writable } from 'node:stream';

export interface IOStreams {
  in: Readable;
  out: Writable;
  err: Writable;
  /** May `out` carry colour? See colorEnabled. */
  colorOut: boolean;
  /** The same for `err`. */
  colorErr: boolean;
}

/** `--color`: `auto` decides from the environment and the terminal. */
export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

/**
 * Whether a stream gets colour, in this order: `--color always|never`; FORCE_COLOR (on unless it
 * is `0` or `false`, as chalk reads it); NO_COLOR when present and not empty (no-color.org); never
 * for TERM=dumb; else only for a terminal.
 */
export function colorEnabled(mode: ColorMode, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (mode !== 'auto') return mode === 'always';
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY;
}

export function systemStreams(env: NodeJS.ProcessEnv = process.env, mode: ColorMode = 'auto'): IOStreams {
  return {
    // On first use only: making the stdin stream loads more of Node (file streams, fs/promises,
    // readline) than most commands, which read a file or nothing, should pay for.
    get in() {
      return process.stdin;
    },
    out: process.stdout,
    err: process.stderr,
    colorOut: colorEnabled(mode, env, process.stdout.isTTY === true),
    colorErr: colorEnabled(mode, env, process.stderr.isTTY === true),
  };
}

/**
 * Writes `chunks` to `out` as fast as it drains, so big output never sits in memory whole. Stops
 * when the stream fails (a full disk, a closed pipe): the process's error handler reports that.
 */
export async function writeChunks(out: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (out.destroyed) return;
    if (!out.write(chunk) && !(await drained(out))) return;
  }
}

/** Resolves true when `out` wants more, false when it closed or failed. */
function drained(out: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean) => (): void => {
      out.off('drain', onDrain);
      out.off('close', onEnd);
      out.off('error', onEnd);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onEnd = settle(false);
    out.on('drain', onDrain);
    out.on('close', onEnd);
    out.on('error', onEnd);
  });
}

/**
 * chalk, loaded only when colour will be shown: a pipe or a file never pays its start-up cost.
 * Level 1 (16 colours) is enough for what envoyscope highlights.
 */
export async function palette(enabled: boolean): Promise<import('chalk').ChalkInstance | undefined> {
  if (!enabled) return undefined;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

/** Streams backed by strings, for tests. `stdin` is what the command reads from `-f -`. */
export function testStreams(options: { stdin?: string | Buffer; color?: boolean } = {}): IOStreams & {
  stdout(): string;
  stderr(): string;
} {
  const capture = (): { stream: PassThrough; text: () => string } => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = capture();
  const err = capture();
  const input = new PassThrough();
  input.end(options.stdin ?? '');
  return {
    in: input,
    out: out.stream,
    err: err.stream,
    colorOut: options.color ?? false,
    colorErr: options.color ?? false,
    stdout: out.text,
    stderr: err.text,
  };
}
