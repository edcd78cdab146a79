/**
 * The schema as PostgreSQL's catalog holds it, in the form a checkpoint digests (SchemaObject, as
 * the SQLite store's schema-objects.ts): every table (its columns and constraints), view, index and
 * trigger in the store's schema, each with a definition the server prints. An object added, dropped
 * or altered behind flatfile-audit's back changes the digest.
 */
import type pg from 'pg';
import type { SchemaObject } from '../audit-snapshot.js';

const OBJECTS = `
SELECT 'table' AS type, c.relname AS name, c.relname AS "tableName",
       (SELECT string_agg(format('%I %s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                                 CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                                 COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')), ', ' ORDER BY a.attnum)
          FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
       || COALESCE((SELECT ', ' || string_agg(format('CONSTRAINT %I %s', k.conname, pg_get_constraintdef(k.oid)), ', ' ORDER BY k.conname)
                      FROM pg_constraint k WHERE k.conrelid = c.oid), '') AS sql
FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p')
UNION ALL
SELECT 'view', c.relname, c.relname, pg_get_viewdef(c.oid)
FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('v', 'm')
UNION ALL
SELECT 'index', i.relname, t.relname, pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = $1::regnamespace
UNION ALL
SELECT 'trigger', g.tgname, t.relname, pg_get_triggerdef(g.oid)
FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
WHERE t.relnamespace = $1::regnamespace AND NOT g.tgisinternal`;

/** Every object of `schema` a statement can act through. */
export async function readSchema(db: pg.PoolClient, schema: string): Promise<SchemaObject[]> {
  const { rows } = await db.query<SchemaObject>(OBJECTS, [schema]);
  return rows;
}
