/**
 * Forwarding as a job of the worker, on a queue of its own (`audit-forward`), so it never holds up
 * a sync: a slow or failing receiver only keeps forward jobs waiting. Every environment sync that
 * stores something asks for a run (nudge); a job scheduler asks every AUDIT_FORWARD_INTERVAL so a
 * missed nudge, a failed run or events from a `sync --once` are caught up. Nudges are deduplicated
 * by one id, and the queue's global concurrency is 1, so across all workers one forwarder sends at
 * a time; should two ever overlap (a stalled job taken over), the store's position only moves
 * from where it stood (rule 10), and the receiver dedups what came twice.
 */
import { Queue, Worker } from 'bullmq';
import type { ForwardConfig, WorkerConfig } from '../src/config.js';
import { ConfigError, describeError } from '../src/errors.js';
import { Forwarder } from '../src/forward/forwarder.js';
import type { Logger } from '../src/log.js';
import type { AuditMetrics } from '../src/ops/metrics.js';
import type { AuditReader } from '../src/store/audit-reader.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createRedis } from './redis.js';

export const FORWARD_QUEUE_NAME = 'audit-forward';
export const FORWARD_JOB = 'forward';
export const FORWARD_SCHEDULER_ID = 'forward-catch-up';

export interface Forwarding {
  /** Asks for a forward run soon (a no-op while one is waiting or running). */
  nudge(): Promise<void>;
  close(): Promise<void>;
}

export interface ForwardingDeps {
  config: ForwardConfig;
  worker: WorkerConfig;
  store: AuditStore;
  /** The forwarder's view of the trail. */
  reader: AuditReader;
  /** Another, for the lag gauges: a reader runs one statement at a time, and a scrape must not wait for a batch. */
  lagReader: AuditReader;
  log: Logger;
  metrics: AuditMetrics;
}

/** Checks the forwarding settings (the token file read once), then starts the forward queue's worker and schedule. */
export async function startForwarding(deps: ForwardingDeps): Promise<Forwarding> {
  const log = deps.log.child({ component: 'forward' });
  const forwarder = new Forwarder({ config: deps.config, store: deps.store, reader: deps.reader, log, observer: deps.metrics.forwardObserver() });
  // A token file that cannot be read is a setting to fix: refused at start, as a bad variable is.
  await forwarder.checkToken().catch((error: unknown) => {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  });
  const destination = forwarder.destination;
  // Read-only, on the reader's connection: a scrape never takes the write lock.
  deps.metrics.observeForwarding(async () => {
    const position = (await deps.lagReader.forwardStates()).find((s) => s.destination === destination)?.position ?? '0';
    return [{ destination, ...(await deps.lagReader.trailBacklog(position)) }];
  });

  const cleanups: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log.warn({ err: error }, 'error while closing'));
  };
  try {
    const queueConnection = createRedis(deps.worker.redisUrl, log, 'forward-queue');
    cleanups.push(() => queueConnection.quit().catch(() => queueConnection.disconnect()));
    const queue = new Queue(FORWARD_QUEUE_NAME, {
      connection: queueConnection,
      prefix: deps.worker.queuePrefix,
      // One try per job: the forwarder retries a batch itself, and the next nudge or the schedule starts again.
      defaultJobOptions: { attempts: 1, removeOnComplete: { count: 100, age: 24 * 3600 }, removeOnFail: { count: 1000, age: 7 * 24 * 3600 } },
    });
    queue.on('error', () => undefined);
    cleanups.push(() => queue.close());
    // One forward job at a time across every worker sharing the queue.
    await queue.setGlobalConcurrency(1);
    await queue.upsertJobScheduler(FORWARD_SCHEDULER_ID, { every: deps.config.intervalMs }, { name: FORWARD_JOB, data: {} });

    const workerConnection = createRedis(deps.worker.redisUrl, log, 'forward-worker');
    cleanups.push(() => workerConnection.quit().catch(() => workerConnection.disconnect()));
    const worker = new Worker(
      FORWARD_QUEUE_NAME,
      async (job, _token, signal) => {
        const run = await forwarder.run(signal ?? new AbortController().signal);
        if (run.events > 0) log.info({ jobId: job.id, destination, events: run.events, batches: run.batches }, 'forwarded');
        return run;
      },
      { connection: workerConnection, prefix: deps.worker.queuePrefix, concurrency: 1, lockDuration: deps.worker.jobLockMs, stalledInterval: deps.worker.jobLockMs, autorun: false },
    );
    worker.on('failed', (job, error) => log.error({ jobId: job?.id, destination, err: describeError(error) }, 'forwarding run failed; the next run starts from the same position'));
    worker.on('error', (error) => {
      if (!/ECONNREFUSED|Connection is closed|ECONNRESET/.test(error.message)) log.warn({ err: error }, 'forward worker error');
    });
    cleanups.push(async () => {
      worker.cancelAllJobs('shutdown');
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), deps.worker.shutdownTimeoutMs)));
      const outcome = await Promise.race([worker.close().then(() => 'closed' as const), bound]);
      clearTimeout(timer);
      if (outcome === 'timeout') await worker.close(true);
    });
    void worker.run().catch((error: unknown) => log.error({ err: error }, 'forward worker stopped unexpectedly'));
    log.info({ destination, format: deps.config.format }, 'forwarding started');
    return {
      nudge: async () => {
        await queue.add(FORWARD_JOB, {}, { deduplication: { id: FORWARD_JOB } });
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
