/**
 * The inventory change log on PostgreSQL: the SQLite store's format and rules (see
 * src/store/sqlite/inventory-log.ts), one chain for all kinds. Its appenders take turns on an
 * advisory lock (locks.ts) held until their transaction ends, so two hosts never extend the same
 * head; the rows' digests are read back from the tables, so they are of what is stored.
 */
import type pg from 'pg';
import { inventoryChangeHash, inventoryRowDigest, rowMatches, type LoggedKind } from '../chain/inventory-digests.js';
import { inventoryVersion, type InventoryVersion } from '../chain/inventory-version.js';
import { lockKeys } from './locks.js';
import { loggedRows } from './logged-rows.js';

/** Takes the log's turn for the rest of the transaction; call before the first `recordChanges`. */
export async function lockInventoryLog(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', lockKeys(schema, 'inventoryLog'));
}

/**
 * Appends an entry for each row of `kind` in `scope` (every row when null) or among `ids` whose
 * content differs from its latest entry. Call inside the writing transaction, holding the log's lock.
 */
export async function recordChanges(client: pg.PoolClient, kind: LoggedKind, scope: string | null, ids: readonly string[], seenAt: string): Promise<number> {
  const head = (await client.query<{ seq: number; chain_hash: Buffer }>('SELECT seq, chain_hash FROM inventory_changes ORDER BY seq DESC LIMIT 1')).rows[0];
  const rows = await loggedRows(client, kind, scope === null ? undefined : { scope, ids });
  if (rows.length === 0) return 0;
  const rowIds = rows.map((row) => row[0] as string);
  // Each id's latest entry and latest version, in one round trip: the log's lock is held meanwhile.
  const latest = await client.query<{ id: string; row_digest: Buffer | null; valid_from: string | null }>(
    `SELECT i.id, c.row_digest, v.valid_from FROM unnest($2::text[]) AS i(id)
     LEFT JOIN LATERAL (SELECT row_digest FROM inventory_changes WHERE kind = $1 AND id = i.id ORDER BY seq DESC LIMIT 1) c ON true
     LEFT JOIN LATERAL (SELECT valid_from FROM inventory_versions WHERE kind = $1 AND id = i.id ORDER BY seq DESC LIMIT 1) v ON true`,
    [kind, rowIds],
  );
  const latestOf = new Map(latest.rows.filter((r) => r.row_digest !== null).map((r) => [r.id, r.row_digest!]));
  const previousVersionOf = new Map(latest.rows.filter((r) => r.valid_from !== null).map((r) => [r.id, { validFrom: r.valid_from! }]));
  let seq = head?.seq ?? 0;
  let previous = head?.chain_hash ?? null;
  const entries: Array<{ seq: number; id: string; digest: Buffer; hash: Buffer; version: InventoryVersion }> = [];
  for (const row of rows) {
    const id = row[0] as string;
    // A row still as its latest entry says (under the rule that entry was written by: store rule 17) is no change.
    if (rowMatches(kind, row, latestOf.get(id))) continue;
    const digest = inventoryRowDigest(kind, row);
    seq += 1;
    previous = inventoryChangeHash(previous, kind, id, digest, seenAt);
    entries.push({ seq, id, digest, hash: previous, version: inventoryVersion(kind, row, seenAt, previousVersionOf.get(id)) });
  }
  if (entries.length > 0) {
    // The entries and their versions in one statement (one round trip under the log's lock).
    const versions = entries.map((e) => e.version);
    await client.query(
      `WITH changes AS (
         INSERT INTO inventory_changes (seq, kind, id, row_digest, seen_at, chain_hash)
         SELECT seq, $1, id, decode(digest, 'hex'), $2, decode(hash, 'hex')
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[]) AS e(seq, id, digest, hash)
         RETURNING 1
       )
       INSERT INTO inventory_versions (seq, kind, id, environment_id, valid_from, name, email, removed_at, content)
       SELECT seq, $1, id, environment_id, valid_from::timestamptz, name, email, removed_at::timestamptz, content
       FROM unnest($3::bigint[], $4::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         AS v(seq, id, environment_id, valid_from, name, email, removed_at, content)`,
      [kind, seenAt, entries.map((e) => e.seq), entries.map((e) => e.id), entries.map((e) => e.digest.toString('hex')), entries.map((e) => e.hash.toString('hex')),
        versions.map((v) => v.environmentId), versions.map((v) => v.validFrom), versions.map((v) => v.name), versions.map((v) => v.email), versions.map((v) => v.removedAt), versions.map((v) => v.content)],
    );
  }
  return entries.length;
}
