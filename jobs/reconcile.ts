/**
 * Job `reconcile` (AUDIT_RECONCILE_CRON): every environment's events of the last
 * AUDIT_RECONCILE_WINDOW listed again, what the syncs missed stored, and the drift recorded
 * (src/sync/reconcile-environment.ts, the code `flatfile-audit reconcile` runs) and set on the
 * reconcile gauges. It runs beside the environment syncs rather than after them: it moves no cursor
 * and opens no sync_runs row of an environment's scope, the store takes writers of one chain in
 * turn, and what it counts as late no incremental listing can store (the argument is in that file).
 */
import type { Job } from 'bullmq';
import { connectFlatfile } from '../src/flatfile/connect.js';
import { reconcileAccount, type EnvironmentReconcileReport } from '../src/sync/reconcile-account.js';
import { syncOptionsFrom } from '../src/sync/sync-options.js';
import type { JobContext } from './job-context.js';
import { handleJobFailure } from './job-failure.js';
import type { ReconcileData } from './queue.js';

export interface ReconcileJobResult {
  environments: number;
  lateEvents: number;
  failed: string[];
}

export async function processReconcile(job: Job<ReconcileData>, token: string | undefined, signal: AbortSignal, ctx: JobContext): Promise<ReconcileJobResult> {
  const log = ctx.log.child({ jobId: job.id });
  const timer = ctx.metrics.syncDuration.startTimer({ kind: 'reconcile' });
  try {
    const http = await connectFlatfile(ctx.config, log, { onRateLimit: 'throw', observer: ctx.metrics.httpObserver() });
    const reports = await reconcileAccount(
      { http, store: ctx.store, log, clock: ctx.clock, signal },
      { ...syncOptionsFrom(ctx.config), windowMs: ctx.config.reconcile.windowMs, trigger: job.data.trigger },
    );
    const drifts = reports.flatMap((r) => (r.status === 'ok' ? [r.drift] : []));
    ctx.metrics.observeReconcile(drifts);
    for (const drift of drifts) ctx.metrics.eventsIngested.inc({ environment: drift.environmentId }, drift.newEvents);
    if (drifts.some((d) => d.newEvents > 0) && ctx.forward) void ctx.forward.nudge().catch((error: unknown) => log.warn({ err: error }, 'could not queue a forward run; the catch-up schedule will'));
    const result = summary(reports);
    // An environment that failed is logged and left to the next reconcile: retrying the job would list
    // the others again and record a drift of 0 over the one just found.
    log.info(result, 'reconcile done');
    timer({ outcome: result.failed.length > 0 ? 'error' : 'ok' });
    return result;
  } catch (error) {
    timer({ outcome: 'error' });
    return handleJobFailure(error, job, token, signal, ctx);
  }
}

function summary(reports: readonly EnvironmentReconcileReport[]): ReconcileJobResult {
  return {
    environments: reports.length,
    lateEvents: reports.reduce((n, r) => n + (r.status === 'ok' ? r.drift.lateEvents : 0), 0),
    failed: reports.flatMap((r) => (r.status === 'failed' ? [r.environmentId] : [])),
  };
}
