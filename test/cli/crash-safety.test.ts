/**
 * Crash safety with real processes: the CLI is SIGKILLed at many moments of a sync, each time on
 * the same database, then a normal run must leave exactly what an uninterrupted sync leaves.
 */
import { describe, expect, it } from 'vitest';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { runCli, startCli } from '../helpers/cli.js';
import { auditInvariants, readDb, storedEventIds } from '../helpers/sync.js';
import { seeded } from '../helpers/seeded.js';
import { tempDbPath } from '../helpers/temp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function storedCount(dbPath: string): number {
  try {
    return readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
  } catch {
    return 0; // not created or not migrated yet
  }
}

describe('SIGKILL at any moment, then a normal run', () => {
  it.each([
    ['page-sized transactions', '1'],
    ['batched transactions', '100'],
  ])('ends exactly like an uninterrupted sync (%s)', async (_name, batch) => {
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 400 }, faults: { latencyMs: 10 } });
    const dbPath = tempDbPath();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, AUDIT_PAGE_SIZE: '10', AUDIT_CONCURRENCY: '2', AUDIT_WRITE_BATCH: batch, LOG_LEVEL: 'silent' };
    const random = seeded(Number(batch) + 42);
    let killed = 0;
    let sawInterruptedListing = false;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const { child, done } = startCli(['sync', '--once'], env);
      // Kill once a random part (up to a third) of what is left is stored, plus a random few
      // milliseconds, so the kills spread over the run and land anywhere: mid-request,
      // mid-transaction, between pages.
      const stored = storedCount(dbPath);
      const target = stored + Math.floor(random() * 0.35 * (1200 - stored));
      const lateByMs = random() * 30;
      while (child.exitCode === null && storedCount(dbPath) < target) await sleep(5);
      await sleep(lateByMs);
      if (child.exitCode === null && child.kill('SIGKILL')) killed += 1;
      const result = await done;
      if (result.signal !== 'SIGKILL') continue;
      sawInterruptedListing ||= readDb(dbPath, (db) => (db.prepare('SELECT COUNT(*) FROM sync_cursors WHERE listing_next_page IS NOT NULL').pluck().get() as number) > 0);
      expect(auditInvariants(dbPath).cursorsAhead).toBe(0);
    }
    expect(killed).toBeGreaterThanOrEqual(4);
    expect(sawInterruptedListing).toBe(true);
    sim.addEvents(sim.environments()[1]!.id, 7); // life goes on between the crashes and the recovery run
    const final = await runCli(['sync', '--once'], env);
    expect(final.code, final.stderr).toBe(0);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    const invariants = auditInvariants(dbPath);
    expect(invariants).toEqual({ events: 1207, auditRows: 1207, distinctAuditEvents: 1207, cursorsAhead: 0 });
    expect(readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM sync_cursors WHERE listing_next_page IS NOT NULL').pluck().get())).toBe(0);
    // The crashes left no broken link in the tamper-evidence chain either.
    const verify = await runCli(['verify'], env);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/ok: 1207 events verified/);
  });
});
