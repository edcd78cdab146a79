/**
 * Real worker processes (`flatfile-audit worker`, as an operator starts them) on one Redis and one
 * PostgreSQL schema, and an account sync asked of them the way `flatfile-audit sync` asks: the
 * account job is queued, it fans out one job per environment plus the directory job, and the run
 * is over when every one of them has finished. Each fleet gets a queue prefix of its own, removed
 * from Redis when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Job, QueueEvents } from 'bullmq';
import type { AccountJobResult } from '../jobs/account-sync.js';
import { JOB, QUEUE_NAME } from '../jobs/queue.js';
import { openQueue, type QueueHandle } from '../src/cli/queue-connection.js';
import { loadConfig, type PostgresConfig } from '../src/config.js';

const BIN = fileURLToPath(new URL('../../bin/flatfile-audit.js', import.meta.url));
const SETTLE_MS = 60 * 60 * 1000;

export interface FleetOptions {
  workers: number;
  /** AUDIT_WORKER_CONCURRENCY: jobs (environments) one worker runs at once. */
  jobsPerWorker: number;
  url: string;
  token: string;
  postgres: PostgresConfig;
  redisUrl: string;
}

export interface FleetRun {
  /** From queueing the account sync to the last of its jobs finishing. */
  wallS: number;
  jobs: number;
  /** Each worker's peak resident memory over its whole life (VmHWM), in MB. */
  peakRssMb: number[];
}

export interface WorkerFleet {
  syncAccount(): Promise<FleetRun>;
  stop(): Promise<void>;
}

export async function startWorkerFleet(options: FleetOptions): Promise<WorkerFleet> {
  const prefix = `fa-bench-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    FLATFILE_API_URL: options.url,
    FLATFILE_TOKEN: options.token,
    AUDIT_DB: '/nonexistent/unused.db',
    AUDIT_DATABASE_URL: options.postgres.url,
    AUDIT_DATABASE_SCHEMA: options.postgres.schema,
    REDIS_URL: options.redisUrl,
    AUDIT_QUEUE_PREFIX: prefix,
    AUDIT_WORKER_CONCURRENCY: String(options.jobsPerWorker),
    // The schedule must not fire during a measurement: once a year, at a moment no bench is near.
    AUDIT_SYNC_CRON: '0 3 29 2 *',
  };
  const config = loadConfig(env);
  const handle = await openQueue(config.worker);
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const exits: Array<Promise<void>> = [];
  for (let i = 0; i < options.workers; i++) {
    const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => logs.push(`[worker ${i + 1}] ${chunk.toString().slice(0, 2000)}`);
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
    children.push(child);
  }
  const stop = async (): Promise<void> => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(exits);
    await handle.queue.obliterate({ force: true }).catch(() => undefined);
    await handle.close();
  };
  try {
    await waitForWorkers(handle, options.workers, children, logs);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    syncAccount: () => syncAccount(handle, prefix, children, logs),
    stop,
  };
}

async function waitForWorkers(handle: QueueHandle, count: number, children: ChildProcess[], logs: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await handle.queue.getWorkers()).length < count) {
    if (children.some((c) => c.exitCode !== null)) throw new Error(`a worker exited while starting:\n${logs.join('').slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`only ${(await handle.queue.getWorkers()).length} of ${count} workers connected within a minute:\n${logs.join('').slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function syncAccount(handle: QueueHandle, prefix: string, children: ChildProcess[], logs: string[]): Promise<FleetRun> {
  const events = new QueueEvents(QUEUE_NAME, { connection: handle.redis.duplicate(), prefix });
  try {
    await events.waitUntilReady();
    const started = performance.now();
    const job = await handle.queue.add(JOB.account, { trigger: 'manual' });
    const fanOut = (await job.waitUntilFinished(events, SETTLE_MS)) as AccountJobResult;
    await Promise.all(
      fanOut.jobs.map(async (child) => {
        const childJob = await Job.fromId(handle.queue, child.id);
        if (!childJob) throw new Error(`job ${child.id} (${child.name}) is no longer in the queue`);
        await childJob.waitUntilFinished(events, SETTLE_MS);
      }),
    ).catch((error: unknown) => {
      throw new Error(`a job of the account sync failed: ${(error as Error).message}\n${logs.join('').slice(-3000)}`);
    });
    const wallS = (performance.now() - started) / 1000;
    return { wallS, jobs: fanOut.jobs.length + 1, peakRssMb: children.map((c) => peakRssMb(c.pid)) };
  } finally {
    await events.close();
  }
}

/** The process's high-water mark of resident memory (Linux: VmHWM in /proc/<pid>/status). */
function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}
