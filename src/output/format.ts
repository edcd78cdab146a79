/**
 * Renders rows for the terminal (aligned table), for tools (JSON) and for spreadsheets (CSV).
 * Every cell goes through safe-text.ts: nothing stored can act on a terminal or a spreadsheet.
 */
import { csvField, displayText, escapeControl, terminalSafeJson } from './safe-text.js';

export type Row = Record<string, unknown>;
export type OutputFormat = 'table' | 'json' | 'csv';

const MAX_CELL = 60;

export function formatRows(rows: readonly Row[], format: OutputFormat, columns: string[] = columnsOf(rows)): string {
  switch (format) {
    case 'json':
      return `${jsonText(rows)}\n`;
    case 'csv':
      return [csvLine(columns), ...rows.map((row) => csvLine(columns.map((c) => row[c])))].join('\n') + '\n';
    case 'table':
      return formatTable(rows, columns);
  }
}

export function formatTable(rows: readonly Row[], columns: string[] = columnsOf(rows)): string {
  if (columns.length === 0) return '(no rows)\n';
  const cells = rows.map((row) => columns.map((c) => tableCell(row[c])));
  const widths = tableWidths(columns, cells);
  const out = [...tableHead(columns, widths), ...cells.map((r) => tableLine(r, widths))];
  out.push(rowCount(rows.length));
  return `${out.join('\n')}\n`;
}

/** JSON for a value, terminal-safe; blobs as SQLite's Buffer prints them, wherever they come from. */
export function jsonText(value: unknown, indent = 2): string {
  return terminalSafeJson(JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { type: 'Buffer', data: Array.from(v) } : v), indent));
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

/** One table cell: control characters escaped, cut to MAX_CELL characters. */
export function tableCell(value: unknown): string {
  const flat = escapeControl(displayText(value));
  if (flat.length <= MAX_CELL) return flat;
  // Cut between code points, so a character outside the BMP is never halved.
  return `${Array.from(flat).slice(0, MAX_CELL - 1).join('')}…`;
}

export function tableWidths(columns: readonly string[], cells: readonly string[][]): number[] {
  return columns.map((c, i) => cells.reduce((w, r) => Math.max(w, r[i]!.length), escapeControl(c).length));
}

export function tableHead(columns: readonly string[], widths: readonly number[]): string[] {
  return [tableLine(columns.map(escapeControl), widths), tableLine(widths.map((w) => '-'.repeat(w)), widths)];
}

export function tableLine(values: readonly string[], widths: readonly number[]): string {
  return values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
}

export function rowCount(n: number, note = ''): string {
  return `(${n} row${n === 1 ? '' : 's'}${note})`;
}

function columnsOf(rows: readonly Row[]): string[] {
  return rows.length > 0 ? Object.keys(rows[0]!) : [];
}
