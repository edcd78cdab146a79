/**
 * The text of a query result as its rows arrive, in the same formats as format.ts, without ever
 * holding the whole result. JSON and CSV are written row by row. A table needs its column widths
 * first, so it holds the first `alignRows` rows' cells (each cut to 60 characters, so bounded),
 * prints them aligned, and writes any later rows (only with --all or a large --max-rows) with the
 * same widths: a longer cell there shifts its own line, never the memory.
 */
import { csvLine, jsonText, rowCount, tableCell, tableHead, tableLine, tableWidths, type OutputFormat, type Row } from './format.js';

export interface RowStream {
  /** Text to write before any row. */
  start(): string;
  rows(rows: readonly Row[]): string;
  /** The result is complete; `truncated`: it stopped at --max-rows and more rows exist. */
  end(truncated: boolean): string;
  /** The query stopped early (timeout, error): what is held back, and no closing. */
  stop(): string;
}

export function rowStream(format: OutputFormat, columns: readonly string[], alignRows: number): RowStream {
  switch (format) {
    case 'json':
      return jsonStream();
    case 'csv':
      return csvStream(columns);
    case 'table':
      return tableStream(columns, alignRows);
  }
}

/** Byte for byte what JSON.stringify(rows, null, 2) would print, one row at a time. */
function jsonStream(): RowStream {
  let count = 0;
  return {
    start: () => '',
    // JSON.stringify escapes every newline inside a string, so each one here is between tokens.
    rows: (rows) => rows.map((row) => `${count++ === 0 ? '[\n' : ',\n'}${jsonText(row).replace(/^/gm, '  ')}`).join(''),
    end: () => (count === 0 ? '[]\n' : '\n]\n'),
    // Left unclosed on purpose: a tool parsing a cut-off result should fail, not take it as whole.
    stop: () => (count === 0 ? '' : '\n'),
  };
}

function csvStream(columns: readonly string[]): RowStream {
  return {
    start: () => `${csvLine(columns)}\n`,
    rows: (rows) => rows.map((row) => `${csvLine(columns.map((c) => row[c]))}\n`).join(''),
    end: () => '',
    stop: () => '',
  };
}

function tableStream(columns: readonly string[], alignRows: number): RowStream {
  let held: string[][] | undefined = [];
  let widths: number[] = [];
  let count = 0;
  const release = (): string => {
    if (!held) return '';
    widths = tableWidths(columns, held);
    const text = [...tableHead(columns, widths), ...held.map((cells) => tableLine(cells, widths))].join('\n');
    held = undefined;
    return `${text}\n`;
  };
  return {
    start: () => '',
    rows: (rows) => {
      const cells = rows.map((row) => columns.map((c) => tableCell(row[c])));
      count += cells.length;
      if (!held) return cells.map((line) => `${tableLine(line, widths)}\n`).join('');
      held.push(...cells);
      return held.length >= alignRows ? release() : '';
    },
    end: (truncated) => {
      if (columns.length === 0) return '(no rows)\n';
      return `${release()}${rowCount(count, truncated ? ', more not shown' : '')}\n`;
    },
    // Stopped before any row: no header over an empty table that is not the whole answer.
    stop: () => (held?.length === 0 ? '' : release()),
  };
}
