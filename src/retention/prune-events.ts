/**
 * A prune (rule 13 of src/store/audit-store.ts): every environment's chain prefix of events created
 * before a date, first written to an archive (archive-file.ts) and checked on the way (each row must
 * still link to the one before it: a prune never turns tampered rows into "pruned" ones), then
 * deleted a small batch at a time, each batch one short transaction that also moves the cut.
 *
 * Crash safety: until the archive has its name and checksum nothing is deleted; a prune killed after
 * that leaves a store whose cut stands where its last batch ended, and the next prune starts there
 * (its archive then holds the rows still left, some of which the first archive holds too). So every
 * pruned row is in at least one archive, and the chain verifies at every moment.
 */
import { randomUUID } from 'node:crypto';
import { AuditError } from '../errors.js';
import type { AuditReader } from '../store/audit-reader.js';
import type { AuditStore, ChainCut, EnvironmentCursor, PrunePlan } from '../store/audit-store.js';
import { CHAINED_COLUMNS, chainHash, chainHashV1 } from '../store/chain/event-chain.js';
import { ARCHIVE_FORMAT, ArchiveFile, type WrittenArchive } from './archive-file.js';
import { lagPruneBefore } from '../store/visibility-lag.js';

export interface PruneOptions {
  /** ISO instant: events created before it go (as far as rule 13 and pruneLimits let them). */
  before: string;
  /** AUDIT_LOOKBACK: how far before its high-water mark the next listing reads again. */
  lookbackMs: number;
  /** The archive to write; null: none (--no-archive). */
  archivePath: string | null;
  /** Who prunes, recorded with the cut: the command or job, the user and host. */
  command: string;
  /** Events per transaction. */
  batchSize?: number;
  /** The pause between batches (DEFAULT_PRUNE_PAUSE_MS), so that other writers get the write lock. */
  pauseMs?: number;
  /** Stops between batches: what was deleted stays deleted, the cut says where it ended. */
  signal?: AbortSignal | undefined;
}

export interface PruneDeps {
  store: AuditStore;
  /** Reads the rows to archive (never needed with no archive). */
  openReader: () => Promise<AuditReader>;
  log: { info(details: object, message: string): void };
  clock: () => Date;
}

export interface PruneResult {
  pruneId: string;
  plans: PrunePlan[];
  archive: WrittenArchive | null;
  /** Events deleted, per environment. */
  pruned: Map<string, number>;
  cuts: ChainCut[];
  /** visibility_lag rows deleted (store rule 16; visibility-lag.ts, lagPruneBefore): those of hours before the prune's date. */
  lagRows: number;
  /** False when stopped by the signal before every batch was deleted. */
  complete: boolean;
}

export const DEFAULT_PRUNE_BATCH = 500;

/**
 * A pause between batches. Back-to-back batches hold the database's one write lock nearly all the
 * time, and a sync writer waiting for it (SQLite's busy handler wakes at its own intervals) loses
 * the race batch after batch until the prune ends; a pause lets it in between two. 20 ms a batch
 * of 500 adds 40 s to a million-event prune, which runs once a day.
 */
export const DEFAULT_PRUNE_PAUSE_MS = 20;

export async function pruneEvents(deps: PruneDeps, options: PruneOptions): Promise<PruneResult> {
  const pruneId = randomUUID();
  const plans = await deps.store.planPrune(pruneLimits(await deps.store.listCursors(), options.before, options.lookbackMs));
  const result: PruneResult = { pruneId, plans, archive: null, pruned: new Map(), cuts: [], lagRows: 0, complete: true };
  if (plans.length === 0) return await pruneLag(deps, options, result);
  if (options.archivePath !== null) {
    result.archive = await writeArchive(deps, options, pruneId, plans);
    deps.log.info({ archive: result.archive.path, sha256: result.archive.sha256, events: result.archive.events, bytes: result.archive.bytes }, 'prune archive written');
  }
  const prunedAt = deps.clock().toISOString();
  for (const plan of plans) {
    for (;;) {
      if (options.signal?.aborted) {
        result.complete = false;
        return result;
      }
      const cut = await deps.store.pruneStep({
        environmentId: plan.environmentId, throughSeq: plan.throughSeq, limit: options.batchSize ?? DEFAULT_PRUNE_BATCH, pruneId, prunedAt,
        command: options.command, archive: result.archive?.path ?? null, archiveSha256: result.archive?.sha256 ?? null,
      });
      if (!cut) break;
      result.pruned.set(plan.environmentId, cut.seq - cut.firstSeq + 1);
      const last = result.cuts.findIndex((c) => c.environmentId === cut.environmentId);
      if (last >= 0) result.cuts[last] = cut;
      else result.cuts.push(cut);
      if (cut.seq >= plan.throughSeq) break;
      // Between transactions: other writers of the store, and what else this process does (a
      // worker's jobs, its health answers), get their turn.
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? DEFAULT_PRUNE_PAUSE_MS));
    }
  }
  return await pruneLag(deps, options, result);
}

