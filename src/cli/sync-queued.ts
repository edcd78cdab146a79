/**
 * `flatfile-audit sync` (without --once): asks the running workers for an account sync now, and
 * follows it: one line per environment as its job finishes. Needs Redis and at least one worker.
 */
import { Job, QueueEvents } from 'bullmq';
import type { AccountJobResult } from '../../jobs/account-sync.js';
import type { EnvironmentJobResult } from '../../jobs/environment-sync.js';
import { JOB, QUEUE_NAME } from '../../jobs/queue.js';
import { loadConfig } from '../config.js';
import { formatDuration } from '../duration.js';
import { AuditError } from '../errors.js';
import { EXIT, type CliContext } from './context.js';
import { openQueue } from './queue-connection.js';

export async function syncQueued(ctx: CliContext, options: { wait: boolean; timeoutMs: number }): Promise<number> {
  const config = loadConfig(ctx.env);
  const handle = await openQueue(config.worker);
  const events = new QueueEvents(QUEUE_NAME, { connection: handle.redis.duplicate(), prefix: config.worker.queuePrefix });
  try {
    if ((await handle.queue.getWorkers()).length === 0) {
      throw new AuditError('CONFIG_INVALID', 'no flatfile-audit worker is connected to this queue; start one (flatfile-audit worker), or run sync --once');
    }
    await events.waitUntilReady();
    const started = Date.now();
    const job = await handle.queue.add(JOB.account, { trigger: 'manual' }, { deduplication: { id: 'manual-account-sync' } });
    ctx.stdout.write(`queued account sync (job ${job.id})\n`);
    if (!options.wait) return EXIT.ok;
    const deadline = started + options.timeoutMs;
    let fanOut: AccountJobResult;
    try {
      fanOut = (await job.waitUntilFinished(events, options.timeoutMs)) as AccountJobResult;
    } catch (error) {
      ctx.stderr.write(`flatfile-audit: the account sync failed: ${(error as Error).message}\n`);
      return /rejected the token/.test((error as Error).message) ? EXIT.tokenRejected : EXIT.failed;
    }
    ctx.stdout.write(`${fanOut.environments} environment(s) queued\n`);
    let failures = 0;
    let tokenRejected = false;
    await Promise.all(
      fanOut.jobs.map(async (child) => {
        const label = child.environmentName ? `${child.environmentName} (${child.environmentId})` : 'users (account directory)';
        const childJob = await Job.fromId(handle.queue, child.id);
        try {
          if (!childJob) throw new Error('job no longer in the queue');
          const result = (await childJob.waitUntilFinished(events, Math.max(1, deadline - Date.now()))) as Partial<EnvironmentJobResult> & { users?: number };
          const figures = result.users !== undefined ? `${result.users} users` : `${result.newEvents} new events, ${result.pages} pages in ${formatDuration(result.durationMs ?? 0)}`;
          ctx.stdout.write(`  ok      ${label}: ${figures}\n`);
        } catch (error) {
          failures += 1;
          tokenRejected ||= /rejected the token/.test((error as Error).message);
          ctx.stdout.write(`  FAILED  ${label}: ${(error as Error).message}\n`);
        }
      }),
    );
    ctx.stdout.write(`account sync ${failures === 0 ? 'ok' : `finished with ${failures} failure(s)`} in ${formatDuration(Date.now() - started)}\n`);
    return tokenRejected ? EXIT.tokenRejected : failures === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await events.close();
    await handle.close();
  }
}
