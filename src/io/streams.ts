// The only place that knows about the process's standard streams. Commands get an IOStreams and
// write data to `out`, messages to `err`; tests build one from string buffers.
import { Chalk, type ChalkInstance } from 'chalk';
import { PassThrough, type Readable, type Writable } from 'node:stream';

export interface IOStreams {
  in: Readable;
  out: Writable;
  err: Writable;
  /** Is stdout a terminal (a person reading) rather than a pipe or file? */
  isTTY: boolean;
  /** Colours only for a terminal, and never when NO_COLOR is set. */
  color: ChalkInstance;
}

export function systemStreams(env: NodeJS.ProcessEnv = process.env): IOStreams {
  const isTTY = process.stdout.isTTY === true;
  const colorful = isTTY && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
  return {
    in: process.stdin,
    out: process.stdout,
    err: process.stderr,
    isTTY,
    color: new Chalk({ level: colorful ? 1 : 0 }),
  };
}

/** Streams backed by strings, for tests. `stdin` is what the command reads from `-f -`. */
export function testStreams(options: { stdin?: string; isTTY?: boolean } = {}): IOStreams & {
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
    isTTY: options.isTTY ?? false,
    color: new Chalk({ level: 0 }),
    stdout: out.text,
    stderr: err.text,
  };
}
