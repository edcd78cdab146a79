/**
 * The statements that write a page of source rows into PostgreSQL, and the page turned into their
 * parameters: one text array per target column, unnested and cast by the server, so a page is one
 * multi-row statement (as the PostgreSQL store's own writers do). Values go in as the store's
 * writers would put them (storable-text.ts, timestamps.ts); where a hash covers them (`exact`), a
 * value that would not arrive as it is refuses the copy instead.
 */
import { CopyRefusedError } from '../../errors.js';
import { storableJson, storableJsonChecked, storableText } from '../postgres/storable-text.js';
import { isoMillis } from '../postgres/timestamps.js';
import type { ColumnKind, CopiedTable } from './copied-tables.js';

export type SourceRow = Record<string, unknown>;
type Param = string | null;

interface TargetColumn {
  name: string;
  /** The value from the unnested text parameter `r.<name>`. */
  select: string;
}

const CASTS: Record<Exclude<ColumnKind, 'payload'>, (column: string) => string> = {
  text: (c) => `r.${c}`,
  time: (c) => `r.${c}::timestamptz`,
  int: (c) => `r.${c}::bigint`,
  flag: (c) => `(r.${c}::int <> 0)`,
  bytes: (c) => `decode(r.${c}, 'hex')`,
  json: (c) => `r.${c}::jsonb`,
  topics: (c) => `r.${c}::jsonb`,
};

function targetColumns(spec: CopiedTable): TargetColumn[] {
  return Object.entries(spec.columns).flatMap(([name, kind]): TargetColumn[] =>
    kind === 'payload' ? [{ name, select: `r.${name}::jsonb` }, { name: `${name}_text`, select: `r.${name}_text` }] : [{ name, select: CASTS[kind](name) }],
  );
}

/**
 * The statement writing one page of `spec`'s rows: a plain INSERT for appended rows (a row already
 * there is an error, never skipped), else an upsert on the key that writes only rows that differ.
 */
export function insertStatement(spec: CopiedTable): string {
  const columns = targetColumns(spec);
  const names = columns.map((c) => c.name);
  const insert =
    `INSERT INTO ${spec.table} AS t (${names.join(', ')})\n` +
    `SELECT ${columns.map((c) => c.select).join(', ')}\n` +
    `FROM unnest(${columns.map((_c, i) => `$${i + 1}::text[]`).join(', ')}) AS r(${names.join(', ')})`;
  if (spec.mode === 'append') return insert;
  const updated = names.filter((n) => !spec.key.includes(n));
  return (
    `${insert}\nON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${updated.map((n) => `${n} = excluded.${n}`).join(', ')}\n` +
    `WHERE (${updated.map((n) => `t.${n}`).join(', ')}) IS DISTINCT FROM (${updated.map((n) => `excluded.${n}`).join(', ')})`
  );
}

/** The page as the statement's parameters, in its column order. */
export function statementParams(spec: CopiedTable, rows: readonly SourceRow[]): Param[][] {
  const columns: Param[][] = targetColumns(spec).map(() => []);
  for (const row of rows) {
    let c = 0;
    for (const [name, kind] of Object.entries(spec.columns)) {
      const value = row[name];
      if (kind === 'payload') {
        const text = value === null || value === undefined ? null : exactText(spec, row, name, String(value));
        columns[c++]!.push(text === null ? null : storableJsonChecked(text));
        columns[c++]!.push(text);
      } else {
        columns[c++]!.push(param(spec, row, name, kind, value));
      }
    }
  }
  return columns;
}

function param(spec: CopiedTable, row: SourceRow, column: string, kind: Exclude<ColumnKind, 'payload'>, value: unknown): Param {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
      return exactText(spec, row, column, String(value));
    case 'time': {
      const time = isoMillis(String(value));
      if (spec.exact && time !== value) refuse(spec, row, column, `the time "${String(value)}", which PostgreSQL would hand back as ${time}`);
      return time;
    }
    case 'int':
    case 'flag':
      return String(value);
    case 'bytes':
      return Buffer.isBuffer(value) ? value.toString('hex') : Buffer.from(String(value)).toString('hex');
    case 'json':
      return storableJsonChecked(String(value));
    case 'topics': {
      const text = String(value);
      // The digest covers the text; PostgreSQL keeps the parsed array and hands back JSON.stringify of it.
      if (spec.exact && (storableJson(text) !== null || !roundTrips(text))) refuse(spec, row, column, 'JSON that jsonb would not give back as it is');
      return storableJsonChecked(text);
    }
  }
}

function exactText(spec: CopiedTable, row: SourceRow, column: string, text: string): string {
  const storable = storableText(text);
  if (spec.exact && storable !== text) refuse(spec, row, column, 'a NUL character or a lone surrogate, which a PostgreSQL text cannot hold');
  return storable;
}

function roundTrips(json: string): boolean {
  try {
    return JSON.stringify(JSON.parse(json)) === json;
  } catch {
    return false;
  }
}

function refuse(spec: CopiedTable, row: SourceRow, column: string, what: string): never {
  const key = spec.key.map((k) => String(row[k])).join(' ');
  throw new CopyRefusedError(
    `${spec.table} row ${JSON.stringify(key)}: column ${column} holds ${what}; a hash covers it, so the copy could not verify on PostgreSQL (what was copied before it stays)`,
  );
}
