/**
 * copy-store's plan covers the whole SQLite schema: every table is copied, column by column, or
 * named as left behind with a reason; and every copied column has a place in the PostgreSQL
 * schema. A table or column added by a later migration fails here until copy-store knows it.
 */
import { describe, expect, it } from 'vitest';
import { COPIED_TABLES, NOT_COPIED } from '../../../src/store/copy/copied-tables.js';
import { openWritable } from '../../../src/store/sqlite/open.js';
import { freshSchema, openPgStore, pgQuery, testDatabase } from '../../helpers/postgres.js';
import { tempDbPath } from '../../helpers/temp.js';

const db = testDatabase();

function sqliteSchema(): Map<string, string[]> {
  const sqlite = openWritable(tempDbPath());
  try {
    // ANALYZE makes the statistics tables exist too, as they may in an operator's file.
    sqlite.exec('ANALYZE');
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return new Map(tables.map((t) => [t, (sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]).sort()]));
  } finally {
    sqlite.close();
  }
}

describe('what copy-store copies', () => {
  it('copies every SQLite table and column, or names the table as not copied with a reason', () => {
    const schema = sqliteSchema();
    const planned = new Map(COPIED_TABLES.map((t) => [t.table, Object.keys(t.columns).sort()]));
    const forgotten = [...schema.keys()].filter((t) => !planned.has(t) && !(t in NOT_COPIED));
    expect(forgotten, 'tables copy-store neither copies nor lists in NOT_COPIED').toEqual([]);
    for (const [table, columns] of planned) expect(columns, `columns of ${table}`).toEqual(schema.get(table));
    for (const [table, reason] of Object.entries(NOT_COPIED)) {
      expect(planned.has(table), `${table} is both copied and not`).toBe(false);
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it('has a place in the PostgreSQL schema for every column it copies', async () => {
    const { store, schema } = openPgStore(db, freshSchema());
    await store.ready();
    const rows = await pgQuery<{ table_name: string; column_name: string }>(db, schema, 'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1', [schema]);
    const columns = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
    for (const table of COPIED_TABLES) {
      for (const [column, kind] of Object.entries(table.columns)) {
        const targets = kind === 'payload' ? [column, `${column}_text`] : [column];
        for (const target of targets) expect(columns.has(`${table.table}.${target}`), `${table.table}.${target}`).toBe(true);
      }
    }
  });
});
