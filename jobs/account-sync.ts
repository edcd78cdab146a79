/**
 * Job `account-sync` (what the schedule fires): lists the environments, stores them, and fans out
 * one `environment-sync` job per environment plus one `directory-sync`, so a slow or failing
 * environment never holds the others back and is retried on its own. Each child carries a
 * deduplication id: while an environment's job is waiting or running, another is not added, so
 * an environment is never synced twice at once, however many workers or triggers there are.
 */
import type { Job } from 'bullmq';
import { connectFlatfile } from '../src/flatfile/connect.js';
import { syncEnvironmentList } from '../src/sync/sync-directory.js';
import type { JobContext } from './job-context.js';
import { handleJobFailure } from './job-failure.js';
import { JOB, dedupId, type AccountSyncData } from './queue.js';

export interface AccountJobResult {
  environments: number;
  /** The child jobs to watch: a deduplicated add names the job already waiting or running. */
  jobs: Array<{ id: string; name: string; environmentId?: string; environmentName?: string }>;
}

export async function processAccountSync(job: Job<AccountSyncData>, token: string | undefined, signal: AbortSignal, ctx: JobContext): Promise<AccountJobResult> {
  const log = ctx.log.child({ jobId: job.id });
  try {
    const http = await connectFlatfile(ctx.config, log, { onRateLimit: 'throw', observer: ctx.metrics.httpObserver() });
    const environments = await syncEnvironmentList({ http, store: ctx.store, log, clock: ctx.clock, signal }, ctx.config.pageSize);
    const trigger = job.data.trigger;
    const directory = await ctx.queue.add(JOB.directory, { trigger }, { deduplication: { id: dedupId.directory() } });
    const children = await Promise.all(
      environments.map((environment) =>
        ctx.queue.add(
          JOB.environment,
          { trigger, environmentId: environment.id, environmentName: environment.name },
          { deduplication: { id: dedupId.environment(environment.id) } },
        ),
      ),
    );
    log.info({ environments: environments.length }, 'fanned out the account sync');
    return {
      environments: environments.length,
      jobs: [
        { id: String(directory.id), name: JOB.directory },
        ...children.map((child, i) => ({ id: String(child.id), name: JOB.environment, environmentId: environments[i]!.id, environmentName: environments[i]!.name })),
      ],
    };
  } catch (error) {
    return handleJobFailure(error, job, token, signal, ctx);
  }
}
