/**
 * The long-running worker process: registers the schedule, processes sync jobs, serves the ops
 * port, and shuts down within a bound. Resources are closed in reverse order of opening.
 */
import { Worker, type Job } from 'bullmq';
import type { Config } from '../src/config.js';
import { connectionSummary } from '../src/flatfile/connect.js';
import type { Logger } from '../src/log.js';
import { createHealthCheck } from '../src/ops/health.js';
import { startOpsServer, type OpsServer, type OpsServerOptions } from '../src/ops/http-server.js';
import { AuditMetrics } from '../src/ops/metrics.js';
import { openReader, openStore, openSyncState, storeSettings } from '../src/store/open-store.js';
import { countFlags, hygieneCutoffs, readTokenHygiene } from '../src/token-hygiene.js';
import { openCheckpointWriter, prepareCheckpoints } from '../src/checkpoint/open-checkpoints.js';
import { runCheckpointTimer } from '../src/checkpoint/checkpoint-timer.js';
import { processAccountSync } from './account-sync.js';
import { processDirectorySync } from './directory-sync.js';
import { processEnvironmentSync } from './environment-sync.js';
import { checkEvictionPolicy } from './eviction-policy.js';
import { startForwarding, type Forwarding } from './forwarding.js';
import type { JobContext } from './job-context.js';
import { JOB, QUEUE_NAME, RECONCILE_JOB, RETENTION_JOB, SCHEDULER_ID, TOKEN_ROTATION_JOB, createQueue, type AccountSyncData, type DirectorySyncData, type EnvironmentSyncData, type ReconcileData, type RetentionData, type SyncJobData, type TokenRotationData } from './queue.js';
import { processReconcile } from './reconcile.js';
import { processRetention } from './retention.js';
import { createRedis } from './redis.js';
import { startScheduleWatchdog } from './schedule-watchdog.js';
import { registerReconcile, registerRetention, registerSchedule, registerTokenRotation } from './scheduler.js';
import { processTokenRotation } from './token-rotation.js';

export interface RunningWorker {
  worker: Worker<SyncJobData>;
  ops: OpsServer | undefined;
  /** Stops taking jobs, returns running ones to the queue after their current write, closes everything. */
  close(): Promise<void>;
}

