/**
 * Reconciliation of one environment (`flatfile-audit reconcile`, the worker's `reconcile` job): its
 * events of a whole window, [now − window, now], listed again to the end, every page through the
 * same paging and write path as any listing (sync-events.ts, as a catch-up listing pages: cursor
 * update 'none'), so whatever the incremental runs missed is stored, once, and chained. Then the
 * drift is recorded (rule 15 of audit-store.ts): the late events, how late, and the lookback that
 * would have caught them.
 *
 * Why the forward cursor is safe, and why "late" means missed (against plan-listing.ts):
 * - The listing's pages carry the cursor update 'none' (rule 11): neither the high-water mark nor an
 *   interrupted incremental listing is written, so the next incremental run starts where it would
 *   have (catch-up-listing.ts has the argument in full). No sync_runs row is opened either: one of
 *   the environment's scope would close a concurrent incremental run as interrupted (rule 7).
 * - An event is late when the incremental runs can no longer read it: created before `lateBefore`,
 *   where the incremental listing planned at the reconcile's start begins (a resumed listing's start,
 *   or high water − AUDIT_LOOKBACK). The high-water mark only moves on, so no incremental listing
 *   from then on starts earlier; an event this listing stores that was created later is one the next
 *   incremental run would have read anyway, stored now and counted as new, not late.
 * - Which events this listing stored is told by the chain: it records the environment's head before
 *   the first page, and the store counts the events linked after it and created before `lateBefore`
 *   (an incremental run beside it cannot have stored those, by the point above).
 */
import { lookbackSetting } from '../duration.js';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import type { Logger } from '../log.js';
import type { AuditStore, ReconcileDrift } from '../store/audit-store.js';
import { BatchWriter } from './batch-writer.js';
import { latest, planListing } from './plan-listing.js';
import type { SyncOptions } from './sync-options.js';
import { syncEvents } from './sync-events.js';

export interface ReconcileDeps {
  http: FlatfileHttp;
  store: AuditStore;
  log: Logger;
  clock: () => Date;
  signal: AbortSignal;
}

export interface ReconcileOptions extends Pick<SyncOptions, 'lookbackMs' | 'maxClockSkewMs' | 'backfillSince' | 'pageSize' | 'writeBatchRows'> {
  /** How far back from now the window reaches (AUDIT_RECONCILE_WINDOW, --window). */
  windowMs: number;
  /** What asked for it: 'cli', 'schedule', 'test'. */
  trigger: string;
}

export type EnvironmentReconcile =
  | { status: 'ok'; drift: ReconcileDrift }
  /** An environment no incremental listing has completed yet: nothing can have been missed. */
  | { status: 'skipped'; reason: string };

export async function reconcileEnvironment(deps: ReconcileDeps, environmentId: string, options: ReconcileOptions): Promise<EnvironmentReconcile> {
  const { store, clock, log } = deps;
  const cursor = await store.readCursor(environmentId);
  if (!cursor?.highWater) return { status: 'skipped', reason: 'no incremental listing of it has completed yet' };
  const now = clock();
  const startedAt = now.toISOString();
  const since = latest(new Date(now.getTime() - options.windowMs).toISOString(), options.backfillSince ?? null)!;
  const lateBefore = planListing(cursor, { ...options, now }).since;
  const afterSeq = (await store.chainHead(environmentId))?.seq ?? 0;
  const writer = new BatchWriter(store, options.writeBatchRows);
  log.info({ since, lateBefore, afterSeq }, 'reconcile listing starting');
  const result = await syncEvents(
    { http: deps.http, writer, clock, signal: deps.signal, maxClockSkewMs: options.maxClockSkewMs, onRestart: (reason) => log.warn({ reason }, 'reconcile listing restarted') },
    environmentId,
    { since, pageSize: options.pageSize, nextPage: 1, maxCreatedAt: null, pageFill: 0, startedAt },
    'leave',
    'reconcile',
  );
  const drift = await store.recordReconcile({
    environmentId, trigger: options.trigger, startedAt, completedAt: clock().toISOString(), since, until: deps.http.serverClock.now().toISOString(),
    pages: result.pages, served: result.served, newEvents: writer.insertedFor(environmentId), afterSeq, lateBefore, highWater: cursor.highWater, lookbackMs: options.lookbackMs,
  });
  const figures = { since, until: drift.until, pages: drift.pages, served: drift.served, newEvents: drift.newEvents, lateEvents: drift.lateEvents };
  if (drift.lateEvents > 0) {
    log.warn(
      { ...figures, maxLateMs: drift.maxLateMs, medianLateMs: drift.medianLateMs, oldestLateCreatedAt: drift.oldestLateCreatedAt, lookbackMs: options.lookbackMs, neededLookbackMs: drift.neededLookbackMs },
      `reconcile found ${drift.lateEvents} event(s) the incremental sync had missed, now stored; AUDIT_LOOKBACK=${lookbackSetting(drift.neededLookbackMs!)} would have caught them`,
    );
  } else {
    log.info(figures, 'reconcile found nothing missed');
  }
  return { status: 'ok', drift };
}
