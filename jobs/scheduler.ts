import type { Queue } from 'bullmq';
import type { ReconcileConfig, RetentionConfig, TokenHygieneConfig, WorkerConfig } from '../src/config.js';
import { JOB, RECONCILE_JOB, RECONCILE_SCHEDULER_ID, RETENTION_JOB, RETENTION_SCHEDULER_ID, SCHEDULER_ID, TOKEN_ROTATION_CRON, TOKEN_ROTATION_JOB, TOKEN_ROTATION_SCHEDULER_ID, type SyncJobData } from './queue.js';

/**
 * Registers (or replaces) the one schedule that fires the account sync. upsertJobScheduler is
 * idempotent by id, so every worker can call this at start: there is never more than one schedule,
 * and a changed cron replaces the old one.
 */
export async function registerSchedule(queue: Queue<SyncJobData>, config: Pick<WorkerConfig, 'cron' | 'timezone'>): Promise<void> {
  await queue.upsertJobScheduler(SCHEDULER_ID, { pattern: config.cron, tz: config.timezone }, { name: JOB.account, data: { trigger: 'schedule' } });
}

/** When the schedule fires next, if there is one. */
export async function nextScheduledRun(queue: Queue<SyncJobData>): Promise<Date | undefined> {
  const scheduler = await queue.getJobScheduler(SCHEDULER_ID);
  return scheduler?.next ? new Date(scheduler.next) : undefined;
}

/**
 * The daily prune when AUDIT_RETENTION is set; without it any schedule an earlier configuration
 * left is removed, so unsetting the variable really stops pruning.
 */
export async function registerRetention(queue: Queue<SyncJobData>, retention: RetentionConfig, timezone: string): Promise<boolean> {
  if (retention.keepMs === undefined) {
    await queue.removeJobScheduler(RETENTION_SCHEDULER_ID);
    return false;
  }
  await queue.upsertJobScheduler(RETENTION_SCHEDULER_ID, { pattern: retention.cron, tz: timezone }, { name: RETENTION_JOB, data: { trigger: 'schedule' }, opts: { attempts: 3 } });
  return true;
}

/**
 * The daily reconcile (AUDIT_RECONCILE_CRON, on by default); with 'off' any schedule an earlier
 * configuration left is removed, so turning it off really stops it.
 */
export async function registerReconcile(queue: Queue<SyncJobData>, reconcile: ReconcileConfig, timezone: string): Promise<boolean> {
  if (reconcile.cron === undefined) {
    await queue.removeJobScheduler(RECONCILE_SCHEDULER_ID);
    return false;
  }
  await queue.upsertJobScheduler(RECONCILE_SCHEDULER_ID, { pattern: reconcile.cron, tz: timezone }, { name: RECONCILE_JOB, data: { trigger: 'schedule' }, opts: { attempts: 3 } });
  return true;
}

/**
 * The daily rotation check when AUDIT_PAT_ROTATE_EVERY is set; unset, any schedule an earlier
 * configuration left is removed. One attempt: a check that fails (a read-only token file, a
 * refused token) fails once and says why, and the next day's check tries again; retrying at once
 * would mend nothing and repeat the alert.
 */
export async function registerTokenRotation(queue: Queue<SyncJobData>, tokens: Pick<TokenHygieneConfig, 'rotateEveryMs'>, timezone: string): Promise<boolean> {
  if (tokens.rotateEveryMs === undefined) {
    await queue.removeJobScheduler(TOKEN_ROTATION_SCHEDULER_ID);
    return false;
  }
  await queue.upsertJobScheduler(TOKEN_ROTATION_SCHEDULER_ID, { pattern: TOKEN_ROTATION_CRON, tz: timezone }, { name: TOKEN_ROTATION_JOB, data: { trigger: 'schedule' }, opts: { attempts: 1 } });
  return true;
}
