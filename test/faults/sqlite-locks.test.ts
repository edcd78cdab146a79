/**
 * Case 4: the database file is held by someone else during a sync. A long reader transaction
 * (an analyst's `BEGIN; SELECT …` left open) must not slow or fail the sync (WAL), and must keep
 * its snapshot. A writer lock (`BEGIN IMMEDIATE`) held for less than the busy timeout (10 s) makes
 * the sync wait, then succeed; one held for longer makes it fail cleanly and leaves the file
 * consistent for the next run.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { cliEnv, plainLines } from './helpers/cli-runs.js';
import { exactTally, storedCount, tally, withReader } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';

printSummaryAfterAll();

const account = { account: { environments: 3, eventsPerEnvironment: 300 }, faults: { latencyMs: 10 } };
// Page-sized transactions: the sync commits every few milliseconds, so it meets the lock many times.
const busyWriter = { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '1', AUDIT_CONCURRENCY: '3', AUDIT_REQUEST_TIMEOUT: '30s' };

describe('the SQLite file held by another connection', () => {
  it('a long reader transaction: the sync writes on, nothing fails, the reader keeps its snapshot', async () => {
    const record = faultCase('4a long reader txn during a sync');
    const { url, sim } = await simulator(account);
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, busyWriter);
    const first = await runCli(['sync', '--once'], env);
    record.runs += 1;
    expect(first.code, first.stderr).toBe(0);
    for (const e of sim.environments()) sim.addEvents(e.id, 200);

    const reader = new Database(dbPath);
    try {
      reader.exec('BEGIN');
      const count = reader.prepare('SELECT COUNT(*) FROM events').pluck();
      const snapshot = count.get() as number;
      const { child, done } = startCli(['sync', '--once'], env);
      record.runs += 1;
      const seenInside = new Set<number>();
      const seenOutside = new Set<number>();
      while (child.exitCode === null) {
        seenInside.add(count.get() as number);
        seenOutside.add(storedCount(dbPath));
        await sleep(20);
      }
      const second = await done;
      seenInside.add(count.get() as number);
      expect(second.code, second.stderr).toBe(0);
      expect(reader.inTransaction).toBe(true);
      // The snapshot never moved, while fresh connections watched the sync's commits land one by one.
      expect([...seenInside]).toEqual([snapshot]);
      expect(seenOutside.size).toBeGreaterThan(3);
      expect(storedCount(dbPath)).toBe(snapshot + 600);
      reader.exec('COMMIT');
      expect(count.get()).toBe(snapshot + 600);
      record.note = `exact; reader saw ${snapshot} throughout while others saw ${seenOutside.size} different counts; exit 0`;
    } finally {
      reader.close();
    }
    record.tally = tally(dbPath, sim);
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  it('a writer lock held 4 s (under the 10 s busy timeout): the sync waits, then succeeds', async () => {
    const record = faultCase('4b writer lock 4 s < busy timeout');
    const { url, sim } = await simulator(account);
    const dbPath = tempDbPath();
    const { child, done } = startCli(['sync', '--once'], cliEnv(url, dbPath, busyWriter));
    record.runs += 1;
    await waitFor('the sync to be mid-run', () => storedCount(dbPath) >= 100 || child.exitCode !== null, 30_000, 5);
    const holder = new Database(dbPath, { timeout: 5_000 });
    let atLock: number;
    let atRelease: number;
    try {
      holder.exec('BEGIN IMMEDIATE');
      atLock = storedCount(dbPath);
      await sleep(4_000);
      atRelease = storedCount(dbPath);
      expect(child.exitCode).toBeNull(); // still there, waiting for the lock
      holder.exec('ROLLBACK');
    } finally {
      holder.close();
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(atLock).toBeLessThan(sim.eventCount());
    expect(atRelease).toBe(atLock); // nothing was written while the lock was held
    record.tally = tally(dbPath, sim);
    record.note = `exact; the sync paused at ${atLock} events for the 4 s lock, then finished, exit 0`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  it('a writer lock held past the busy timeout: a clear failure, a consistent file, and the next run is exact', async () => {
    const record = faultCase('4c writer lock 12 s > busy timeout');
    const { url, sim } = await simulator(account);
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, busyWriter);
    const { child, done } = startCli(['sync', '--once'], env);
    record.runs += 1;
    await waitFor('the sync to be mid-run', () => storedCount(dbPath) >= 100 || child.exitCode !== null, 30_000, 5);
    const holder = new Database(dbPath, { timeout: 5_000 });
    try {
      holder.exec('BEGIN IMMEDIATE');
      await sleep(12_000);
      holder.exec('ROLLBACK');
    } finally {
      holder.close();
    }
    const failed = await done;
    const lines = plainLines(failed.stderr);
    expect(failed.code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^flatfile-audit: .*database is locked/);
    // It gave up after the busy timeout, not at once: the run took at least those 10 s.
    expect(Number(/ in ([\d.]+)s\n/.exec(failed.stdout)?.[1])).toBeGreaterThanOrEqual(9.5);
    const afterFailure = withReader(dbPath, (db) => ({
      integrity: db.pragma('integrity_check', { simple: true }),
      run: db.prepare('SELECT status, new_events AS newEvents FROM sync_runs ORDER BY id DESC LIMIT 1').get() as { status: string; newEvents: number },
      stored: db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number,
    }));
    expect(afterFailure.integrity).toBe('ok');
    expect(tally(dbPath, sim).cursorsAhead).toBe(0);

    const next = await runCli(['sync', '--once'], env);
    record.runs += 1;
    expect(next.code, next.stderr).toBe(0);
    record.tally = tally(dbPath, sim);
    record.note = `exact after: locked run exit 1 "${lines[0]?.slice(0, 60)}", its run recorded '${afterFailure.run.status}' with new_events ${afterFailure.run.newEvents} though it had committed ${afterFailure.stored}`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });
});
