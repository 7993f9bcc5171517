// Reads a saved dump from a file, or from standard input when the path is '-'.
import { readFileSync } from 'node:fs';
import { NoInputError } from '../errors.ts';

export interface InputBytes {
  /** How messages name the input: the path, or `<stdin>`. */
  name: string;
  bytes: Buffer;
}

/** The raw bytes: decoding only the sections a command shows is cheaper than decoding the whole file. */
export async function readInput(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<InputBytes> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return { name: '<stdin>', bytes: Buffer.concat(chunks) };
  }
  try {
    return { name: path, bytes: readFileSync(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'is a directory, not a file'
      : code === 'EACCES' ? 'permission denied'
      : `cannot be read (${code ?? (error as Error).message})`;
    throw new NoInputError(path, problem);
  }
}
