/**
 * Rule 9 of audit-store.ts on SQLite: planning a prune, and deleting a chain prefix a short
 * IMMEDIATE transaction at a time, each moving the environment's cut with what it deleted. Short:
 * the event writer (another connection, maybe another process) waits for each at most one batch
 * long, and WAL readers never wait at all.
 */
import type { ChainCut, PrunePlan, PruneStep } from '../audit-store.js';
import { PrefixBrokenError } from '../chain/prefix-broken-error.js';
import { uncountRange } from '../event-counts.js';
import type { SqliteDatabase } from './open.js';

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

export function createPruneWriter(db: SqliteDatabase) {
  const chains = db.prepare<[], { environment_id: string }>('SELECT environment_id FROM event_chains ORDER BY environment_id');
  const cutSeq = db.prepare<[string], number>('SELECT last_seq FROM chain_cuts WHERE environment_id = ? ORDER BY last_seq DESC LIMIT 1').pluck();
  const firstKept = db.prepare<[string, number, string], number | null>('SELECT MIN(chain_seq) FROM events WHERE environment_id = ? AND chain_seq > ? AND created_at >= ?').pluck();
  const lastStored = db.prepare<[string], number | null>('SELECT MAX(chain_seq) FROM events WHERE environment_id = ?').pluck();
  // export --after counts positions in rowid, and SQLite gives a new row max(rowid) + 1: deleting
  // the row holding the highest rowid would hand its position, which an export may have printed as
  // `next:`, to the next event, and that export's --after would skip it. So that one row stays.
  const newestRow = db.prepare<[], { environment_id: string; chain_seq: number }>('SELECT environment_id, chain_seq FROM events ORDER BY rowid DESC LIMIT 1');
  const hashAt = db.prepare<[string, number], Buffer | null>('SELECT chain_hash FROM events WHERE environment_id = ? AND chain_seq = ?').pluck();
  const deleteRange = db.prepare('DELETE FROM events WHERE environment_id = ? AND chain_seq BETWEEN ? AND ?');
  // Rule 19: the counts lose what the prune deletes, in its transaction; a count down to 0 goes.
  const uncount = db.prepare(uncountRange(`substr(created_at, 1, 13) || ':00:00.000Z'`, '@env', '@fromSeq', '@toSeq'));
  const dropEmpty = db.prepare('DELETE FROM event_counts WHERE environment_id = ? AND count = 0');
  const saveCut = db.prepare(
    `INSERT INTO chain_cuts (environment_id, prune_id, first_seq, last_seq, last_hash, pruned_at, command, archive, archive_sha256)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (environment_id, prune_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash`,
  );
  const readCut = db.prepare<[string, string], CutRow>('SELECT * FROM chain_cuts WHERE environment_id = ? AND prune_id = ?');

  const plan = db.transaction((before: Readonly<Record<string, string>>): PrunePlan[] => {
    const newest = newestRow.get();
    const plans: PrunePlan[] = [];
    for (const { environment_id: environmentId } of chains.all()) {
      if (!Object.prototype.hasOwnProperty.call(before, environmentId)) continue;
      const fromSeq = (cutSeq.get(environmentId) ?? 0) + 1;
      const kept = firstKept.get(environmentId, fromSeq - 1, before[environmentId]!);
      let throughSeq = kept !== null && kept !== undefined ? kept - 1 : (lastStored.get(environmentId) ?? 0);
      if (newest?.environment_id === environmentId) throughSeq = Math.min(throughSeq, newest.chain_seq - 1);
      if (throughSeq >= fromSeq) plans.push({ environmentId, fromSeq, throughSeq });
    }
    return plans;
  });

  const step = db.transaction((s: PruneStep): ChainCut | null => {
    const fromSeq = (cutSeq.get(s.environmentId) ?? 0) + 1;
    const toSeq = Math.min(fromSeq + s.limit - 1, s.throughSeq);
    if (toSeq < fromSeq) return null;
    const hash = hashAt.get(s.environmentId, toSeq);
    if (hash) uncount.run({ env: s.environmentId, fromSeq, toSeq });
    const deleted = hash ? deleteRange.run(s.environmentId, fromSeq, toSeq).changes : 0;
    // Pruning rows that are already missing would pass a deletion behind the store's back off as a prune.
    if (!hash || deleted !== toSeq - fromSeq + 1) throw new PrefixBrokenError(s.environmentId, fromSeq, toSeq);
    dropEmpty.run(s.environmentId);
    saveCut.run(s.environmentId, s.pruneId, fromSeq, toSeq, hash, s.prunedAt, s.command, s.archive, s.archiveSha256);
    return cutOf(readCut.get(s.environmentId, s.pruneId)!);
  });

  return {
    plan: (before: Readonly<Record<string, string>>) => plan(before),
    // IMMEDIATE: the cut read first must not go stale under another prune.
    step: (s: PruneStep) => step.immediate(s),
  };
}

export function cutOf(row: CutRow): ChainCut {
  return {
    environmentId: row.environment_id, pruneId: row.prune_id, firstSeq: row.first_seq, seq: row.last_seq, hash: row.last_hash.toString('hex'),
    prunedAt: row.pruned_at, command: row.command, archive: row.archive, archiveSha256: row.archive_sha256,
  };
}
