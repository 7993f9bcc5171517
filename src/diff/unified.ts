// A unified diff of two texts (line based, Myers' O(ND) algorithm), with `diff -u`'s hunk headers.

import { at } from '../util/at.ts';

const CONTEXT = 3;

type Op = { type: ' ' | '-' | '+'; line: string };

/** `--- a`, `+++ b`, then hunks with CONTEXT lines around each change. Empty when equal. */
export function unifiedDiff(before: string, after: string, labelA: string, labelB: string): string {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const ops = diffLines(a, b);
  if (ops.every((op) => op.type === ' ')) return '';
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  // Walk the ops, grouping changes whose context overlaps into one hunk.
  let i = 0;
  // lineA[i] / lineB[i]: how many lines of a / b come before ops[i].
  const lineA = [0];
  const lineB = [0];
  let seenA = 0;
  let seenB = 0;
  for (const op of ops) {
    if (op.type !== '+') seenA++;
    if (op.type !== '-') seenB++;
    lineA.push(seenA);
    lineB.push(seenB);
  }
  while (i < ops.length) {
    while (i < ops.length && at(ops, i).type === ' ') i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - CONTEXT);
    let end = i;
    for (;;) {
      while (end < ops.length && at(ops, end).type !== ' ') end++;
      let next = end;
      while (next < ops.length && at(ops, next).type === ' ') next++;
      if (next < ops.length && next - end <= 2 * CONTEXT) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + CONTEXT);
    const hunk = ops.slice(start, stop);
    const countA = hunk.filter((op) => op.type !== '+').length;
    const countB = hunk.filter((op) => op.type !== '-').length;
    const from = (line: number, count: number) => `${count === 0 ? line : line + 1},${count}`;
    out.push(`@@ -${from(at(lineA, start), countA)} +${from(at(lineB, start), countB)} @@`);
    for (const op of hunk) out.push(op.type + op.line);
    i = stop;
  }
  return `${out.join('\n')}\n`;
}

/** Myers' shortest edit script, then its trace walked back into ops. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  found: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && at(v, offset + k - 1) < at(v, offset + k + 1)) ? at(v, offset + k + 1) : at(v, offset + k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(next);
        break found;
      }
    }
    v = next;
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0; d--) {
    const diagonal = (toX: number, toY: number) => {
      while (x > toX && y > toY) {
        ops.push({ type: ' ', line: at(a, --x) });
        y--;
      }
    };
    if (d === 0) {
      diagonal(0, 0);
      break;
    }
    const vd = at(trace, d);
    const k = x - y;
    const down = k === -d || (k !== d && at(vd, offset + k - 1) < at(vd, offset + k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(vd, offset + prevK);
    diagonal(prevX, prevX - prevK);
    if (down) ops.push({ type: '+', line: at(b, --y) });
    else ops.push({ type: '-', line: at(a, --x) });
  }
  return ops.reverse();
}
