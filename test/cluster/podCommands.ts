// What runs when someone execs into a fake pod. `pilot-agent request` is played faithfully
// (istio pilot/pkg/request/command.go): it asks the pod's Envoy admin on localhost and prints the
// body with fmt.Println; a status above 399 other than 404 is an error, exit code 1.

import { request as httpRequest } from 'node:http';
import type { Readable } from 'node:stream';
import { type FakePod, SIDECAR } from './objects.ts';
import { ExecStatus } from './status.ts';

export interface ExecRequest {
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecIo {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** Present when the client asked for stdin; ends when the client closes it. */
  stdin: Readable | undefined;
}

export type ExecResult = typeof ExecStatus.success | ReturnType<typeof ExecStatus.exitCode> | ReturnType<typeof ExecStatus.internalError>;

/** Ports `pilot-agent request --debug-port` accepts. */
const PILOT_AGENT_PORTS = [15000, 15004, 15020, 15021];

export async function runInPod(pod: FakePod, request: ExecRequest, io: ExecIo): Promise<ExecResult> {
  const [program = '', ...args] = request.command;
  const exitCode = await (async () => {
    if (/^(\/usr\/local\/bin\/)?pilot-agent$/.test(program) && request.container === SIDECAR) return pilotAgent(pod, args, io);
    if (program === 'cat' && args.length === 0) return cat(io);
    if (/^(\/usr\/local\/bin\/)?pilot-discovery$/.test(program) && request.container === 'discovery')
      return (await import('./istiod.ts')).pilotDiscovery(pod, args, io);
    return undefined;
  })();
  if (exitCode === undefined) {
    return ExecStatus.internalError(
      `error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`,
    );
  }
  return exitCode === 0 ? ExecStatus.success : ExecStatus.exitCode(request.command, exitCode);
}

async function cat(io: ExecIo): Promise<number> {
  for await (const chunk of io.stdin ?? []) io.stdout(chunk as Buffer);
  return 0;
}

async function pilotAgent(pod: FakePod, args: string[], io: ExecIo): Promise<number> {
  const fail = (message: string) => {
    io.stderr(Buffer.from(`Error: ${message}\n`));
    return 1;
  };
  const portFlag = args.indexOf('--debug-port');
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 15000;
  const [subcommand, method, rawPath = '', body = ''] = args.filter((_, i) => portFlag < 0 || (i !== portFlag && i !== portFlag + 1));
  if (subcommand !== 'request' || !method) return fail(`unknown command "${subcommand ?? ''}" for "pilot-agent"`);
  if (!PILOT_AGENT_PORTS.includes(port)) return fail(`debug port ${port} is not in allowed list ${JSON.stringify(PILOT_AGENT_PORTS)}`);

  const path = rawPath.replace(/^\//, '');
  const url = `http://localhost:${port}/${path}`;
  const operation = method[0]!.toUpperCase() + method.slice(1).toLowerCase();
  const localPort = pod.localPort(port);
  if (localPort === undefined) return fail(`${operation} "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused`);

  const answer = await new Promise<{ status: number; body: Buffer } | { error: string }>((resolve) => {
    // Go reports a failure after the headers as the body's (unexpected EOF), whichever event Node
    // emits first for it: Node 24 raises the request's ECONNRESET before the response's close.
    let answered = false;
    const outgoing = httpRequest({ host: '127.0.0.1', port: localPort, path: `/${path}`, method }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('close', () => resolve(response.complete ? { status: response.statusCode ?? 0, body: Buffer.concat(chunks) } : { error: 'unexpected EOF' }));
    });
    outgoing.on('error', (error) => resolve({ error: answered ? 'unexpected EOF' : `${operation} "${url}": ${error.message}` }));
    outgoing.end(body);
  });
  if ('error' in answer) return fail(answer.error);
  if (answer.status > 399 && answer.status !== 404) {
    return fail(`received unsuccessful status code ${answer.status}: ${answer.body.toString()}`);
  }
  io.stdout(Buffer.concat([answer.body, Buffer.from('\n')]));
  return 0;
}
