/**
 * Recomputes every environment's event chain (see event-chain.ts) in one pass over the table, in
 * (environment, sequence) order, and reports each row changed, deleted or added outside the sync
 * since it was stored.
 */
import { chainHash, chainHashV1, type ChainedRow } from './event-chain.js';
import type { SqliteDatabase } from './open.js';

export type ChainProblemKind = 'changed' | 'missing' | 'unchained' | 'out-of-order' | 'truncated' | 'head-mismatch';

export interface ChainProblem {
  environmentId: string;
  kind: ChainProblemKind;
  seq: number | null;
  eventId: string | null;
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  rows: number;
  environments: Array<{ environmentId: string; rows: number; headSeq: number | null; headHash: string | null }>;
  /** The first problems found (at most `limit`), and how many there were in all. */
  problems: ChainProblem[];
  problemCount: number;
}

type Row = ChainedRow & { chain_seq: number | null; chain_hash: Buffer | null };

export function verifyChains(db: SqliteDatabase, limit = 50): ChainReport {
  const state = new Map<string, { rows: number; lastSeq: number; lastHash: Buffer | null }>();
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (p: ChainProblem) => {
    problemCount += 1;
    if (problems.length < limit) problems.push(p);
  };
  // A file not yet migrated to version 5 (verify opens read-only and migrates nothing) holds only first-form hashes.
  const v1Through = (db.pragma('user_version', { simple: true }) as number) < 5 ? 'last_seq' : 'v1_through_seq';
  const heads = db.prepare(`SELECT environment_id, last_seq, last_hash, ${v1Through} AS v1_through_seq FROM event_chains`).all() as Array<{
    environment_id: string;
    last_seq: number;
    last_hash: Buffer;
    v1_through_seq: number;
  }>;
  const headOf = new Map(heads.map((h) => [h.environment_id, h]));
  let rows = 0;
  // In each environment's chain order: rowid order is only the order rows were inserted in, which a
  // deleted and re-inserted row (or a VACUUM) changes without changing the chain.
  for (const row of db.prepare('SELECT * FROM events ORDER BY environment_id, chain_seq').iterate() as IterableIterator<Row>) {
    rows += 1;
    const env = state.get(row.environment_id) ?? { rows: 0, lastSeq: 0, lastHash: null };
    state.set(row.environment_id, env);
    env.rows += 1;
    if (row.chain_seq === null || row.chain_hash === null) {
      report({ environmentId: row.environment_id, kind: 'unchained', seq: null, eventId: row.id, detail: 'row has no chain hash: inserted outside flatfile-audit' });
      continue;
    }
    if (row.chain_seq <= env.lastSeq) {
      report({ environmentId: row.environment_id, kind: 'out-of-order', seq: row.chain_seq, eventId: row.id, detail: `sequence ${row.chain_seq} appears more than once` });
    } else if (row.chain_seq > env.lastSeq + 1) {
      report({ environmentId: row.environment_id, kind: 'missing', seq: env.lastSeq + 1, eventId: null, detail: `rows ${env.lastSeq + 1}..${row.chain_seq - 1} were deleted` });
    }
    // Chained on the stored predecessor hash, so one edited row is reported once, not with everything after it.
    const hashOf = row.chain_seq <= (headOf.get(row.environment_id)?.v1_through_seq ?? 0) ? chainHashV1 : chainHash;
    if (!hashOf(env.lastHash, row).equals(row.chain_hash)) {
      report({ environmentId: row.environment_id, kind: 'changed', seq: row.chain_seq, eventId: row.id, detail: 'row (or its predecessor in the chain) changed after it was stored' });
    }
    env.lastSeq = row.chain_seq;
    env.lastHash = row.chain_hash;
  }

  for (const head of heads) {
    const env = state.get(head.environment_id);
    if (!env || env.lastSeq < head.last_seq) {
      report({ environmentId: head.environment_id, kind: 'truncated', seq: (env?.lastSeq ?? 0) + 1, eventId: null, detail: `rows ${(env?.lastSeq ?? 0) + 1}..${head.last_seq} were deleted` });
    } else if (env.lastSeq > head.last_seq || !env.lastHash?.equals(head.last_hash)) {
      report({ environmentId: head.environment_id, kind: 'head-mismatch', seq: env.lastSeq, eventId: null, detail: 'the chain does not end where the stored head says' });
    }
  }
  return {
    ok: problemCount === 0,
    rows,
    environments: [...state.entries()].map(([environmentId, env]) => ({
      environmentId,
      rows: env.rows,
      headSeq: headOf.get(environmentId)?.last_seq ?? null,
      headHash: headOf.get(environmentId)?.last_hash.toString('hex') ?? null,
    })),
    problems,
    problemCount,
  };
}
