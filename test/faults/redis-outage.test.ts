/**
 * Case 3: the worker's Redis (a private redis-server, persisting nothing) is stopped for 10 s in
 * the middle of a run and started again, empty. The worker must survive and reconnect by itself;
 * SQLite holds the durable state, so the next account sync completes exactly. A second case asks
 * what the README promises for the schedule: that a Redis which lost everything only means the
 * next scheduled run starts from the cursors.
 */
import { describe, expect, it } from 'vitest';
import { PrivateRedis, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';
import { exactTally, isExact, storedCount, tally } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';
import { parseLogs } from './helpers/worker-logs.js';

printSummaryAfterAll();

const OUTAGE_MS = 10_000;
const account = { account: { environments: 4, eventsPerEnvironment: 300 }, faults: { latencyMs: 20 } };
const pagesOf10 = { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20' };

describe('Redis stopped for 10 s mid-run', () => {
  it('the worker survives and reconnects; the next account sync completes exactly', async () => {
    const record = faultCase('3 Redis down 10 s mid-run, manual re-run');
    const { url, sim } = await simulator(account);
    const redis = await PrivateRedis.start();
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const worker = await workerProcess(workerEnv({ apiUrl: url, dbPath, redisUrl: redis.url, prefix, extra: pagesOf10 }));

    const before = await testQueue(redis.url, prefix);
    void triggerAccountSync(before.queue, before.events, 120_000).catch(() => undefined); // its jobs die with Redis
    record.runs += 1;
    await waitFor('the worker to be mid-run', () => storedCount(dbPath) >= 200, 30_000, 10);
    await redis.stop();
    const atStop = storedCount(dbPath);
    await sleep(OUTAGE_MS);
    const atRestart = storedCount(dbPath);
    await redis.start();
    await waitFor('the worker to reconnect', () => worker.logs().includes('redis connection back'), 30_000);

    sim.addEvents(sim.environments()[0]!.id, 25); // written while Redis was away, read by the next run
    const after = await testQueue(redis.url, prefix);
    await triggerAccountSync(after.queue, after.events, 120_000);
    record.runs += 1;
    record.tally = tally(dbPath, sim);
    const fatal = parseLogs(worker.logs()).filter((l) => l.level === 'fatal' || l.msg === 'worker stopped unexpectedly');
    record.note = `exact; ${atStop} events at stop, ${atRestart} when Redis came back (the running jobs kept writing), worker alive`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
    expect(worker.child.exitCode).toBeNull();
    expect(fatal).toEqual([]);
  });

  // The schedule lives in Redis (upsertJobScheduler at worker start); a Redis that comes back empty
  // has lost it. BullMQ's worker re-creates it from the scheduled job it holds, and this checks
  // that it does: scheduled syncing resumes by itself, without a worker restart.
  it('the schedule survives: scheduled syncs resume on their own after Redis comes back empty', async () => {
    const record = faultCase('3b Redis down 10 s, schedule resumes');
    const { url, sim } = await simulator(account);
    const redis = await PrivateRedis.start();
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const worker = await workerProcess(workerEnv({ apiUrl: url, dbPath, redisUrl: redis.url, prefix, extra: { ...pagesOf10, AUDIT_SYNC_CRON: '*/2 * * * * *' } }));
    await waitFor('the scheduled run to be under way', () => storedCount(dbPath) >= 200, 30_000, 10);
    await redis.stop();
    await sleep(OUTAGE_MS);
    await redis.start();
    await waitFor('the worker to reconnect', () => worker.logs().includes('redis connection back'), 30_000);
    sim.addEvents(sim.environments()[1]!.id, 25);
    // The cron fires every 2 s: within 20 s a scheduled run must have brought the database up to date.
    const exact = await waitFor('a scheduled run to complete the data', () => isExact(tally(dbPath, sim)), 20_000, 250).catch(() => false);
    record.tally = tally(dbPath, sim);
    const fired = parseLogs(worker.logs()).filter((l) => l.msg === 'fanned out the account sync').length;
    record.runs = fired;
    record.note = `exact; ${fired} scheduled account syncs fired in all, the schedule came back by itself`;
    expect(exact, `no scheduled run completed the data after the restart (${record.tally.missing} events missing; ${fired} account syncs fired in all)`).toBe(true);
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });
});
