/** Reads what a checkpoint anchors (see CheckpointState) from PostgreSQL, on the caller's transaction. */
import type pg from 'pg';
import type { CheckpointState } from '../audit-store.js';
import { digestTables, KINDS_WITH_EARLIER_RULE, LOGGED_KINDS, type LoggedKind, type LoggedRow } from '../chain/inventory-digests.js';
import { schemaDigest } from '../sqlite/schema-objects.js';
import { loggedRows } from './logged-rows.js';
import { latestCuts } from './prune-writer.js';
import { readSchema } from './schema-objects.js';

export async function readCheckpointState(client: pg.PoolClient, schema: string): Promise<CheckpointState> {
  const heads = await client.query<{ environment_id: string; last_seq: number; last_hash: Buffer }>(
    'SELECT environment_id, last_seq, last_hash FROM event_chains ORDER BY environment_id',
  );
  const counts = await client.query<{ environment_id: string; events: number }>('SELECT environment_id, COUNT(*) AS events FROM events GROUP BY environment_id');
  const eventCounts = new Map(counts.rows.map((c) => [c.environment_id, c.events]));
  const cuts = await latestCuts(client);
  const environments: CheckpointState['environments'] = {};
  for (const head of heads.rows) {
    const cut = cuts.get(head.environment_id);
    // Pruned events count: a prune does not make the chain shorter, only its stored part.
    const events = (eventCounts.get(head.environment_id) ?? 0) + (cut?.seq ?? 0);
    environments[head.environment_id] = cut ? { seq: head.last_seq, hash: head.last_hash.toString('hex'), events, cut } : { seq: head.last_seq, hash: head.last_hash.toString('hex'), events };
  }
  const changes = (await client.query<{ seq: number; chain_hash: Buffer }>('SELECT seq, chain_hash FROM inventory_changes ORDER BY seq DESC LIMIT 1')).rows[0];
  // Each row as its latest entry has it (inventory-digests.ts, digestAsLogged), as verify takes it.
  const rows = new Map<LoggedKind, LoggedRow[]>();
  for (const kind of LOGGED_KINDS) rows.set(kind, await loggedRows(client, kind));
  const logged = new Map<LoggedKind, Map<string, Buffer>>();
  for (const kind of KINDS_WITH_EARLIER_RULE) {
    const latest = await client.query<{ id: string; row_digest: Buffer }>('SELECT DISTINCT ON (id) id, row_digest FROM inventory_changes WHERE kind = $1 ORDER BY id, seq DESC', [kind]);
    logged.set(kind, new Map(latest.rows.map((e) => [e.id, e.row_digest])));
  }
  const { tables } = digestTables((kind) => rows.get(kind)!, (kind, id) => logged.get(kind)?.get(id));
  const version = (await client.query<{ version: number }>('SELECT max(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0;
  return {
    environments,
    inventory: { changes: changes ? { seq: changes.seq, hash: changes.chain_hash.toString('hex') } : null, tables },
    schema: { version, digest: schemaDigest(await readSchema(client, schema)) },
  };
}
