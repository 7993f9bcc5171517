// Reads a saved dump from a file, or from standard input when the path is '-'. What is read is
// bounded: input that cannot be a dump (binary, UTF-16, plain text) is rejected from its first
// 64 KiB, and no input may grow beyond --max-input-size. Gzip is decompressed on the way (saved
// dumps and bug-report archives often are), and a YAML dump (`istioctl … -o yaml`) becomes JSON.
import { createRequire } from 'node:module';
import { closeSync, createReadStream, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { constants as bufferLimits } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataError, NoInputError } from '../errors.ts';
import { printable } from '../util/printable.ts';

export interface InputBytes {
  /** How messages name the input: the path, or `<stdin>`. */
  name: string;
  /** JSON text (YAML input is converted), without a byte order mark. */
  bytes: Buffer;
}

export interface ReadOptions {
  /** The most bytes (decompressed) an input may have. */
  maxBytes?: number;
}

/** Enough to recognise what an input is; nothing beyond it is read from input that is not a dump. */
const HEAD_BYTES = 64 * 1024;
const DEFAULT_MAX_BYTES = 8 * 2 ** 30;
/** Reads of a big file are done in pieces: one read is limited to 2 GiB. */
const READ_PIECE = 2 ** 30;
/**
 * A stream longer than this is spooled to a temporary file and read back into one buffer, as a
 * file is: holding its chunks and then their concatenation would need twice its size in memory.
 */
const SPOOL_AFTER = 8 * 2 ** 20;

/** The raw bytes: decoding only the sections a command shows is cheaper than decoding the whole file. */
export async function readInput(path: string, io: { readonly in: NodeJS.ReadableStream }, options: ReadOptions = {}): Promise<InputBytes> {
  const { maxBytes = DEFAULT_MAX_BYTES } = options;
  const name = path === '-' ? '<stdin>' : path;
  // io.in only for '-': making the stdin stream loads parts of Node a file never needs.
  const raw = path === '-' ? await readStdin(io.in, maxBytes) : await readPath(path, maxBytes);
  return { name, bytes: await asJson(raw, name) };
}

/** `-f - < FILE` is read like the file (in place, one buffer); a pipe as a stream. */
async function readStdin(stdin: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  const fd = (stdin as { fd?: unknown }).fd;
  if (typeof fd === 'number' && fstatSync(fd).isFile()) return await readFd(fd, '<stdin>', maxBytes);
  return await readStream(stdin, '<stdin>', maxBytes);
}

/** A regular file is read straight into one buffer of its size; anything else (a FIFO, a device) as a stream. */
async function readPath(path: string, maxBytes: number): Promise<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    return await readFd(fd, path, maxBytes);
  } finally {
    closeSync(fd);
  }
}

async function readFd(fd: number, path: string, maxBytes: number): Promise<Buffer> {
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new NoInputError(path, 'is a directory, not a file');
    if (!stat.isFile() || stat.size === 0) return await readStream(createReadStream('', { fd, autoClose: false }), path, maxBytes);
    if (stat.size > maxBytes) throw new DataError(path, `is ${sizeText(stat.size)}, more than --max-input-size (${sizeText(maxBytes)})`);
    const head = Buffer.alloc(Math.min(HEAD_BYTES, stat.size));
    readSync(fd, head, 0, head.length, 0);
    if (isGzip(head)) return await readStream(createReadStream('', { fd, autoClose: false, start: 0 }), path, maxBytes);
    checkHead(head, path, head.length === stat.size);
    if (stat.size > bufferLimits.MAX_LENGTH) throw tooBigForMemory(path, stat.size);
    return readWhole(fd, stat.size);
  } catch (error) {
    if (error instanceof DataError || error instanceof NoInputError) throw error;
    throw cannotRead(path, error);
  }
}

/** `size` bytes of a file from its start, read in pieces; fewer if the file shrank meanwhile. */
function readWhole(fd: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let done = 0; done < size; ) {
    const read = readSync(fd, bytes, done, Math.min(READ_PIECE, size - done), done);
    if (read === 0) return bytes.subarray(0, done);
    done += read;
  }
  return bytes;
}

function tooBigForMemory(name: string, size: number): DataError {
  return new DataError(name, `is ${sizeText(size)}, more than this Node.js can hold in memory (${sizeText(bufferLimits.MAX_LENGTH)})`);
}

