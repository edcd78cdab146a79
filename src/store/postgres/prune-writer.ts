/**
 * Rule 9 of audit-store.ts on PostgreSQL: planning a prune, and deleting a chain prefix one short
 * transaction at a time, each moving the environment's cut with what it deleted. Syncs go on
 * meanwhile: a step locks only the rows it deletes, and holds the store lock shared, as a sync
 * does, so a checkpoint sees a cut and the rows it stands for together.
 */
import type pg from 'pg';
import type { ChainCut, PrunePlan, PruneStep } from '../audit-store.js';
import { PrefixBrokenError } from '../chain/prefix-broken-error.js';
import { uncountRange } from '../event-counts.js';
import { PG_HOUR } from './event-hour.js';
import { lockKeys } from './locks.js';
import { storableText } from './storable-text.js';

interface CutRow {
  environment_id: string;
  prune_id: string;
  first_seq: number;
  last_seq: number;
  last_hash: Buffer;
  pruned_at: string;
  command: string;
  archive: string | null;
  archive_sha256: string | null;
}

const PLAN = `
SELECT c.environment_id,
       COALESCE((SELECT max(last_seq) FROM chain_cuts WHERE environment_id = c.environment_id), 0) + 1 AS from_seq
FROM event_chains c ORDER BY c.environment_id`;

const UNCOUNT = uncountRange(PG_HOUR, '$1', '$2', '$3');

/** Run in a REPEATABLE READ transaction: one view of cuts and events. */
export async function planPrune(client: pg.PoolClient, before: Readonly<Record<string, string>>): Promise<PrunePlan[]> {
  const plans: PrunePlan[] = [];
  for (const { environment_id: environmentId, from_seq: fromSeq } of (await client.query<{ environment_id: string; from_seq: number }>(PLAN)).rows) {
    if (!Object.prototype.hasOwnProperty.call(before, environmentId)) continue;
    const { rows } = await client.query<{ kept: number | null; last: number | null }>(
      `SELECT (SELECT min(chain_seq) FROM events WHERE environment_id = $1 AND chain_seq >= $2 AND created_at >= $3) AS kept,
              (SELECT max(chain_seq) FROM events WHERE environment_id = $1) AS last`,
      [environmentId, fromSeq, before[environmentId]],
    );
    const throughSeq = rows[0]!.kept !== null ? rows[0]!.kept - 1 : (rows[0]!.last ?? 0);
    if (throughSeq >= fromSeq) plans.push({ environmentId, fromSeq, throughSeq });
  }
  return plans;
}

/** One step, in the caller's (READ COMMITTED) transaction. */
export async function pruneStep(client: pg.PoolClient, schema: string, s: PruneStep): Promise<ChainCut | null> {
  await client.query('SELECT pg_advisory_xact_lock_shared($1, $2)', lockKeys(schema, 'store'));
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', lockKeys(schema, 'prune'));
  const environmentId = storableText(s.environmentId);
  const cut = (await client.query<{ seq: number | null }>('SELECT max(last_seq) AS seq FROM chain_cuts WHERE environment_id = $1', [environmentId])).rows[0]?.seq ?? 0;
  const fromSeq = cut + 1;
  const toSeq = Math.min(fromSeq + s.limit - 1, s.throughSeq);
  if (toSeq < fromSeq) return null;
  // Rule 19: the counts lose what the prune deletes, in its transaction; a count down to 0 goes.
  await client.query(UNCOUNT, [environmentId, fromSeq, toSeq]);
  await client.query('DELETE FROM event_counts WHERE environment_id = $1 AND count = 0', [environmentId]);
  const deleted = await client.query<{ chain_seq: number; chain_hash: Buffer }>(
    'DELETE FROM events WHERE environment_id = $1 AND chain_seq BETWEEN $2 AND $3 RETURNING chain_seq, chain_hash',
    [environmentId, fromSeq, toSeq],
  );
  const last = deleted.rows.find((r) => r.chain_seq === toSeq);
  // Pruning rows that are already missing would pass a deletion behind the store's back off as a
  // prune; throwing rolls this step back.
  if (!last || deleted.rows.length !== toSeq - fromSeq + 1) throw new PrefixBrokenError(s.environmentId, fromSeq, toSeq);
  const { rows } = await client.query<CutRow>(
    `INSERT INTO chain_cuts (environment_id, prune_id, first_seq, last_seq, last_hash, pruned_at, command, archive, archive_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (environment_id, prune_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash
     RETURNING *`,
    [environmentId, storableText(s.pruneId), fromSeq, toSeq, last.chain_hash, s.prunedAt, storableText(s.command), s.archive === null ? null : storableText(s.archive), s.archiveSha256],
  );
  return cutOf(rows[0]!);
}

/** Every cut, each environment's in sequence order. */
export async function readCuts(client: pg.ClientBase): Promise<CutRow[]> {
  return (await client.query<CutRow>('SELECT * FROM chain_cuts ORDER BY environment_id, last_seq')).rows;
}

/** The latest cut of each environment. */
export async function latestCuts(client: pg.ClientBase): Promise<Map<string, { seq: number; hash: string }>> {
  const { rows } = await client.query<CutRow>('SELECT DISTINCT ON (environment_id) * FROM chain_cuts ORDER BY environment_id, last_seq DESC');
  return new Map(rows.map((r) => [r.environment_id, { seq: r.last_seq, hash: r.last_hash.toString('hex') }]));
}

function cutOf(row: CutRow): ChainCut {
  return {
    environmentId: row.environment_id, pruneId: row.prune_id, firstSeq: row.first_seq, seq: row.last_seq, hash: row.last_hash.toString('hex'),
    prunedAt: row.pruned_at, command: row.command, archive: row.archive, archiveSha256: row.archive_sha256,
  };
}
