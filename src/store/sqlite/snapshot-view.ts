/** AuditSnapshot on a SQLite connection: what verification reads, as the file holds it (run inside one read transaction). */
import type Database from 'better-sqlite3';
import type { AuditSnapshot, InventoryChange, StoredChainCut, StoredEvent, StoredInventoryVersion } from '../audit-snapshot.js';
import type { LoggedRow } from '../chain/inventory-digests.js';
import { loggedRows } from './inventory-log.js';
import { LATEST_VERSION } from './migrations/index.js';
import type { SqliteDatabase } from './open.js';
import { checkSchema, expectedSchema, schemaDigest } from './schema-objects.js';

interface ChangeRow {
  seq: number;
  kind: InventoryChange['kind'];
  id: string;
  row_digest: Buffer;
  seen_at: string;
  chain_hash: Buffer;
}

const ARCHIVE_PAGE = 1000;

export function createSnapshotView(db: SqliteDatabase): AuditSnapshot {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  // Prepared once per snapshot: verify --checkpoints asks for every anchored sequence number, one by one.
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  return {
    async chainHeads() {
      // A file not yet migrated to version 5 (readers migrate nothing) holds only first-form hashes.
      const v1Through = version() < 5 ? 'last_seq' : 'v1_through_seq';
      const rows = db.prepare(`SELECT environment_id, last_seq, last_hash, ${v1Through} AS v1_through_seq FROM event_chains`).all() as Array<{
        environment_id: string;
        last_seq: number;
        last_hash: Buffer;
        v1_through_seq: number;
      }>;
      return rows.map((r) => ({ environmentId: r.environment_id, seq: r.last_seq, hash: r.last_hash, v1ThroughSeq: r.v1_through_seq }));
    },
    async eachEvent(visit) {
      // Through the (environment_id, chain_seq) index: a scan in chain order, not a sort.
      for (const row of db.prepare('SELECT * FROM events ORDER BY environment_id, chain_seq').iterate() as IterableIterator<StoredEvent>) visit(row);
    },
    async chainCuts(): Promise<StoredChainCut[]> {
      // A file not yet migrated to version 8 (readers migrate nothing) was never pruned.
      if (version() < 8) return [];
      const rows = db.prepare('SELECT * FROM chain_cuts ORDER BY environment_id, last_seq').all() as Array<Record<string, unknown>>;
      return rows.map((r) => ({
        environmentId: r.environment_id as string, pruneId: r.prune_id as string, firstSeq: r.first_seq as number, seq: r.last_seq as number, hash: r.last_hash as Buffer,
        prunedAt: r.pruned_at as string, command: r.command as string, archive: r.archive as string | null, archiveSha256: r.archive_sha256 as string | null,
      }));
    },
    async eachArchivable(environmentId, fromSeq, throughSeq, visit) {
      const events = prepared('SELECT * FROM events WHERE environment_id = ? AND chain_seq BETWEEN ? AND ? ORDER BY chain_seq');
      const trail = prepared('SELECT t.* FROM events e JOIN audit_trail t ON t.event_id = e.id WHERE e.environment_id = ? AND e.chain_seq BETWEEN ? AND ? ORDER BY e.chain_seq');
      // A page at a time: the two statements walk the same rows in step, and neither result is held whole.
      for (let from = fromSeq; from <= throughSeq; from += ARCHIVE_PAGE) {
        const to = Math.min(from + ARCHIVE_PAGE - 1, throughSeq);
        const rows = events.all(environmentId, from, to) as StoredEvent[];
        const trails = new Map((trail.all(environmentId, from, to) as Array<Record<string, unknown>>).map((t) => [t.event_id, t]));
        if (rows.length > 0) await visit(rows.map((event) => ({ event, trail: trails.get(event.id) ?? {} })));
      }
    },
    async eventHashesAt(environmentId, seq) {
      const hashes = prepared('SELECT chain_hash FROM events WHERE environment_id = ? AND chain_seq = ?').pluck().all(environmentId, seq) as Array<Buffer | null>;
      return hashes.map((h) => h?.toString('hex') ?? '');
    },
    async storedEvent(id) {
      return prepared('SELECT * FROM events WHERE id = ?').get(id) as StoredEvent | undefined;
    },
    async lastEventSeq(environmentId) {
      return (prepared('SELECT MAX(chain_seq) FROM events WHERE environment_id = ?').pluck().get(environmentId) as number | null | undefined) ?? null;
    },
    async eventCounts() {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_counts'").get() === undefined) return null;
      const rows = db.prepare<[], { environment_id: string; n: number }>('SELECT environment_id, SUM(count) AS n FROM event_counts GROUP BY environment_id').all();
      return new Map(rows.map((r) => [r.environment_id, r.n]));
    },
    async inventoryLogged() {
      return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inventory_changes'").get() !== undefined;
    },
    async eachInventoryChange(visit) {
      for (const r of db.prepare('SELECT seq, kind, id, row_digest, seen_at, chain_hash FROM inventory_changes ORDER BY seq').iterate() as IterableIterator<ChangeRow>) {
        visit({ seq: r.seq, kind: r.kind, id: r.id, rowDigest: r.row_digest, seenAt: r.seen_at, chainHash: r.chain_hash });
      }
    },
    async inventoryChangeHash(seq) {
      return (prepared('SELECT chain_hash FROM inventory_changes WHERE seq = ?').pluck().get(seq) as Buffer | undefined)?.toString('hex');
    },
    async inventoryVersioned() {
      return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inventory_versions'").get() !== undefined;
    },
    async eachInventoryVersion(visit) {
      const rows = db.prepare(
        'SELECT seq, kind, id, environment_id AS environmentId, valid_from AS validFrom, name, email, removed_at AS removedAt, content FROM inventory_versions ORDER BY seq',
      );
      for (const r of rows.iterate() as IterableIterator<StoredInventoryVersion>) visit(r);
    },
    async inventoryRows(kind): Promise<LoggedRow[]> {
      return loggedRows(db, kind);
    },
    async schema() {
      return checkSchema(db);
    },
    async schemaDigestAt(at) {
      return at > LATEST_VERSION ? undefined : schemaDigest(expectedSchema(at));
    },
  };
}
