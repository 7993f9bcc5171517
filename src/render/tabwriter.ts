// Go's text/tabwriter (minwidth 0, padchar ' ', no flags), which istioctl prints its tables with.
// Reproducing it exactly keeps our tables byte-for-byte equal to istioctl's, trailing spaces included.
//
// A row is a list of cells: every cell but the last is tab-terminated and padded to its column's
// width; the last cell is printed as is. Widths are computed per column *block*: a run of
// consecutive rows that all have a cell in that column, so a row with fewer cells ends the block.

/** Formats rows as Go's tabwriter would, one `\n`-terminated line per row. */
export function tabwrite(rows: readonly (readonly string[])[], padding: number): string {
  const out: string[] = [];
  const widths: number[] = [];

  const writeRows = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const row = rows[i] ?? [];
      let line = '';
      row.forEach((cell, j) => {
        line += cell;
        const width = widths[j];
        if (j < row.length - 1 && width !== undefined) line += ' '.repeat(Math.max(0, width - runeLength(cell)));
      });
      out.push(`${line}\n`);
    }
  };

  // Mirrors tabwriter.format: find blocks in the next column, recurse into each, then print.
  const format = (lineFrom: number, lineTo: number): void => {
    const column = widths.length;
    let start = lineFrom;
    for (let i = lineFrom; i < lineTo; i++) {
      if (column >= terminatedCells(rows[i])) continue;
      writeRows(start, i);
      start = i;
      let width = 0;
      for (; i < lineTo && column < terminatedCells(rows[i]); i++) {
        width = Math.max(width, runeLength(rows[i]?.[column] ?? '') + padding);
      }
      widths.push(width);
      format(start, i);
      widths.pop();
      start = i;
      i--; // the for-loop's i++ must land on the row that ended the block
    }
    writeRows(start, lineTo);
  };

  format(0, rows.length);
  return out.join('');
}

const SURROGATE = /[\uD800-\uDFFF]/;

function terminatedCells(row: readonly string[] | undefined): number {
  return row ? row.length - 1 : 0;
}

/** Go measures cells in runes (code points), not UTF-16 units. */
function runeLength(text: string): number {
  // Only surrogate pairs make the two differ; most cells have none.
  if (!SURROGATE.test(text)) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A table before layout: the header row first, and istioctl's padding for that kind. */
export interface Table {
  rows: string[][];
  padding: number;
}

export function renderTable(table: Table): string {
  return tabwrite(table.rows, table.padding);
}
