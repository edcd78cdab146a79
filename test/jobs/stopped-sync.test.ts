/**
 * A stopped sync is loud: stale data, a schedule gone from Redis and a paused queue turn /healthz
 * red, and every worker puts a missing schedule back by itself. Real worker processes, real Redis.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { SCHEDULER_ID } from '../../jobs/queue.js';
import { health, loggedOpsUrl, metricValue, scrape } from '../helpers/ops.js';
import { PrivateRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inProcessWorker, testQueue, triggerAccountSync, triggerAccountSyncSettled, workerEnv, workerProcess } from '../helpers/worker.js';

const CRON = '0 0 1 1 *';

async function startWorker(redisUrl: string, extra: Record<string, string> = {}) {
  const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 20 } });
  const prefix = redisUrl === SHARED_REDIS_URL ? uniquePrefix() : 'stopped';
  const worker = await workerProcess(workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl, prefix, extra: { AUDIT_HTTP_PORT: '0', AUDIT_SYNC_CRON: CRON, ...extra } }));
  const { queue, events } = await testQueue(redisUrl, prefix);
  return { sim, worker, base: loggedOpsUrl(worker.logs())!, queue, events };
}

describe('/healthz turns red', () => {
  it('when an environment has not synced successfully for longer than AUDIT_STALE_AFTER, naming its age', async () => {
    const { sim, base, queue, events } = await startWorker(SHARED_REDIS_URL, { AUDIT_STALE_AFTER: '15s', AUDIT_MAX_RETRIES: '0', AUDIT_JOB_ATTEMPTS: '1' });
    await triggerAccountSync(queue, events);
    const fresh = await health(base);
    expect(fresh.status).toBe(200);
    expect(fresh.body.staleAfterS).toBe(15);

    // From now on every events listing answers 503: the runs go on, and fail.
    sim.setFaults({ error5xxRate: 1, only: /\/events/ });
    await triggerAccountSyncSettled(queue, events);
    const stale = await waitFor('/healthz to turn 503', async () => {
      const answer = await health(base);
      return answer.status === 503 && answer.body.environments.every((e) => e.stale) ? answer : undefined;
    }, 40_000, 250);
    const names = new Map(sim.environments().map((e) => [e.id, e.name]));
    expect(stale.body.ok).toBe(false);
    expect(stale.body.reasons).toHaveLength(2);
    for (const environment of stale.body.environments) {
      expect(environment).toEqual({ id: environment.id, name: names.get(environment.id), ageS: expect.any(Number), failing: true, stale: true });
      expect(environment.ageS).toBeGreaterThanOrEqual(15);
      expect(stale.body.reasons).toContainEqual(expect.stringMatching(new RegExp(`^environment "${names.get(environment.id)}" \\(${environment.id}\\): last successful sync \\d+ s ago \\(stale after 15 s\\)$`)));
    }
    expect([stale.body.redis, stale.body.database, stale.body.schedule, stale.body.queue]).toEqual(Array(4).fill({ ok: true }));

    // A successful run turns it green again.
    sim.setFaults({ error5xxRate: 0 });
    await triggerAccountSync(queue, events);
    expect((await health(base)).status).toBe(200);
  });

  it('when the queue is paused, and when the schedule is gone', async () => {
    // The watchdog is slowed right down, so that the missing schedule stays missing while we look.
    const { base, queue } = await startWorker(SHARED_REDIS_URL, { AUDIT_WATCHDOG_INTERVAL: '1h' });
    expect((await health(base)).status).toBe(200);

    await queue.pause();
    let answer = await health(base);
    expect(answer.status).toBe(503);
    expect(answer.body.reasons).toEqual(['queue: paused']);
    await queue.resume();
    expect((await health(base)).status).toBe(200);

    expect(await queue.removeJobScheduler(SCHEDULER_ID)).toBe(true);
    answer = await health(base);
    expect(answer.status).toBe(503);
    expect(answer.body.reasons).toEqual(['schedule: missing from Redis']);
  });
});

describe('the schedule watchdog', () => {
  it('puts back a schedule deleted under a running worker, with a warning and a counter', async () => {
    const { worker, base, queue } = await startWorker(SHARED_REDIS_URL, { AUDIT_WATCHDOG_INTERVAL: '200ms' });
    expect(metricValue(await scrape(base), 'flatfile_audit_schedule_missing_total')).toBe(0);
    expect(await queue.removeJobScheduler(SCHEDULER_ID)).toBe(true);
    const back = await waitFor('the schedule to come back', () => queue.getJobScheduler(SCHEDULER_ID));
    expect(back.pattern).toBe(CRON);
    await waitFor('the counter to rise', async () => (metricValue(await scrape(base), 'flatfile_audit_schedule_missing_total') ?? 0) >= 1);
    expect(worker.logs()).toContain('the schedule was missing from Redis');
    expect((await health(base)).status).toBe(200);
  });

  it('puts the schedule back after FLUSHALL under a running worker', async () => {
    const redis = await PrivateRedis.start();
    const { worker, base, queue } = await startWorker(redis.url, { AUDIT_WATCHDOG_INTERVAL: '200ms' });
    const admin = new Redis(redis.url);
    try {
      expect(await admin.flushall()).toBe('OK');
    } finally {
      admin.disconnect();
    }
    const back = await waitFor('the schedule to come back', () => queue.getJobScheduler(SCHEDULER_ID));
    expect(back.pattern).toBe(CRON);
    expect(worker.logs()).toContain('the schedule was missing from Redis');
    expect(metricValue(await scrape(base), 'flatfile_audit_schedule_missing_total')).toBeGreaterThanOrEqual(1);
  });
});

describe("Redis's maxmemory-policy", () => {
  async function workerLogsOn(redis: PrivateRedis) {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const { logs } = await inProcessWorker(workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: redis.url, prefix: 'policy' }));
    return logs.text;
  }

  it('is warned about loudly at start unless it is noeviction', async () => {
    const logs = await workerLogsOn(await PrivateRedis.start(['--maxmemory-policy', 'allkeys-lru']));
    const line = logs.split('\n').find((l) => l.includes('maxmemory-policy is'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', maxmemoryPolicy: 'allkeys-lru', msg: expect.stringContaining('set it to "noeviction"') });
  });

  it('is said to be unchecked when Redis refuses CONFIG, as managed ones do', async () => {
    const logs = await workerLogsOn(await PrivateRedis.start(['--rename-command', 'CONFIG', '']));
    expect(logs).toContain('could not check Redis maxmemory-policy');
  });

  it('passes silently when it is noeviction', async () => {
    const logs = await workerLogsOn(await PrivateRedis.start(['--maxmemory-policy', 'noeviction']));
    expect(logs).toContain('worker started');
    expect(logs).not.toContain('maxmemory-policy');
  });
});