function cannotRead(path: string, error: unknown): NoInputError {
  const code = (error as NodeJS.ErrnoException).code;
  const problem =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot be read (${code ?? printable((error as Error).message)})`;
  return new NoInputError(path, problem);
}

/**
 * Reads a stream to its end, at most `maxBytes`, checking its head as soon as it has arrived.
 * Gzip is decompressed, and the limit applies to what it decompresses to.
 */
async function readStream(stream: NodeJS.ReadableStream, name: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let headChecked = false;
  let spool: Spool | undefined;
  let gzipChecked = false;
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  try {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      total += chunk.length;
      if (spool) spool.write(chunk);
      else chunks.push(chunk);
      // Only the first two bytes tell gzip: looked at once, when they have arrived.
      const gzip = !gzipChecked && total >= 2 && isGzip(Buffer.concat(chunks));
      if (total >= 2) gzipChecked = true;
      if (gzip) {
        const rest = Readable.from(continueWith(Buffer.concat(chunks), iterator));
        // zlib is loaded for gzip input only: loading it costs every other command start-up time.
        const { createGunzip } = createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');
        // Its own catch names a zlib fault as not decompressing.
        return await readStream(
          rest.pipe(createGunzip()).on('error', () => {}),
          name,
          maxBytes,
        );
      }
      if (total > maxBytes) throw new DataError(name, `is longer than --max-input-size (${sizeText(maxBytes)}); raise it if the dump really is that big`);
      if (!headChecked && total >= HEAD_BYTES) {
        checkHead(Buffer.concat(chunks).subarray(0, HEAD_BYTES), name, false);
        headChecked = true;
      }
      if (!spool && total > SPOOL_AFTER) {
        spool = openSpool();
        for (const held of chunks.splice(0)) spool.write(held);
      }
    }
    if (total > bufferLimits.MAX_LENGTH) throw tooBigForMemory(name, total);
    const bytes = spool ? spool.readBack(total) : Buffer.concat(chunks, total);
    if (!headChecked) checkHead(bytes, name, true);
    return bytes;
  } catch (error) {
    await iterator.return?.();
    if (isZlibError(error)) throw new DataError(name, `is gzip data that does not decompress (${(error as Error).message})`);
    if (error instanceof DataError) throw error;
    throw cannotRead(name, error);
  } finally {
    spool?.remove();
  }
}

interface Spool {
  write(chunk: Buffer): void;
  /** The whole spooled input in one buffer. */
  readBack(size: number): Buffer;
  remove(): void;
}

/** A private temporary file that holds a long stream until it has ended; removed by remove(). */
function openSpool(): Spool {
  const dir = mkdtempSync(join(tmpdir(), 'envoyscope-stdin-'));
  const fd = openSync(join(dir, 'input'), 'w+', 0o600);
  let open = true;
  return {
    write(chunk) {
      for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
    },
    readBack: (size) => readWhole(fd, size),
    remove() {
      if (open) closeSync(fd);
      open = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function* continueWith(head: Buffer, rest: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  yield head;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) {
    yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function isGzip(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Rejects a head that cannot start a dump, with a hint at what it is instead. `complete`: the
 * head is the whole input.
 */
function checkHead(head: Buffer, name: string, complete: boolean): void {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || /^[\s\S]?\0[{[\s]\0|^[{[]\0/.test(head.toString('latin1', 0, 8))) {
    throw new DataError(name, 'is UTF-16 text; envoyscope reads UTF-8 (convert it with: iconv -f UTF-16 -t UTF-8)');
  }
  const nul = head.indexOf(0);
  if (nul >= 0) {
    const tar = head.toString('latin1', 257, 262) === 'ustar';
    throw new DataError(
      name,
      tar ? 'is a tar archive: extract the dump from it first (tar xzf …)' : `is binary data (a NUL byte at byte ${nul}), not a JSON dump`,
    );
  }
  const text = head.toString('utf8', startOfText(head));
  const first = /\S/.exec(text);
  if (first === null) return; // blank so far: the JSON parser decides
  if (first[0] === '{' || first[0] === '[' || looksLikeYaml(text)) return;
  if (first[0] === '<') throw new DataError(name, 'is not valid JSON: it looks like HTML or XML');
  if (complete || head.length >= HEAD_BYTES) {
    throw new DataError(name, `is not JSON (nor a YAML dump): it starts with "${printable(text.slice(first.index).split('\n')[0] ?? '', 40)}"`);
  }
}

function startOfText(bytes: Buffer): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** `istioctl … -o yaml` and `kubectl`-style YAML: a `---` or a top-level `key:` first (comments aside). */
function looksLikeYaml(text: string): boolean {
  const line = text.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  return /^---(\s|$)/.test(line) || /^(["']?)[\w@.\-/]+\1:(\s|$)/.test(line);
}

/** JSON text for the decoder: a BOM dropped, YAML converted. */
async function asJson(bytes: Buffer, name: string): Promise<Buffer> {
  const text = bytes.subarray(startOfText(bytes));
  const first = /\S/.exec(text.toString('utf8', 0, Math.min(text.length, HEAD_BYTES)));
  if (first === null || first[0] === '{' || first[0] === '[') return text;
  const { parseDocument } = await import('yaml');
  const document = parseDocument(text.toString('utf8'), { uniqueKeys: false });
  const [error] = document.errors;
  if (error) throw new DataError(name, `is not valid JSON or YAML (YAML: ${printable(error.message.split('\n')[0] ?? '', 120)})`);
  return Buffer.from(JSON.stringify(document.toJS({ maxAliasCount: 100 })) ?? 'null');
}

function sizeText(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1).replace(/\.0$/, '')} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1).replace(/\.0$/, '')} MiB`;
  return `${bytes} bytes`;
}
