import { onTestFinished } from 'vitest';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME, type SyncJobData } from '../../jobs/queue.js';
import { startWorker, type RunningWorker } from '../../jobs/worker.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startCli, type CliOptions } from './cli.js';
import { LogSink } from './sync.js';
import { TEST_PAT } from './simulator.js';
import { waitFor } from './wait.js';

export interface WorkerEnvOptions {
  apiUrl: string;
  dbPath: string;
  redisUrl: string;
  prefix: string;
  extra?: Record<string, string>;
}

/** The environment a worker runs with in tests. Tests that kill workers shorten AUDIT_JOB_LOCK themselves. */
export function workerEnv(o: WorkerEnvOptions): Record<string, string> {
  return {
    FLATFILE_API_URL: o.apiUrl,
    FLATFILE_TOKEN: TEST_PAT,
    AUDIT_DB: o.dbPath,
    REDIS_URL: o.redisUrl,
    AUDIT_QUEUE_PREFIX: o.prefix,
    AUDIT_SYNC_CRON: '0 0 1 1 *', // effectively never: tests trigger runs themselves unless they test the schedule
    AUDIT_JOB_LOCK: '15s',
    AUDIT_REQUEST_TIMEOUT: '5s',
    LOG_LEVEL: 'debug',
    ...o.extra,
  };
}

/** An in-process worker, closed when the test ends. */
export async function inProcessWorker(env: Record<string, string>): Promise<{ running: RunningWorker; logs: LogSink }> {
  const logs = new LogSink();
  const config = loadConfig(env);
  const running = await startWorker(config, createLogger({ level: config.logLevel, destination: logs }));
  onTestFinished(() => running.close());
  return { running, logs };
}

/** A worker as its own process (`flatfile-audit worker`), killed when the test ends if still alive. */
export async function workerProcess(env: Record<string, string>, options: CliOptions & { startTimeoutMs?: number } = {}) {
  const started = startCli(['worker'], env, options);
  onTestFinished(async () => {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGKILL');
      await started.done;
    }
  });
  let output = '';
  started.child.stderr!.on('data', (chunk) => (output += chunk));
  await waitFor('the worker to start', () => output.includes('"worker started"') || started.child.exitCode !== null, options.startTimeoutMs ?? 20_000);
  if (started.child.exitCode !== null) throw new Error(`worker exited at start: ${output}`);
  return { ...started, logs: () => output };
}

/** A queue client on the test's prefix, for triggering and inspecting jobs. */
export async function testQueue(redisUrl: string, prefix: string) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const eventsConnection = connection.duplicate();
  // Tests that restart Redis see these connections drop; they reconnect, the noise is not news.
  for (const c of [connection, eventsConnection]) c.on('error', () => undefined);
  const queue = new Queue<SyncJobData>(QUEUE_NAME, { connection, prefix });
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection, prefix });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  await events.waitUntilReady();
  onTestFinished(async () => {
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
  });
  return { queue, events };
}

/** Triggers one account sync on the queue and waits for it and every job it fanned out. */
export async function triggerAccountSync(queue: Queue<SyncJobData>, events: QueueEvents, timeoutMs = 60_000) {
  return followAccountSync(queue, events, await queue.add('account-sync', { trigger: 'manual' }), timeoutMs);
}

/** Waits for an account sync already queued (a scheduled one, say) and every job it fanned out. */
export async function followAccountSync(queue: Queue<SyncJobData>, events: QueueEvents, job: Job<SyncJobData>, timeoutMs = 60_000) {
  const fanOut = (await job.waitUntilFinished(events, timeoutMs)) as { environments: number; jobs: Array<{ id: string; name: string; environmentId?: string }> };
  const results = await Promise.all(
    fanOut.jobs.map(async (child) => {
      const childJob = await Job.fromId(queue, child.id);
      return { ...child, result: (await childJob!.waitUntilFinished(events, timeoutMs)) as Record<string, unknown> };
    }),
  );
  return { fanOut, results };
}

/**
 * Triggers one account sync and waits until it and every job it fanned out have finished, failed
 * ones included (for tests that make syncs fail); returns the children's outcomes.
 */
export async function triggerAccountSyncSettled(queue: Queue<SyncJobData>, events: QueueEvents, timeoutMs = 60_000) {
  const job = await queue.add('account-sync', { trigger: 'manual' });
  const fanOut = (await job.waitUntilFinished(events, timeoutMs)) as { jobs: Array<{ id: string; name: string; environmentId?: string }> };
  return Promise.all(
    fanOut.jobs.map(async (child) => {
      const childJob = await Job.fromId(queue, child.id);
      const outcome = await childJob!.waitUntilFinished(events, timeoutMs).then(() => 'completed' as const, () => 'failed' as const);
      return { ...child, outcome };
    }),
  );
}
