/**
 * The worker's reconcile job (AUDIT_RECONCILE_CRON, AUDIT_RECONCILE_WINDOW) against the simulator
 * over HTTP, a SQLite file and the shared Redis under a unique prefix: the schedule is registered
 * with its cron and zone, a run stores what the incremental sync missed and records its drift
 * (reconcile_runs, the reconcile gauges), the scheduled run does too, and 'off' removes the schedule.
 */
import { describe, expect, it } from 'vitest';
import { RECONCILE_JOB, RECONCILE_SCHEDULER_ID } from '../../jobs/queue.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { metricValue, scrape } from '../helpers/ops.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { readDb, runSync, storedEventIds } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inProcessWorker, testQueue, workerEnv } from '../helpers/worker.js';

const HOUR = 3_600_000;

describe('AUDIT_RECONCILE_CRON and AUDIT_RECONCILE_WINDOW', () => {
  it('are validated at start: daily at 02:43 over 7 days by default, off turns it off', () => {
    expect(loadConfig({}).reconcile).toEqual({ cron: '43 2 * * *', windowMs: 7 * 24 * HOUR });
    expect(loadConfig({ AUDIT_RECONCILE_CRON: 'off', AUDIT_RECONCILE_WINDOW: '36h' }).reconcile).toEqual({ cron: undefined, windowMs: 36 * HOUR });
    for (const bad of ['daily', '61 * * * *']) expect(() => loadConfig({ AUDIT_RECONCILE_CRON: bad })).toThrow(ConfigError);
    for (const bad of ['week', '30s', '-1d']) expect(() => loadConfig({ AUDIT_RECONCILE_WINDOW: bad })).toThrow(ConfigError);
  });

  it('has the worker reconcile on its schedule: the late event stored once, the drift recorded and on /metrics, the cursor left as it was', async () => {
    const { url, sim } = await simulator({ now: new Date(), historyDays: 10, account: { environments: 1, eventsPerEnvironment: 40 } });
    const environmentId = sim.environments()[0]!.id;
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    const cursor = async () => {
      const store = SqliteStore.open(dbPath);
      try {
        return await store.readCursor(environmentId);
      } finally {
        await store.close();
      }
    };
    const missLate = async () => {
      const [late] = sim.addEvents(environmentId, 1, { createdAt: new Date(Date.parse((await cursor())!.highWater!) - 2 * HOUR).toISOString() }).map((e) => e.id);
      await runSync({ url, dbPath });
      expect(storedEventIds(dbPath)).not.toContain(late);
      return late!;
    };
    const drifts = () => readDb(dbPath, (db) => db.prepare('SELECT trigger, late_events AS late, needed_lookback_ms AS needed FROM reconcile_runs ORDER BY id').all());
    const prefix = uniquePrefix();
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);

    // A cron that does not fire during the test, and a run asked for by hand.
    await missLate();
    const before = await cursor();
    const env = workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_RECONCILE_CRON: '0 0 1 1 *', AUDIT_HTTP_PORT: '0', LOG_LEVEL: 'info' } });
    const { running } = await inProcessWorker(env);
    expect(await queue.getJobScheduler(RECONCILE_SCHEDULER_ID)).toMatchObject({ pattern: '0 0 1 1 *', tz: 'UTC' });
    const job = await queue.add(RECONCILE_JOB, { trigger: 'manual' });
    expect(await job.waitUntilFinished(events, 60_000)).toEqual({ environments: 1, lateEvents: 1, failed: [] });
    expect(drifts()).toEqual([{ trigger: 'manual', late: 1, needed: 2 * HOUR }]);
    const metrics = await scrape(running.ops!.url);
    expect(metricValue(metrics, 'flatfile_audit_reconcile_late_events', { environment: environmentId })).toBe(1);
    expect(metricValue(metrics, 'flatfile_audit_reconcile_last_timestamp_seconds', { environment: environmentId })).toBeGreaterThan(0);
    await running.close();

    // Every second: the scheduled run finds the next late event.
    await missLate();
    const { running: scheduled } = await inProcessWorker({ ...env, AUDIT_RECONCILE_CRON: '* * * * * *', AUDIT_HTTP_PORT: '' });
    expect(await queue.getJobScheduler(RECONCILE_SCHEDULER_ID)).toMatchObject({ pattern: '* * * * * *' });
    await waitFor('the scheduled reconcile to record its drift', () => drifts().some((d) => (d as { trigger: string; late: number }).trigger === 'schedule' && (d as { late: number }).late === 1), 60_000);
    await scheduled.close();
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    // The reconciles moved no cursor: only the incremental run before the second worker did (its high water stays, no late event is newer).
    expect({ ...(await cursor()), lastSuccessAt: null }).toEqual({ ...before, lastSuccessAt: null });

    // Off: the next worker removes the schedule.
    const { running: off } = await inProcessWorker({ ...env, AUDIT_RECONCILE_CRON: 'off', AUDIT_HTTP_PORT: '' });
    expect(await queue.getJobScheduler(RECONCILE_SCHEDULER_ID)).toBeUndefined();
    await off.close();
  }, 180_000);
});
