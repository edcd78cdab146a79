/** Renders rows for the terminal (aligned table), for tools (JSON) and for spreadsheets (CSV). */

export type Row = Record<string, unknown>;
export type OutputFormat = 'table' | 'json' | 'csv';

const MAX_CELL = 60;

export function formatRows(rows: readonly Row[], format: OutputFormat, columns: string[] = columnsOf(rows)): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows, null, 2)}\n`;
    case 'csv':
      return [columns.map(csvCell).join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n';
    case 'table':
      return formatTable(rows, columns);
  }
}

export function formatTable(rows: readonly Row[], columns: string[] = columnsOf(rows)): string {
  if (columns.length === 0) return '(no rows)\n';
  const cells = rows.map((row) => columns.map((c) => tableCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

function columnsOf(rows: readonly Row[]): string[] {
  return rows.length > 0 ? Object.keys(rows[0]!) : [];
}

function tableCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
