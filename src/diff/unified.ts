// A unified diff of two texts (line based, Myers' O(ND) algorithm), with `diff -u`'s hunk headers.

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
  const lineA = [0];
  const lineB = [0];
  for (const op of ops) {
    lineA.push(lineA.at(-1)! + (op.type === '+' ? 0 : 1));
    lineB.push(lineB.at(-1)! + (op.type === '-' ? 0 : 1));
  }
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.type === ' ') i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - CONTEXT);
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]!.type !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]!.type === ' ') next++;
      if (next < ops.length && next - end <= 2 * CONTEXT) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + CONTEXT);
    const hunk = ops.slice(start, stop);
    const countA = hunk.filter((op) => op.type !== '+').length;
    const countB = hunk.filter((op) => op.type !== '-').length;
    const from = (line: number, count: number) => `${count === 0 ? line : line + 1},${count}`;
    out.push(`@@ -${from(lineA[start]!, countA)} +${from(lineB[start]!, countB)} @@`);
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
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
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
        ops.push({ type: ' ', line: a[--x]! });
        y--;
      }
    };
    if (d === 0) {
      diagonal(0, 0);
      break;
    }
    const vd = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[offset + prevK]!;
    diagonal(prevX, prevX - prevK);
    if (down) ops.push({ type: '+', line: b[--y]! });
    else ops.push({ type: '-', line: a[--x]! });
  }
  return ops.reverse();
}
