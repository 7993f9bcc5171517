// `-o table`: the rows of a table drawn in boxes by cli-table3, for reading rather than for
// istioctl-style text processing. Loaded on first use, like every output format but the default.
import { createRequire } from 'node:module';
import type { Table } from './tabwriter.ts';

export function boxedTable(table: Table): string {
  const CliTable = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
  const [head = [], ...rows] = table.rows;
  // No colours here: a pipe or a file must get plain text.
  const boxed = new CliTable({ head, style: { head: [], border: [] } });
  for (const row of rows) boxed.push(row); // not push(...rows): a spread of 500k rows overflows the stack
  return `${boxed.toString()}\n`;
}
