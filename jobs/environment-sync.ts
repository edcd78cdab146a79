/** Job `environment-sync`: one environment's events, spaces, guests and agents. */
import type { Job } from 'bullmq';
import { connectFlatfile } from '../src/flatfile/connect.js';
import { syncEnvironmentRun } from '../src/sync/sync-environment-run.js';
import { syncOptionsFrom } from '../src/sync/sync-options.js';
import type { JobContext } from './job-context.js';
import { handleJobFailure } from './job-failure.js';
import type { EnvironmentSyncData } from './queue.js';

export interface EnvironmentJobResult {
  environmentId: string;
  runId: number;
  newEvents: number;
  pages: number;
  rejected: number;
  requests: number;
  durationMs: number;
}

export async function processEnvironmentSync(job: Job<EnvironmentSyncData>, token: string | undefined, signal: AbortSignal, ctx: JobContext): Promise<EnvironmentJobResult> {
  const { environmentId, environmentName, trigger } = job.data;
  const log = ctx.log.child({ jobId: job.id, envId: environmentId });
  const timer = ctx.metrics.syncDuration.startTimer({ kind: 'environment' });
  try {
    const http = await connectFlatfile(ctx.config, log, { onRateLimit: 'throw', observer: ctx.metrics.httpObserver() });
    const report = await syncEnvironmentRun(
      { http, store: ctx.store, log, clock: ctx.clock, signal, checkpoints: ctx.checkpoints },
      { id: environmentId, name: environmentName },
      syncOptionsFrom(ctx.config),
      { trigger, jobId: job.id },
    );
    ctx.metrics.eventsIngested.inc({ environment: environmentId }, report.newEvents);
    ctx.metrics.futureDatedEvents.inc({ environment: environmentId }, report.futureDated);
    await observeCursor(ctx, environmentId);
    // Queued, not awaited: the forward job runs on its own queue and never holds this one up.
    if (report.newEvents > 0 && ctx.forward) void ctx.forward.nudge().catch((error: unknown) => log.warn({ err: error }, 'could not queue a forward run; the catch-up schedule will'));
    if (report.status === 'failed') throw new Error(`environment ${environmentId} failed: ${report.errors.join('; ')}`);
    timer({ outcome: 'ok' });
    log.info({ newEvents: report.newEvents, pages: report.pages, durationMs: report.durationMs }, 'environment synced');
    return {
      environmentId, runId: report.runId, newEvents: report.newEvents, pages: report.pages,
      rejected: report.rejected, requests: report.requests, durationMs: report.durationMs,
    };
  } catch (error) {
    timer({ outcome: 'error' });
    return handleJobFailure(error, job, token, signal, ctx);
  }
}

/** Sets the environment's alerting gauges from its cursor as this run left it (scrapes read them afresh too). */
async function observeCursor(ctx: JobContext, environmentId: string): Promise<void> {
  const cursor = await ctx.store.readCursor(environmentId);
  if (cursor) ctx.metrics.observeEnvironments([{ environmentId, name: null, lastSuccessAt: cursor.lastSuccessAt, failing: cursor.lastError !== null }]);
}
