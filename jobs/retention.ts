/**
 * Job `retention`: prunes the events created longer ago than AUDIT_RETENTION (src/retention/), into
 * an archive in AUDIT_ARCHIVE_DIR unless AUDIT_RETENTION_ARCHIVE=false, and anchors the new cut with
 * a checkpoint when checkpoints are on. Cancelled (shutdown), it stops between two batches: what it
 * deleted is recorded, the next run goes on from there.
 */
import type { Job } from 'bullmq';
import { defaultArchivePath, prunedBy } from '../src/retention/archive-name.js';
import { pruneEvents } from '../src/retention/prune-events.js';
import { openReader } from '../src/store/open-store.js';
import type { JobContext } from './job-context.js';
import type { RetentionData } from './queue.js';

export interface RetentionJobResult {
  pruned: number;
  archive: string | null;
  complete: boolean;
}

export async function processRetention(job: Job<RetentionData>, signal: AbortSignal, ctx: JobContext): Promise<RetentionJobResult> {
  const { retention } = ctx.config;
  if (retention.keepMs === undefined) return { pruned: 0, archive: null, complete: true };
  const log = ctx.log.child({ jobId: job.id });
  const now = ctx.clock();
  const before = new Date(now.getTime() - retention.keepMs).toISOString();
  const result = await pruneEvents(
    { store: ctx.store, openReader: () => openReader(ctx.config), log, clock: ctx.clock },
    {
      before, lookbackMs: ctx.config.lookbackMs, signal,
      archivePath: retention.archive ? defaultArchivePath(retention.archiveDir, before, now) : null,
      command: prunedBy(`worker retention job ${job.id ?? ''} (AUDIT_RETENTION, before ${before})`),
    },
  );
  if (result.cuts.length > 0) await ctx.checkpoints?.append('interval');
  const pruned = [...result.pruned.values()].reduce((a, b) => a + b, 0);
  log.info({ before, pruned, lagRows: result.lagRows, archive: result.archive?.path ?? null, sha256: result.archive?.sha256 ?? null, cuts: result.cuts.map((c) => ({ environmentId: c.environmentId, seq: c.seq })), complete: result.complete }, 'retention prune done');
  return { pruned, archive: result.archive?.path ?? null, complete: result.complete };
}
