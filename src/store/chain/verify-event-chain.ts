/**
 * Recomputes every environment's event chain (see event-chain.ts) in one pass over the stored
 * events, each environment's in sequence order, and reports each row changed, deleted or added
 * outside the sync since it was stored. The same check for every store: the store only hands over
 * its rows and heads (AuditSnapshot).
 *
 * A pruned environment's chain starts at its latest cut (rule 13 of audit-store.ts): the first
 * remaining event must link to the cut's hash, so a cut whose hash was changed breaks the chain
 * right there. The cuts themselves must follow one another from seq 1 without a gap. What the chain
 * alone cannot tell is a prefix deleted together with a cut forged to match it: that is what the
 * checkpoints (verify-checkpoints.ts, which anchor each cut) and the archives are for.
 */
import type { AuditSnapshot, StoredChainCut } from '../audit-snapshot.js';
import { chainHash, chainHashV1 } from './event-chain.js';

export type ChainProblemKind = 'changed' | 'missing' | 'unchained' | 'out-of-order' | 'truncated' | 'head-mismatch' | 'cut-gap' | 'pruned-row' | 'count-mismatch';

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
  environments: Array<{ environmentId: string; rows: number; headSeq: number | null; headHash: string | null; cut: CutReport | null }>;
  /** The first problems found (at most `limit`), and how many there were in all. */
  problems: ChainProblem[];
  problemCount: number;
}

/** Where an environment's chain was last cut, as verify reports it. */
export interface CutReport {
  seq: number;
  hash: string;
  prunedAt: string;
  command: string;
  archive: string | null;
  archiveSha256: string | null;
  /** How many prunes cut this chain, all told. */
  cuts: number;
}

/** Walks the chains of `view` (one snapshot); reports at most `limit` problems in full, and how many there were. */
export async function verifyEventChains(view: Pick<AuditSnapshot, 'chainHeads' | 'eachEvent' | 'chainCuts'>, limit = 50): Promise<ChainReport> {
  const state = new Map<string, { rows: number; lastSeq: number; lastHash: Buffer | null }>();
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (p: ChainProblem) => {
    problemCount += 1;
    if (problems.length < limit) problems.push(p);
  };
  const heads = await view.chainHeads();
  const headOf = new Map(heads.map((h) => [h.environmentId, h]));
  const cuts = latestCuts(await view.chainCuts(), report);
  // A pruned chain starts at its cut, whether or not any of its events remain.
  for (const [environmentId, cut] of cuts) state.set(environmentId, { rows: 0, lastSeq: cut.seq, lastHash: cut.hash });
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
    const cut = cuts.get(row.environment_id);
    if (cut && row.chain_seq <= cut.seq) {
      report({ environmentId: row.environment_id, kind: 'pruned-row', seq: row.chain_seq, eventId: row.id, detail: `sequence ${row.chain_seq} is at or before the cut (seq ${cut.seq}): a pruned row put back, or a cut moved past stored rows` });
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
      cut: cutReport(cuts.get(environmentId)),
    })),
    problems,
    problemCount,
  };
}

type LatestCut = StoredChainCut & { cuts: number };

/** Each environment's latest cut; cuts that do not follow one another from seq 1 are reported. */
function latestCuts(all: readonly StoredChainCut[], report: (p: ChainProblem) => void): Map<string, LatestCut> {
  const latest = new Map<string, LatestCut>();
  for (const cut of all) {
    const before = latest.get(cut.environmentId);
    const expected = (before?.seq ?? 0) + 1;
    if (cut.firstSeq !== expected || cut.seq < cut.firstSeq) {
      report({ environmentId: cut.environmentId, kind: 'cut-gap', seq: expected, eventId: null, detail: `the cut of ${cut.prunedAt} (${cut.command}) covers ${cut.firstSeq}..${cut.seq}, but the cuts before it end at ${expected - 1}: a cut was removed or edited` });
    }
    latest.set(cut.environmentId, { ...cut, cuts: (before?.cuts ?? 0) + 1 });
  }
  return latest;
}

function cutReport(cut: LatestCut | undefined): CutReport | null {
  if (!cut) return null;
  return { seq: cut.seq, hash: cut.hash.toString('hex'), prunedAt: cut.prunedAt, command: cut.command, archive: cut.archive, archiveSha256: cut.archiveSha256, cuts: cut.cuts };
}
