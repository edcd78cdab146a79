/**
 * The schema as sqlite_master holds it (tables, views, triggers, indexes), its digest, and what
 * flatfile-audit's own migrations create at each version: the one list of expected objects, derived
 * by running the migrations on an empty in-memory database rather than kept by hand.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import type { SchemaCheck, SchemaDifference, SchemaObject } from '../audit-snapshot.js';
import { LATEST_VERSION } from './migrations/index.js';
import type { SqliteDatabase } from './open.js';

/**
 * Every object a statement can act through. Only SQLite's own bookkeeping is left out, by what it
 * is rather than by its name (a name can be forged with writable_schema): automatic indexes (no SQL)
 * and the sqlite_sequence / sqlite_stat tables.
 */
export function readSchema(db: SqliteDatabase): SchemaObject[] {
  const rows = db
    .prepare(
      `SELECT type, name, tbl_name AS tableName, sql FROM sqlite_master
       WHERE type IN ('table', 'view', 'trigger', 'index') AND sql IS NOT NULL
         AND NOT (type = 'table' AND (name = 'sqlite_sequence' OR name LIKE 'sqlite\\_stat%' ESCAPE '\\'))`,
    )
    .all() as SchemaObject[];
  return rows.sort(bySchemaKey);
}

/** SHA-256 of the JSON array of [type, name, table, sql] of every object, sorted by type then name. */
export function schemaDigest(objects: readonly SchemaObject[]): string {
  const text = JSON.stringify([...objects].sort(bySchemaKey).map((o) => [o.type, o.name, o.tableName, o.sql]));
  return createHash('sha256').update(text).digest('hex');
}

const expected = new Map<number, SchemaObject[]>();

/** The objects flatfile-audit's migrations create up to `version`. */
export function expectedSchema(version: number): SchemaObject[] {
  let objects = expected.get(version);
  if (!objects) {
    const db = new Database(':memory:');
    try {
      migrate(db, undefined, version);
      objects = readSchema(db);
    } finally {
      db.close();
    }
    expected.set(version, objects);
  }
  return objects;
}

/** What `actual` has that the migrations did not create, lacks, or has in another form. */
export function compareSchema(actual: readonly SchemaObject[], wanted: readonly SchemaObject[]): SchemaDifference[] {
  const key = (o: SchemaObject) => `${o.type} ${o.name}`;
  const want = new Map(wanted.map((o) => [key(o), o]));
  const differences: SchemaDifference[] = [];
  for (const object of actual) {
    const match = want.get(key(object));
    if (!match) differences.push({ kind: 'unexpected', object });
    else if (match.sql !== object.sql || match.tableName !== object.tableName) differences.push({ kind: 'changed', object });
    want.delete(key(object));
  }
  for (const object of want.values()) differences.push({ kind: 'missing', object });
  return differences;
}

function bySchemaKey(a: SchemaObject, b: SchemaObject): number {
  return Buffer.compare(Buffer.from(`${a.type}\u0000${a.name}`), Buffer.from(`${b.type}\u0000${b.name}`));
}

/** The file's schema against what the migrations create at its version. */
export function checkSchema(db: SqliteDatabase): SchemaCheck {
  const version = db.pragma('user_version', { simple: true }) as number;
  const actual = readSchema(db);
  const unknownVersion = version > LATEST_VERSION;
  return { version, digest: schemaDigest(actual), differences: unknownVersion ? [] : compareSchema(actual, expectedSchema(version)), unknownVersion, latestVersion: LATEST_VERSION };
}
