// A trace as text: the article's walk, one numbered stage after the other, each with what matched,
// why, and the nearest candidates that did not; then the outcome. `-o json` prints the Trace itself.
import type { Obj } from '../envoy/model.ts';
import type { Trace, TraceResult } from './trace.ts';

/** How many losing candidates a step shows before "+ N more" (-o json has them all). */
const SHOWN_CANDIDATES = 3;

export function renderTraceText(trace: Trace): string {
  const lines: string[] = [`Request   ${describeRequest(trace.request)}`, ''];
  const width = Math.max(...trace.steps.map((s) => s.stage.length), 'result'.length);
  trace.steps.forEach((step, index) => {
    const number = `${index + 1}.`.padStart(3);
    lines.push(`${number} ${step.stage.padEnd(width)}  ${step.name || '(none)'}${step.match ? ` (${step.match})` : ''}`);
    const indent = ' '.repeat(4 + width + 2);
    lines.push(`${indent}${step.reason}`);
    for (const detail of step.details ?? []) lines.push(`${indent}· ${detail}`);
    const candidates = step.candidates ?? [];
    for (const candidate of candidates.slice(0, SHOWN_CANDIDATES)) lines.push(`${indent}✗ ${candidate.name}: ${candidate.reason}`);
    if (candidates.length > SHOWN_CANDIDATES) lines.push(`${indent}✗ + ${candidates.length - SHOWN_CANDIDATES} more (see -o json)`);
  });
  lines.push('', `Result    ${describeResult(trace.result)}`, `          ${trace.result.detail}`);
  return `${lines.join('\n')}\n`;
}

/** The request line, then where the connection goes and how that destination was chosen. */
function describeRequest(request: Obj): string {
  const tls = request['tls'] === true ? `, TLS${request['sni'] ? ` with SNI ${String(request['sni'])}` : ''}` : '';
  const what =
    request['protocol'] === 'tcp'
      ? 'TCP connection'
      : `${String(request['method'])} ${String(request['scheme'])}://${String(request['authority'] ?? '')}${String(request['path'])}`;
  return `${what}\n          ${String(request['direction'])} to ${String(request['destination'])}${tls} (destination: ${String(request['destination_source'])})`;
}

function describeResult(result: TraceResult): string {
  const status = result.status !== undefined ? ` ${result.status}` : '';
  const cluster = result.cluster ? ` → ${result.cluster}` : '';
  const endpoints = result.endpoints.length > 0 ? ` → ${result.endpoints.join(', ')}` : '';
  const location = result.location ? ` → ${result.location}` : '';
  return `${result.outcome.toUpperCase()}${status}${cluster}${endpoints}${location}`;
}
