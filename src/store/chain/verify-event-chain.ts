/**
 * Recomputes every environment's event chain (see event-chain.ts) in one pass over the stored
 * events, each environment's in sequence order, and reports each row changed, deleted or added
 * outside the sync since it was stored. The same check for every store: the store only hands over
 * its rows and heads (AuditSnapshot).
 */
import type { AuditSnapshot } from '../audit-snapshot.js';
import { chainHash, chainHashV1 } from './event-chain.js';

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

/** Walks the chains of `view` (one snapshot); reports at most `limit` problems in full, and how many there were. */
export async function verifyEventChains(view: Pick<AuditSnapshot, 'chainHeads' | 'eachEvent'>, limit = 50): Promise<ChainReport> {
  const state = new Map<string, { rows: number; lastSeq: number; lastHash: Buffer | null }>();
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (p: ChainProblem) => {
    problemCount += 1;
    if (problems.length < limit) problems.push(p);
  };
  const heads = await view.chainHeads();
  const headOf = new Map(heads.map((h) => [h.environmentId, h]));
  let rows = 0;
  // In each environment's chain order, not the order rows were inserted in, which a deleted and
  // re-inserted row (or a VACUUM) changes without changing the chain.
  await view.eachEvent((row) => {
    rows += 1;
    const env = state.get(row.environment_id) ?? { rows: 0, lastSeq: 0, lastHash: null };
    state.set(row.environment_id, env);
    env.rows += 1;
    if (row.chain_seq === null || row.chain_hash === null) {
      report({ environmentId: row.environment_id, kind: 'unchained', seq: null, eventId: row.id, detail: 'row has no chain hash: inserted outside flatfile-audit' });
      return;
    }
    if (row.chain_seq <= env.lastSeq) {
      report({ environmentId: row.environment_id, kind: 'out-of-order', seq: row.chain_seq, eventId: row.id, detail: `sequence ${row.chain_seq} appears more than once` });
    } else if (row.chain_seq > env.lastSeq + 1) {
      report({ environmentId: row.environment_id, kind: 'missing', seq: env.lastSeq + 1, eventId: null, detail: `rows ${env.lastSeq + 1}..${row.chain_seq - 1} were deleted` });
    }
    // Chained on the stored predecessor hash, so one edited row is reported once, not with everything after it.
    const hashOf = row.chain_seq <= (headOf.get(row.environment_id)?.v1ThroughSeq ?? 0) ? chainHashV1 : chainHash;
    if (!hashOf(env.lastHash, row).equals(row.chain_hash)) {
      report({ environmentId: row.environment_id, kind: 'changed', seq: row.chain_seq, eventId: row.id, detail: 'row (or its predecessor in the chain) changed after it was stored' });
    }
    env.lastSeq = row.chain_seq;
    env.lastHash = row.chain_hash;
  });

  for (const head of heads) {
    const env = state.get(head.environmentId);
    if (!env || env.lastSeq < head.seq) {
      report({ environmentId: head.environmentId, kind: 'truncated', seq: (env?.lastSeq ?? 0) + 1, eventId: null, detail: `rows ${(env?.lastSeq ?? 0) + 1}..${head.seq} were deleted` });
    } else if (env.lastSeq > head.seq || !env.lastHash?.equals(head.hash)) {
      report({ environmentId: head.environmentId, kind: 'head-mismatch', seq: env.lastSeq, eventId: null, detail: 'the chain does not end where the stored head says' });
    }
  }
  return {
    ok: problemCount === 0,
    rows,
    environments: [...state.entries()].map(([environmentId, env]) => ({
      environmentId,
      rows: env.rows,
      headSeq: headOf.get(environmentId)?.seq ?? null,
      headHash: headOf.get(environmentId)?.hash.toString('hex') ?? null,
    })),
    problems,
    problemCount,
  };
}
