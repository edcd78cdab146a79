/** What `status` shows of the queue: next scheduled run, job counts, last failure per environment. */
import type { Queue } from 'bullmq';
import type { EnvironmentSyncData, SyncJobData } from './queue.js';
import { nextScheduledRun } from './scheduler.js';

export interface QueueReport {
  nextRun: string | null;
  counts: Record<string, number>;
  workers: number;
  /** The newest failure of each environment (or 'account' / 'directory') still kept in Redis. */
  lastFailures: Array<{ scope: string; at: string; reason: string }>;
}

export async function readQueueReport(queue: Queue<SyncJobData>): Promise<QueueReport> {
  const [next, counts, workers, failed] = await Promise.all([
    nextScheduledRun(queue),
    queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
    queue.getWorkers(),
    queue.getFailed(0, 199),
  ]);
  const latest = new Map<string, { scope: string; at: string; reason: string }>();
  for (const job of failed) {
    const scope = (job.data as Partial<EnvironmentSyncData>).environmentId ?? job.name;
    const at = new Date(job.finishedOn ?? job.timestamp).toISOString();
    const known = latest.get(scope);
    if (!known || known.at < at) latest.set(scope, { scope, at, reason: job.failedReason ?? 'unknown' });
  }
  return { nextRun: next ? next.toISOString() : null, counts, workers: workers.length, lastFailures: [...latest.values()].sort((a, b) => a.scope.localeCompare(b.scope)) };
}