/** Deletes the visibility lag counts of hours before the prune's date, a batch per transaction, as the events go. */
async function pruneLag(deps: PruneDeps, options: PruneOptions, result: PruneResult): Promise<PruneResult> {
  const beforeHour = lagPruneBefore(options.before, deps.clock().getTime());
  const limit = options.batchSize ?? DEFAULT_PRUNE_BATCH;
  for (;;) {
    if (options.signal?.aborted) {
      result.complete = false;
      return result;
    }
    const deleted = await deps.store.pruneVisibilityLag(beforeHour, limit);
    result.lagRows += deleted;
    if (deleted < limit) return result;
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? DEFAULT_PRUNE_PAUSE_MS));
  }
}

/**
 * Per environment, the date before which events may go: `before`, but never on or after where the
 * next listing starts reading (a resumed listing's `since`, or the high-water mark less the
 * lookback), since an event read again after it was pruned would be stored again, as a new one. An
 * environment with no listing ever completed is not pruned: its next listing reads from the start.
 */
export function pruneLimits(cursors: readonly EnvironmentCursor[], before: string, lookbackMs: number): Record<string, string> {
  const limits: Record<string, string> = {};
  for (const cursor of cursors) {
    const starts: Array<string | null> = [];
    if (cursor.listing) starts.push(cursor.listing.since);
    if (cursor.highWater) starts.push(new Date(Date.parse(cursor.highWater) - lookbackMs).toISOString());
    if (starts.length === 0 || starts.includes(null)) continue;
    limits[cursor.environmentId] = [before, ...(starts as string[])].sort()[0]!;
  }
  return limits;
}

async function writeArchive(deps: PruneDeps, options: PruneOptions, pruneId: string, plans: readonly PrunePlan[]): Promise<WrittenArchive> {
  const file = ArchiveFile.create(options.archivePath!);
  try {
    const reader = await deps.openReader();
    try {
      await reader.snapshot(async (view) => {
        const cuts = await view.chainCuts();
        const v1Through = new Map((await view.chainHeads()).map((h) => [h.environmentId, h.v1ThroughSeq]));
        const previous = new Map<string, Buffer>();
        for (const cut of cuts) previous.set(cut.environmentId, cut.hash);
        const latestSeq = new Map<string, number>(cuts.map((c) => [c.environmentId, c.seq]));
        for (const plan of plans) {
          // Another prune moved the cut since the plan was made: its rows are not ours to archive.
          if ((latestSeq.get(plan.environmentId) ?? 0) !== plan.fromSeq - 1) throw new AuditError('STORE_FAILED', `another prune of environment ${plan.environmentId} ran meanwhile; run this one again`);
        }
        await file.header({
          format: ARCHIVE_FORMAT, version: 1, pruneId, before: options.before, createdAt: deps.clock().toISOString(), command: options.command,
          environments: plans.map((p) => ({ environmentId: p.environmentId, fromSeq: p.fromSeq, throughSeq: p.throughSeq, previousHash: previous.get(p.environmentId)?.toString('hex') ?? null })),
        });
        for (const plan of plans) {
          let link = previous.get(plan.environmentId) ?? null;
          let expected = plan.fromSeq;
          await view.eachArchivable(plan.environmentId, plan.fromSeq, plan.throughSeq, async (page) => {
            for (const { event, trail } of page) {
              const hashOf = event.chain_seq! <= (v1Through.get(plan.environmentId) ?? 0) ? chainHashV1 : chainHash;
              if (event.chain_seq !== expected || !event.chain_hash || !hashOf(link, event).equals(event.chain_hash)) {
                throw new AuditError('STORE_FAILED', `refusing to prune environment ${plan.environmentId}: event seq ${expected} is missing or does not verify (changed outside flatfile-audit?); run flatfile-audit verify`);
              }
              link = event.chain_hash;
              expected += 1;
              await file.event({
                environment_id: event.environment_id, chain_seq: event.chain_seq, chain_hash: event.chain_hash.toString('hex'),
                event: Object.fromEntries(CHAINED_COLUMNS.map((c) => [c, event[c]])), audit_trail: trail,
              });
            }
          });
          if (expected !== plan.throughSeq + 1) throw new AuditError('STORE_FAILED', `refusing to prune environment ${plan.environmentId}: events ${expected}..${plan.throughSeq} are missing; run flatfile-audit verify`);
        }
      });
    } finally {
      await reader.close();
    }
    return await file.finish();
  } catch (error) {
    file.discard();
    throw error;
  }
}