export async function startWorker(config: Config, log: Logger): Promise<RunningWorker> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log.warn({ err: error }, 'error while closing'));
    }
  };
  try {
    const startedAt = Date.now();
    log.info({ api: connectionSummary(config) }, 'worker starting');
    const checkpointSettings = prepareCheckpoints(config);
    const store = await openStore(config);
    cleanups.push(() => store.close());
    const checkpoints = checkpointSettings && openCheckpointWriter(checkpointSettings, store, log);
    if (checkpoints) cleanups.push(runCheckpointTimer(checkpoints, log));
    // Health and metrics read through a connection of their own, read-only: never the write lock.
    const syncState = await openSyncState(config);
    cleanups.push(() => syncState.close());
    const queueConnection = createRedis(config.worker.redisUrl, log, 'queue');
    cleanups.push(() => queueConnection.quit().catch(() => queueConnection.disconnect()));
    const queue = createQueue(queueConnection, config.worker);
    queue.on('error', () => undefined); // connection trouble is logged once by createRedis
    cleanups.push(() => queue.close());
    await registerSchedule(queue, config.worker);
    log.info({ cron: config.worker.cron, tz: config.worker.timezone }, 'account sync scheduled');
    if (await registerRetention(queue, config.retention, config.worker.timezone)) {
      log.info({ cron: config.retention.cron, keepDays: config.retention.keepMs! / 86_400_000, archiveDir: config.retention.archive ? config.retention.archiveDir : null }, 'retention prune scheduled');
    }
    if (await registerReconcile(queue, config.reconcile, config.worker.timezone)) {
      log.info({ cron: config.reconcile.cron, windowMs: config.reconcile.windowMs }, 'reconcile scheduled');
    }
    if (await registerTokenRotation(queue, config.tokens, config.worker.timezone)) {
      log.info({ everyDays: config.tokens.rotateEveryMs! / 86_400_000 }, 'token rotation check scheduled (daily)');
    }
    await checkEvictionPolicy(queueConnection, log);

    // Token hygiene is read through a reader of its own, one scrape's statement at a time.
    const hygieneReader = await openReader(config);
    cleanups.push(() => hygieneReader.close());
    let hygieneRead: Promise<unknown> = Promise.resolve();
    const tokenFlags = () => {
      const next = hygieneRead.catch(() => undefined).then(async () => countFlags(await readTokenHygiene(hygieneReader, hygieneCutoffs(new Date(), config.tokens))));
      hygieneRead = next;
      return next;
    };
    const metrics = new AuditMetrics(store, queue, syncState, Date.now, tokenFlags);
    metrics.observeLookback(config.lookbackMs);
    const watchdog = startScheduleWatchdog({ queue, config: config.worker, log, metrics });
    cleanups.push(async () => watchdog.stop());
    // A Redis that comes back empty (no persistence, or a failover) has lost the schedule: check at once.
    queueConnection.on('ready', () => void watchdog.check());
    let forward: Forwarding | undefined;
    if (config.forward) {
      // Its own read-only view of the store: the trail is read there, never through the write connection.
      const reader = await openReader(config);
      cleanups.push(() => reader.close());
      const lagReader = await openReader(config);
      cleanups.push(() => lagReader.close());
      forward = await startForwarding({ config: config.forward, worker: config.worker, store, reader, lagReader, log, metrics });
      cleanups.push(() => forward!.close());
    }
    const ctx: JobContext = { config, store, log, metrics, queue, clock: () => new Date(), checkpoints, forward };
    const workerConnection = createRedis(config.worker.redisUrl, log, 'worker');
    cleanups.push(() => workerConnection.quit().catch(() => workerConnection.disconnect()));
    const worker = new Worker<SyncJobData>(QUEUE_NAME, (job, token, signal) => dispatch(job, token, signal ?? new AbortController().signal, ctx), {
      connection: workerConnection,
      prefix: config.worker.queuePrefix,
      concurrency: config.worker.concurrency,
      // queue.rateLimit() only takes effect with a limiter; this one never binds on its own.
      limiter: { max: 10_000, duration: 1000 },
      maxStartedAttempts: 200,
      lockDuration: config.worker.jobLockMs,
      stalledInterval: config.worker.jobLockMs,
      maxStalledCount: 3,
      autorun: false,
    });
    worker.on('failed', (job, error) => log.error({ jobId: job?.id, job: job?.name, envId: (job?.data as Partial<EnvironmentSyncData> | undefined)?.environmentId, attemptsMade: job?.attemptsMade, err: error }, 'job failed'));
    worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled (its worker died?); it will run again'));
    worker.on('error', (error) => {
      // A lost Redis connection makes every blocking call fail until it is back; createRedis logs that once.
      if (!/ECONNREFUSED|Connection is closed|ECONNRESET/.test(error.message)) log.warn({ err: error }, 'worker error');
    });
    cleanups.push(() => closeWorker(worker, config.worker.shutdownTimeoutMs, log));

    let ops: OpsServer | undefined;
    if (config.worker.httpPort !== undefined) {
      let explorer: OpsServerOptions['explorer'];
      if (config.worker.explorer) {
        const settings = storeSettings(config);
        const reader = await openReader(settings);
        cleanups.push(() => reader.close());
        explorer = { reader, openReader: () => openReader(settings), staleAfterMs: config.worker.staleAfterMs, maxClockSkewMs: config.maxClockSkewMs, tokens: config.tokens };
      }
      ops = await startOpsServer({
        explorer,
        host: config.worker.httpHost,
        port: config.worker.httpPort,
        dashboardPassword: config.worker.dashboardPassword,
        allowedHosts: config.worker.httpAllowedHosts,
        queue,
        metrics,
        health: createHealthCheck(
          {
            redis: queueConnection,
            scheduleExists: async () => (await queue.getJobScheduler(SCHEDULER_ID)) !== undefined,
            queuePaused: () => queue.isPaused(),
            syncState,
          },
          { staleAfterMs: config.worker.staleAfterMs, startedAt },
        ),
        log,
      });
      cleanups.push(() => ops!.close());
    }
    void worker.run().catch((error: unknown) => log.error({ err: error }, 'worker stopped unexpectedly'));
    log.info({ concurrency: config.worker.concurrency, queue: QUEUE_NAME, prefix: config.worker.queuePrefix }, 'worker started');

    let closing: Promise<void> | undefined;
    return { worker, ops, close: () => (closing ??= closeAll()) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function dispatch(job: Job<SyncJobData>, token: string | undefined, signal: AbortSignal, ctx: JobContext): Promise<unknown> {
  // The one job that never talks to the API.
  if (job.name === RETENTION_JOB) return processRetention(job as Job<RetentionData>, signal, ctx);
  // It talks to the API, but its failures are its own (a read-only token file is no rejected token).
  if (job.name === TOKEN_ROTATION_JOB) return processTokenRotation(job as Job<TokenRotationData>, signal, ctx);
  const result = await processJob(job, token, signal, ctx);
  // Every job talks to the API: one that succeeds proves the token is accepted again.
  ctx.metrics.tokenRejected.set(0);
  return result;
}

function processJob(job: Job<SyncJobData>, token: string | undefined, signal: AbortSignal, ctx: JobContext): Promise<unknown> {
  switch (job.name) {
    case JOB.account:
      return processAccountSync(job as Job<AccountSyncData>, token, signal, ctx);
    case JOB.environment:
      return processEnvironmentSync(job as Job<EnvironmentSyncData>, token, signal, ctx);
    case JOB.directory:
      return processDirectorySync(job as Job<DirectorySyncData>, token, signal, ctx);
    case RECONCILE_JOB:
      return processReconcile(job as Job<ReconcileData>, token, signal, ctx);
    default:
      throw new Error(`unknown job name "${job.name}"`);
  }
}

/**
 * worker.close() waits for running jobs with no limit. Cancelling them first makes each commit its
 * current write and go back to the queue; if that still takes longer than the bound, close by force
 * (an unfinished job then stalls and is taken over by another worker: crash safety covers it).
 */
async function closeWorker(worker: Worker, boundMs: number, log: Logger): Promise<void> {
  worker.cancelAllJobs('shutdown');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), boundMs)));
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    log.warn({ boundMs }, 'running jobs did not stop in time; closing by force');
    await worker.close(true);
  }
}
