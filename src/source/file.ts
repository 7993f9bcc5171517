// Reads a saved dump from a file, or from standard input when the path is '-'.
import { readFileSync } from 'node:fs';
import { NoInputError } from '../errors.ts';

export interface InputText {
  /** How messages name the input: the path, or `<stdin>`. */
  name: string;
  text: string;
}

export async function readInput(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<InputText> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return { name: '<stdin>', text: Buffer.concat(chunks).toString('utf8') };
  }
  try {
    // Whole-buffer decoding is about twice as fast as reading with an encoding, which decodes in
    // chunks; for a 100 MB dump that is most of the time spent before JSON.parse.
    return { name: path, text: readFileSync(path).toString('utf8') };
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
