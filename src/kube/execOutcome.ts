// What `pilot-agent request` and `pilot-discovery request` (Istio's pilot/pkg/request) leave behind
// when a request run through exec did not succeed.
import type { ExecOutcome } from './types.ts';

/** `received unsuccessful status code 503: <body>`: the HTTP answer the agent got, when it got one. */
export function unsuccessfulAnswer(stderr: string): { status: number; body: string } | undefined {
  const found = /received unsuccessful status code (\d+): ?(.*)/s.exec(stderr);
  return found ? { status: Number(found[1]), body: found[2] ?? '' } : undefined;
}

/** Why the exec itself failed: its status message and the first line of stderr. */
export function execFailureDetail({ stderr, status }: ExecOutcome): string {
  return [status?.message ?? 'the exec session ended without an exit status', stderr.trim().split('\n')[0]].filter(Boolean).join(': ');
}
