// The installed command as a user runs it: bin/envoyscope.cjs in its own Node process, on the
// build in dist/ (npm test builds it first).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/envoyscope.cjs', import.meta.url));

export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface BinOptions {
  /** The whole environment of the child (PATH is added when missing). */
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Node options before the script, such as --import. */
  nodeArgs?: string[];
}

const childEnv = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'], ...env });

/** Runs the binary to its end; the test's event loop is blocked meanwhile (so no in-process fake may serve it). */
export function runBinSync(argv: readonly string[], options: BinOptions = {}): BinResult {
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), BIN, ...argv], {
    env: childEnv(options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the binary while the test goes on serving (the fake cluster lives in the test's process). */
export function runBin(argv: readonly string[], options: BinOptions = {}): Promise<BinResult> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...argv], {
    env: childEnv(options.env),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  });
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
