/**
 * The inventories' rows in the shape their digests are taken of (inventory-log.ts of the SQLite
 * store): [id, ...content columns] with each value as SQLite holds it: is_prod 0 or 1, `raw` the
 * payload's exact text (raw_text), agents' topics their JSON text, times ISO strings. So a row's
 * digest has the same format in both stores, and is always of what is stored.
 */
import type pg from 'pg';
import type { LoggedKind } from '../chain/inventory-digests.js';
import { LOGGED_TABLES } from '../sqlite/inventory-log.js';

type Value = string | number | null;

/** Columns read otherwise than by their name. */
const READ_AS: Readonly<Record<string, string>> = { is_prod: 'is_prod::int', raw: 'raw_text' };

function selectList(kind: LoggedKind): string {
  const spec = LOGGED_TABLES[kind];
  return [`${spec.idSql} AS id`, ...spec.columns.map((c) => READ_AS[c] ?? c)].join(', ');
}

/**
 * The rows of one logged table, in id order (bytewise: every id column is COLLATE "C"): all of them, or those of `scope` plus those
 * with the ids given, which a write may have moved out of it.
 */
export async function loggedRows(db: pg.PoolClient, kind: LoggedKind, only?: { scope: string; ids: readonly string[] }): Promise<Value[][]> {
  const spec = LOGGED_TABLES[kind];
  const scoped = only !== undefined && spec.scopeColumn !== null;
  const where = scoped ? ` WHERE ${spec.scopeColumn} = $1 OR (${spec.idSql}) = ANY($2::text[])` : '';
  const { rows } = await db.query<Value[]>({
    text: `SELECT ${selectList(kind)} FROM ${spec.table}${where} ORDER BY 1`,
    values: scoped ? [only.scope, only.ids] : [],
    rowMode: 'array',
  });
  const topics = spec.columns.indexOf('topics');
  // jsonb comes back parsed: the array as JSON.stringify wrote it when it was stored.
  if (topics >= 0) for (const row of rows) row[topics + 1] = JSON.stringify(row[topics + 1]);
  return rows;
}
