/** AuditSnapshot on a SQLite connection: what verification reads, as the file holds it (run inside one read transaction). */
import type Database from 'better-sqlite3';
import type { AuditSnapshot, InventoryChange, StoredEvent } from '../audit-snapshot.js';
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
