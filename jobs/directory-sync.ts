/** Job `directory-sync`: the account-level inventories (users, personal access tokens), recorded as a run of scope 'directory'. */
import type { Job } from 'bullmq';
import { connectFlatfile } from '../src/flatfile/connect.js';
import { recordRun } from '../src/sync/record-run.js';
import { syncPersonalAccessTokens, syncUsers } from '../src/sync/sync-directory.js';
import type { JobContext } from './job-context.js';
import { handleJobFailure } from './job-failure.js';
import type { DirectorySyncData } from './queue.js';

export interface DirectoryJobResult {
  runId: number;
  users: number;
}

export async function processDirectorySync(job: Job<DirectorySyncData>, token: string | undefined, signal: AbortSignal, ctx: JobContext): Promise<DirectoryJobResult> {
  const log = ctx.log.child({ jobId: job.id });
  const timer = ctx.metrics.syncDuration.startTimer({ kind: 'directory' });
  try {
    const http = await connectFlatfile(ctx.config, log, { onRateLimit: 'throw', observer: ctx.metrics.httpObserver() });
    const { runId, result: users } = await recordRun(
      ctx.store,
      { startedAt: ctx.clock().toISOString(), trigger: job.data.trigger, scope: 'directory', jobId: job.id },
      ctx.clock,
      async () => {
        const directory = { http, store: ctx.store, log, clock: ctx.clock, signal };
        const users = await syncUsers(directory, ctx.config.pageSize);
        await syncPersonalAccessTokens(directory);
        return users;
      },
      () => ({ status: 'ok', newEvents: 0, rejected: 0, pages: 0, requests: http.stats.requests, environmentsOk: 0, environmentsFailed: 0, details: { httpStats: http.stats } }),
    );
    timer({ outcome: 'ok' });
    return { runId, users };
  } catch (error) {
    timer({ outcome: 'error' });
    return handleJobFailure(error, job, token, signal, ctx);
  }
}
