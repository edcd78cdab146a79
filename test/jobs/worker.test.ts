/** The scheduled worker against real Redis, the simulator over HTTP and real SQLite files. */
import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME, SCHEDULER_ID, type SyncJobData } from '../../jobs/queue.js';
import { registerSchedule } from '../../jobs/scheduler.js';
import { dumpRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { auditInvariants, readDb, storedEventIds } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inProcessWorker, testQueue, triggerAccountSync, workerEnv } from '../helpers/worker.js';

const account = { environments: 3, eventsPerEnvironment: 150 };

describe('the schedule', () => {
  it('fires the account sync, which syncs every environment', async () => {
    const { url, sim } = await simulator({ account });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    await inProcessWorker(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_SYNC_CRON: '* * * * * *' } }));
    await waitFor('every environment to be synced by the schedule', () => storedEventIds(dbPath).length === sim.eventIds().length, 20_000);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    const runs = readDb(dbPath, (db) => db.prepare("SELECT DISTINCT trigger FROM sync_runs WHERE scope LIKE 'us_env_%'").pluck().all());
    expect(runs).toEqual(['schedule']);
  });

  it('is registered once however often workers start, and a new cron replaces it', async () => {
    const prefix = uniquePrefix();
    const connection = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
    const queues = [0, 1, 2].map(() => new Queue<SyncJobData>(QUEUE_NAME, { connection, prefix }));
    try {
      await Promise.all(queues.map((q) => registerSchedule(q, { cron: '*/5 * * * *', timezone: 'UTC' })));
      await registerSchedule(queues[0]!, { cron: '*/5 * * * *', timezone: 'UTC' });
      const schedulers = await queues[1]!.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.pattern])).toEqual([[SCHEDULER_ID, '*/5 * * * *']]);
      expect(await queues[0]!.getDelayedCount()).toBe(1);
      await registerSchedule(queues[2]!, { cron: '0 3 * * *', timezone: 'Europe/Berlin' });
      const replaced = await queues[0]!.getJobSchedulers();
      expect(replaced.map((s) => [s.key, s.pattern, s.tz])).toEqual([[SCHEDULER_ID, '0 3 * * *', 'Europe/Berlin']]);
      expect(await queues[0]!.getDelayedCount()).toBe(1);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
    }
  });
});

describe('jobs', () => {
  it('fan out one job per environment plus the directory; results carry the counts; Redis holds no secret', async () => {
    const { url, sim } = await simulator({ account });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    await inProcessWorker(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix }));
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const { fanOut, results } = await triggerAccountSync(queue, events);
    expect(fanOut.environments).toBe(3);
    expect(results.map((r) => r.name).sort()).toEqual(['directory-sync', 'environment-sync', 'environment-sync', 'environment-sync']);
    for (const r of results.filter((x) => x.environmentId)) {
      expect(r.result).toMatchObject({ environmentId: r.environmentId, newEvents: 150 });
      expect(r.result.pages).toBeGreaterThan(0);
    }
    expect(results.find((r) => r.name === 'directory-sync')!.result).toMatchObject({ users: sim.users().length });
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(auditInvariants(dbPath).cursorsAhead).toBe(0);

    const dump = await dumpRedis(SHARED_REDIS_URL, prefix);
    expect(dump.length).toBeGreaterThan(100);
    expect(dump).toContain(sim.environments()[0]!.id);
    for (const secret of [TEST_PAT, ...sim.secrets()]) expect(dump.includes(secret), `Redis holds ${secret.slice(0, 6)}…`).toBe(false);
  });

  it('never run two syncs of one environment at once, however often a sync is asked for', async () => {
    const { url } = await simulator({ account, faults: { latencyMs: 20 } });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    await inProcessWorker(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_PAGE_SIZE: '10', AUDIT_WORKER_CONCURRENCY: '8' } }));
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const runs = await Promise.all([triggerAccountSync(queue, events), triggerAccountSync(queue, events), triggerAccountSync(queue, events)]);
    const envJobIds = new Set(runs.flatMap((r) => r.results.filter((x) => x.environmentId).map((x) => x.id)));
    const overlaps = readDb(dbPath, (db) =>
      db.prepare(
        `SELECT COUNT(*) FROM sync_runs a JOIN sync_runs b ON a.scope = b.scope AND a.id < b.id
         WHERE a.scope LIKE 'us_env_%' AND b.started_at < a.finished_at`,
      ).pluck().get(),
    );
    expect(overlaps).toBe(0);
    const envRuns = readDb(dbPath, (db) => db.prepare("SELECT COUNT(*) FROM sync_runs WHERE scope LIKE 'us_env_%'").pluck().get() as number);
    expect(envRuns).toBe(envJobIds.size);
    expect(envRuns).toBeLessThan(9); // the three requests shared jobs instead of running 9
  });

  it('fail fast on a rejected token: no retries, one clear error, data untouched', async () => {
    const { url, sim } = await simulator({ account });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const { logs } = await inProcessWorker(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix }));
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);
    const before = storedEventIds(dbPath);
    sim.revokeToken(TEST_PAT);
    sim.resetStats();
    const job = await queue.add('account-sync', { trigger: 'manual' });
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/rejected the token \(HTTP 401/);
    const failed = (await queue.getJob(job.id!))!;
    expect(failed.attemptsMade).toBe(1);
    expect(sim.stats().requests).toBe(1);
    expect(storedEventIds(dbPath)).toEqual(before);
    expect(logs.lines.filter((l) => l.includes('rejected the token')).length).toBeGreaterThanOrEqual(1);
  });

  it('turn a 429 storm into a slower queue, not burnt attempts, and end with exact data', async () => {
    const { url, sim } = await simulator({ account, faults: { rate429: 0.3, retryAfterS: 0 } });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const { logs } = await inProcessWorker(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_PAGE_SIZE: '25', AUDIT_JOB_ATTEMPTS: '2' } }));
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const { results } = await triggerAccountSync(queue, events, 90_000);
    expect(sim.stats().byStatus['429']).toBeGreaterThan(5);
    const jobs = await Promise.all(results.map((r) => queue.getJob(r.id)));
    // Each 429 sent its job back to the queue through the rate limiter: started again, but no attempt used up.
    expect(jobs.some((job) => job!.attemptsStarted > 1)).toBe(true);
    for (const job of jobs) expect(job!.attemptsMade, `${job!.name} ${job!.failedReason ?? ''} ${job!.stacktrace?.join(' | ') ?? ''}`).toBeLessThanOrEqual(1);
    expect(logs.lines.filter((l) => l.includes('pausing the queue')).length).toBeGreaterThan(0);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });
});
