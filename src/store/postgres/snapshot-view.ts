/**
 * AuditSnapshot on PostgreSQL: what verification reads, as the store holds it, on one connection
 * inside a REPEATABLE READ READ ONLY transaction, so every read sees the same moment.
 */
import type pg from 'pg';
import type { AuditSnapshot, InventoryChange, StoredEvent, StoredInventoryVersion } from '../audit-snapshot.js';
import { readCuts } from './prune-writer.js';
import type { LoggedRow } from '../chain/inventory-digests.js';
import { readChainHeads, readChainRange, readChainRow, readChainRows, type PostgresChainRow } from './chain-rows.js';
import { loggedRows } from './logged-rows.js';
import { checkSchema, schemaDigestAt } from './schema-check.js';

const CHANGES_PAGE = 5000;

interface ChangeRow {
  seq: number;
  kind: InventoryChange['kind'];
  id: string;
  row_digest: Buffer;
  seen_at: string;
  chain_hash: Buffer;
}

/**
 * A chain row as verification sees it. The chain covers raw_text; a `raw` edited on its own is
 * handed over as queries see it, which does not hash to the row's chain hash: the row is reported changed.
 */
function asStored(row: PostgresChainRow): StoredEvent {
  const { rawMatches: _matches, rawAsQueried, ...stored } = row;
  return { ...stored, raw: rawAsQueried ?? stored.raw } as StoredEvent;
}

/** `client` holds the snapshot's transaction; `pool` lends another connection for what must not run in it (the expected schema). */
export function createSnapshotView(client: pg.PoolClient, pool: pg.Pool, schema: string): AuditSnapshot {
  return {
    async chainHeads() {
      return (await readChainHeads(client)).map((h) => ({ environmentId: h.environment_id, seq: h.last_seq, hash: h.last_hash, v1ThroughSeq: h.v1_through_seq }));
    },
    async eachEvent(visit) {
      for await (const row of readChainRows(client)) {
        visit(asStored(row));
      }
    },
    async chainCuts() {
      // Every version since 2 has the table; a store at version 1 (readers migrate nothing) was never pruned.
      const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass('chain_cuts') IS NOT NULL AS exists");
      if (!rows[0]?.exists) return [];
      return (await readCuts(client)).map((r) => ({
        environmentId: r.environment_id, pruneId: r.prune_id, firstSeq: r.first_seq, seq: r.last_seq, hash: r.last_hash,
        prunedAt: r.pruned_at, command: r.command, archive: r.archive, archiveSha256: r.archive_sha256,
      }));
    },
    async eachArchivable(environmentId, fromSeq, throughSeq, visit) {
      for await (const page of readChainRange(client, environmentId, fromSeq, throughSeq)) {
        const { rows } = await client.query<Record<string, unknown>>('SELECT * FROM audit_trail WHERE event_id = ANY($1::text[])', [page.map((r) => r.id)]);
        const trails = new Map(rows.map((t) => [t.event_id, t]));
        await visit(page.map((event) => ({ event: event as StoredEvent, trail: trails.get(event.id) ?? {} })));
      }
    },
    async eventHashesAt(environmentId, seq) {
      const { rows } = await client.query<{ chain_hash: Buffer }>('SELECT chain_hash FROM events WHERE environment_id = $1 AND chain_seq = $2', [environmentId, seq]);
      return rows.map((r) => r.chain_hash.toString('hex'));
    },
    async storedEvent(id) {
      const row = await readChainRow(client, id);
      return row === undefined ? undefined : asStored(row);
    },
    async lastEventSeq(environmentId) {
      const { rows } = await client.query<{ seq: number | null }>('SELECT max(chain_seq) AS seq FROM events WHERE environment_id = $1', [environmentId]);
      return rows[0]?.seq ?? null;
    },
    async eventCounts() {
      const { rows: present } = await client.query<{ counted: boolean }>("SELECT to_regclass('event_counts') IS NOT NULL AS counted");
      if (!present[0]?.counted) return null;
      const { rows } = await client.query<{ environment_id: string; n: string }>('SELECT environment_id, sum(count) AS n FROM event_counts GROUP BY environment_id');
      return new Map(rows.map((r) => [r.environment_id, Number(r.n)]));
    },
    async inventoryLogged() {
      // Every version of the PostgreSQL store logs its inventories; asked all the same, of the catalog.
      const { rows } = await client.query<{ logged: boolean }>("SELECT to_regclass('inventory_changes') IS NOT NULL AS logged");
      return rows[0]?.logged ?? false;
    },
    async eachInventoryChange(visit) {
      // In pages by key: the log grows with every listing, and is never held whole.
      for (let after = -1; ; ) {
        const { rows } = await client.query<ChangeRow>(`SELECT seq, kind, id, row_digest, seen_at, chain_hash FROM inventory_changes WHERE seq > $1 ORDER BY seq LIMIT ${CHANGES_PAGE}`, [after]);
        for (const r of rows) visit({ seq: r.seq, kind: r.kind, id: r.id, rowDigest: r.row_digest, seenAt: r.seen_at, chainHash: r.chain_hash });
        if (rows.length < CHANGES_PAGE) return;
        after = rows.at(-1)!.seq;
      }
    },
    async inventoryChangeHash(seq) {
      const { rows } = await client.query<{ chain_hash: Buffer }>('SELECT chain_hash FROM inventory_changes WHERE seq = $1', [seq]);
      return rows[0]?.chain_hash.toString('hex');
    },
    async inventoryVersioned() {
      const { rows } = await client.query<{ versioned: boolean }>("SELECT to_regclass('inventory_versions') IS NOT NULL AS versioned");
      return rows[0]?.versioned ?? false;
    },
    async eachInventoryVersion(visit) {
      // In pages by key, as the log: each version carries its row's content.
      for (let after = -1; ; ) {
        const { rows } = await client.query<StoredInventoryVersion>(
          `SELECT seq, kind, id, environment_id AS "environmentId", valid_from AS "validFrom", name, email, removed_at AS "removedAt", content
           FROM inventory_versions WHERE seq > $1 ORDER BY seq LIMIT ${CHANGES_PAGE}`,
          [after],
        );
        for (const r of rows) visit(r);
        if (rows.length < CHANGES_PAGE) return;
        after = rows.at(-1)!.seq;
      }
    },
    async inventoryRows(kind): Promise<LoggedRow[]> {
      return (await loggedRows(client, kind)) as LoggedRow[];
    },
    async schema() {
      return checkSchema(client, pool, schema);
    },
    async schemaDigestAt(version) {
      return schemaDigestAt(pool, schema, version);
    },
  };
}
