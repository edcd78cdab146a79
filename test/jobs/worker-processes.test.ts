/**
 * Workers as real processes: two side by side, one killed with SIGKILL mid-job, one stopped with
 * SIGTERM, and Redis itself restarted mid-run. Each case ends by comparing the database with the
 * simulator's ground truth.
 */
import { describe, expect, it } from 'vitest';
import { SCHEDULER_ID } from '../../jobs/queue.js';
import { PrivateRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { runCli } from '../helpers/cli.js';
import { auditInvariants, readDb, storedEventIds } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';

const slowAccount = { account: { environments: 4, eventsPerEnvironment: 300 }, faults: { latencyMs: 15 } };
const pagesOf10 = { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20' };

function storedCount(dbPath: string): number {
  try {
    return readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
  } catch {
    return 0;
  }
}

describe('worker processes', () => {
  it('two workers side by side store exactly what one would, each environment once per run', async () => {
    const { url, sim } = await simulator(slowAccount);
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    // One job at a time each, so that while one worker is busy the other must take the next job.
    const env = workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { ...pagesOf10, AUDIT_WORKER_CONCURRENCY: '1' } });
    const [a, b] = await Promise.all([workerProcess(env), workerProcess(env)]);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const { results } = await triggerAccountSync(queue, events, 90_000);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(auditInvariants(dbPath)).toEqual({ events: 1200, auditRows: 1200, distinctAuditEvents: 1200, cursorsAhead: 0 });
    const perEnvironment = readDb(dbPath, (db) => db.prepare("SELECT scope, COUNT(*) AS runs FROM sync_runs WHERE scope LIKE 'us_env_%' GROUP BY scope").all() as Array<{ runs: number }>);
    expect(perEnvironment).toHaveLength(4);
    expect(perEnvironment.every((r) => r.runs === 1)).toBe(true);
    // Both processes took part (the jobs were shared out), yet nothing was stored twice.
    expect(a.logs().includes('"environment synced"') && b.logs().includes('"environment synced"')).toBe(true);
    expect(results.filter((r) => r.environmentId).reduce((n, r) => n + (r.result.newEvents as number), 0)).toBe(1200);
  });

  it('a worker killed with SIGKILL mid-job: another takes the stalled job over and the data ends complete', async () => {
    const { url, sim } = await simulator(slowAccount);
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const env = workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { ...pagesOf10, AUDIT_WORKER_CONCURRENCY: '4', AUDIT_JOB_LOCK: '3s' } });
    const victim = await workerProcess(env);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const run = triggerAccountSync(queue, events, 90_000);
    await waitFor('the first worker to be mid-run', () => storedCount(dbPath) >= 200, 30_000, 10);
    victim.child.kill('SIGKILL');
    await victim.done;
    expect(storedCount(dbPath)).toBeLessThan(1200);
    const rescuer = await workerProcess(env);
    await run;
    expect(rescuer.logs()).toContain('"environment synced"');
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(auditInvariants(dbPath)).toEqual({ events: 1200, auditRows: 1200, distinctAuditEvents: 1200, cursorsAhead: 0 });
  });

  it('SIGTERM: stops within the bound, exits 0, and the interrupted jobs finish on another worker', async () => {
    const { url, sim } = await simulator(slowAccount);
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const env = workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { ...pagesOf10, AUDIT_SHUTDOWN_TIMEOUT: '5s' } });
    const first = await workerProcess(env);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const run = triggerAccountSync(queue, events, 90_000);
    await waitFor('the worker to be mid-run', () => storedCount(dbPath) >= 200, 30_000, 10);
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.done;
    expect(exit.code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(exit.stderr).toContain('"worker stopped"');
    expect(await queue.getWaitingCount()).toBeGreaterThan(0); // the interrupted jobs went back, not to failed
    expect(await queue.getFailedCount()).toBe(0);
    await workerProcess(env);
    await run;
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(auditInvariants(dbPath).cursorsAhead).toBe(0);
  });

  it('Redis restarted mid-run: the worker reconnects by itself and the run completes exactly', async () => {
    const { url, sim } = await simulator(slowAccount);
    const redis = await PrivateRedis.start();
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const env = workerEnv({ apiUrl: url, dbPath, redisUrl: redis.url, prefix, extra: pagesOf10 });
    const worker = await workerProcess(env);
    // Redis keeps nothing on disk here, so the restart loses the queue: the next trigger starts over
    // from the cursors in SQLite, which is the durable state.
    const queueBefore = await testQueue(redis.url, prefix);
    void triggerAccountSync(queueBefore.queue, queueBefore.events, 90_000).catch(() => undefined);
    await waitFor('the worker to be mid-run', () => storedCount(dbPath) >= 200, 30_000, 10);
    await redis.stop();
    await sleep(1500);
    await redis.start();
    await waitFor('the worker to reconnect', () => worker.logs().includes('redis connection back'), 20_000);
    const queueAfter = await testQueue(redis.url, prefix);
    // The restarted Redis came back empty; the worker must have put its schedule back.
    await waitFor('the schedule to be registered again', () => queueAfter.queue.getJobScheduler(SCHEDULER_ID), 10_000);
    await triggerAccountSync(queueAfter.queue, queueAfter.events, 90_000);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(auditInvariants(dbPath)).toEqual({ events: 1200, auditRows: 1200, distinctAuditEvents: 1200, cursorsAhead: 0 });
    expect(worker.child.exitCode).toBeNull();
  });

  it('sync (without --once) asks the running worker and follows each environment', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 50 } });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const env = workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix });
    await workerProcess(env);
    const result = await runCli(['sync'], env);
    expect(result.code, result.stderr).toBe(0);
    for (const e of sim.environments()) expect(result.stdout).toMatch(new RegExp(`ok\\s+${e.name} \\(${e.id}\\): 50 new events`));
    expect(result.stdout).toMatch(/users \(account directory\): \d+ users/);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    const status = await runCli(['status'], env);
    expect(status.stdout).toMatch(/queue: 1 worker\(s\) connected; next scheduled run 20\d\d-/);
  });

  it('sync (without --once) says plainly when no worker is running', async () => {
    const prefix = uniquePrefix();
    const result = await runCli(['sync'], { REDIS_URL: SHARED_REDIS_URL, AUDIT_QUEUE_PREFIX: prefix, AUDIT_DB: tempDbPath() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^flatfile-audit: no flatfile-audit worker is connected to this queue/);
  });
});
