/** Reads what a checkpoint anchors (see CheckpointState) from the database, in one read transaction's view. */
import type { CheckpointState } from '../audit-store.js';
import { currentTables } from './inventory-log.js';
import type { SqliteDatabase } from './open.js';
import { readSchema, schemaDigest } from './schema-objects.js';

export function createCheckpointStateReader(db: SqliteDatabase): () => CheckpointState {
  const heads = db.prepare<[], { environment_id: string; last_seq: number; last_hash: Buffer }>('SELECT environment_id, last_seq, last_hash FROM event_chains ORDER BY environment_id');
  // One scan of an index that starts with environment_id, not of the table.
  const counts = db.prepare<[], { environment_id: string; events: number }>('SELECT environment_id, COUNT(*) AS events FROM events GROUP BY environment_id');
  // The latest cut of each environment (rule 13), by the index on (environment_id, last_seq).
  const cuts = db.prepare<[], { environment_id: string; last_seq: number; last_hash: Buffer }>(
    'SELECT environment_id, last_seq, last_hash FROM chain_cuts c WHERE last_seq = (SELECT MAX(last_seq) FROM chain_cuts WHERE environment_id = c.environment_id)',
  );
  const changesHead = db.prepare<[], { seq: number; chain_hash: Buffer }>('SELECT seq, chain_hash FROM inventory_changes ORDER BY seq DESC LIMIT 1');
  return () => {
    const eventCounts = new Map(counts.all().map((c) => [c.environment_id, c.events]));
    const cutOf = new Map(cuts.all().map((c) => [c.environment_id, { seq: c.last_seq, hash: c.last_hash.toString('hex') }]));
    const environments: CheckpointState['environments'] = {};
    for (const head of heads.all()) {
      const cut = cutOf.get(head.environment_id);
      // Pruned events count: a prune does not make the chain shorter, only its stored part.
      const events = (eventCounts.get(head.environment_id) ?? 0) + (cut?.seq ?? 0);
      environments[head.environment_id] = cut ? { seq: head.last_seq, hash: head.last_hash.toString('hex'), events, cut } : { seq: head.last_seq, hash: head.last_hash.toString('hex'), events };
    }
    const changes = changesHead.get();
    return {
      environments,
      inventory: { changes: changes ? { seq: changes.seq, hash: changes.chain_hash.toString('hex') } : null, tables: currentTables(db).tables },
      schema: { version: db.pragma('user_version', { simple: true }) as number, digest: schemaDigest(readSchema(db)) },
    };
  };
}
