/**
 * Every worker checks, every AUDIT_WATCHDOG_INTERVAL, that the schedule is still in Redis with this
 * worker's cron, and registers it again if not. A flushed or evicting Redis, or someone deleting
 * the schedule, would otherwise stop every run without a sound: nothing else would add it back
 * until a worker restarts.
 */
import type { Queue } from 'bullmq';
import type { WorkerConfig } from '../src/config.js';
import type { Logger } from '../src/log.js';
import type { AuditMetrics } from '../src/ops/metrics.js';
import { SCHEDULER_ID, type SyncJobData } from './queue.js';
import { registerSchedule } from './scheduler.js';

export interface ScheduleWatchdog {
  /** Checks now (also run on every tick); a check already under way is joined, not repeated. */
  check(): Promise<void>;
  stop(): void;
}

export interface ScheduleWatchdogDeps {
  queue: Queue<SyncJobData>;
  config: Pick<WorkerConfig, 'cron' | 'timezone' | 'watchdogIntervalMs'>;
  log: Logger;
  metrics: Pick<AuditMetrics, 'scheduleMissing'>;
}

export function startScheduleWatchdog({ queue, config, log, metrics }: ScheduleWatchdogDeps): ScheduleWatchdog {
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const checkOnce = async () => {
    const scheduler = await queue.getJobScheduler(SCHEDULER_ID);
    if (stopped) return;
    if (!scheduler) {
      metrics.scheduleMissing.inc();
      log.warn({ cron: config.cron, tz: config.timezone }, 'the schedule was missing from Redis (flushed, evicted or deleted?); registered it again');
    } else if (scheduler.pattern !== config.cron || scheduler.tz !== config.timezone) {
      log.warn({ found: { cron: scheduler.pattern, tz: scheduler.tz }, cron: config.cron, tz: config.timezone }, 'the schedule in Redis differs from this worker\'s AUDIT_SYNC_CRON/AUDIT_SYNC_TZ; replaced it (do all workers share one setting?)');
    } else {
      return;
    }
    await registerSchedule(queue, config);
  };

  const check = () =>
    (running ??= checkOnce()
      .catch((error: unknown) => {
        // Redis being away is logged once by its connection; the next tick tries again.
        if (!stopped) log.debug({ err: error }, 'schedule check failed');
      })
      .finally(() => (running = undefined)));

  const tick = () => {
    timer = setTimeout(() => {
      void check().then(() => {
        if (!stopped) tick();
      });
    }, config.watchdogIntervalMs);
  };
  tick();

  return {
    check,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
