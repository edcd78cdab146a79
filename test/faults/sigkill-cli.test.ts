/**
 * Case 1: `sync --once` SIGKILLed at 20 seeded random moments on one database (before its first
 * request, mid-listing, after the events while inventories and the run record are written), with
 * new and late events arriving between runs. After them a normal run must leave the file consistent
 * with nothing of the history missing, and the run after it exactly the ground truth (case 1b: why
 * one run is not enough yet).
 */
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { sleep } from '../helpers/wait.js';
import { cliEnv, FAULT_SEED, seeded } from './helpers/cli-runs.js';
import { crashState } from './helpers/crash-state.js';
import { exactTally, storedCount, tally, withReader } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';

printSummaryAfterAll();

const KILLS = 20;
type Phase = 'startup' | 'events' | 'after events';

describe('SIGKILL of sync --once', () => {
  it(`${KILLS} kills at seeded random moments, each followed by more runs, end exact`, async () => {
    const record = faultCase(`1 SIGKILL sync --once x${KILLS}`);
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 400 }, faults: { latencyMs: 25 } });
    const dbPath = tempDbPath();
    const environmentIds = sim.environments().map((e) => e.id);
    const random = seeded(FAULT_SEED);
    const kills: Array<{ phase: Phase; storedAtKill: number; listingsInProgress: number }> = [];
    let completedRuns = 0;
    const addedIds = new Set<string>();

    while (kills.length < KILLS) {
      expect(record.runs, 'too many runs finished before their kill landed').toBeLessThan(KILLS * 2);
      // Every draw of this round up front: the sequence of choices never depends on timing.
      const [mode, share, jitter, batch, adds, where, late] = Array.from({ length: 7 }, random) as [number, number, number, number, number, number, number];
      // Batches of 1, 10 or 50 rows: a kill meets page-sized and multi-page transactions.
      const env = cliEnv(url, dbPath, { AUDIT_PAGE_SIZE: '10', AUDIT_CONCURRENCY: '2', AUDIT_WRITE_BATCH: ['1', '10', '50'][Math.floor(batch * 3)]! });
      const before = storedCount(dbPath);
      const total = sim.eventCount();
      const { child, done } = startCli(['sync', '--once'], env);
      record.runs += 1;
      const alive = () => child.exitCode === null && child.signalCode === null;
      let phase: Phase;
      if (mode < 0.2) {
        // Around the start: module loading, opening and migrating the file, listing environments and users.
        phase = 'startup';
        await sleep(600 + jitter * 900);
      } else if (mode < 0.85) {
        // Once a random share (up to 40 %) of what is left is stored, plus a few ms: mid-request, mid-commit, between pages.
        phase = 'events';
        const target = before + Math.max(1, Math.floor(share * 0.4 * (total - before)));
        while (alive() && storedCount(dbPath) < target) await sleep(5);
        await sleep(jitter * 30);
      } else {
        // Every event is in: spaces, guests, agents and the run record are being written.
        phase = 'after events';
        while (alive() && storedCount(dbPath) < total) await sleep(5);
        await sleep(jitter * 150);
      }
      if (alive()) child.kill('SIGKILL');
      const result = await done;
      if (result.signal === 'SIGKILL') {
        const state = crashState(dbPath);
        kills.push({ phase, storedAtKill: state.stored, listingsInProgress: state.listingsInProgress });
        expect({ integrity: state.integrity, cursorsAhead: state.cursorsAhead }, `after kill ${kills.length} (${phase})`).toEqual({ integrity: 'ok', cursorsAhead: 0 });
      } else {
        expect(result.code, result.stderr).toBe(0); // it finished before the kill could land
        completedRuns += 1;
      }
      // Life goes on between runs: new events, and now and then late ones inside the lookback window.
      if (adds < 0.6) {
        const environmentId = environmentIds[Math.floor(where * environmentIds.length)]!;
        const createdAt = late < 0.3 ? new Date(sim.clock().getTime() - 5 * 60_000) : undefined;
        for (const e of sim.addEvents(environmentId, 1 + Math.floor(adds * 20), createdAt ? { createdAt } : {})) addedIds.add(e.id);
      }
    }

    // Recovery. The first normal run resumes the listings the last kill interrupted; as the README
    // says, events that appeared meanwhile in front of a resumed (newest-first) listing wait for the
    // next run's lookback (case 1b). So: one run that must leave everything consistent, then one more
    // that must be exact.
    const normal = cliEnv(url, dbPath, { AUDIT_PAGE_SIZE: '10', AUDIT_CONCURRENCY: '2' });
    const recovery = await startCli(['sync', '--once'], normal).done;
    record.runs += 1;
    expect(recovery.code, recovery.stderr).toBe(0);
    const afterRecovery = tally(dbPath, sim);
    expect({ duplicated: afterRecovery.duplicated, extra: afterRecovery.extra, cursorsAhead: afterRecovery.cursorsAhead, integrity: afterRecovery.integrity, unresolvedActors: afterRecovery.unresolvedActors })
      .toEqual({ duplicated: 0, extra: 0, cursorsAhead: 0, integrity: 'ok', unresolvedActors: 0 });
    expect(afterRecovery.auditRows).toBe(afterRecovery.stored);
    // Whatever is still missing arrived during the kills; nothing of the history the crashed runs were reading.
    const storedIds = new Set(withReader(dbPath, (db) => db.prepare('SELECT id FROM events').pluck().all() as string[]));
    expect(sim.eventIds().filter((id) => !storedIds.has(id) && !addedIds.has(id))).toEqual([]);
    const next = await startCli(['sync', '--once'], normal).done;
    record.runs += 1;
    expect(next.code, next.stderr).toBe(0);
    record.tally = tally(dbPath, sim);
    const byPhase = (p: Phase) => kills.filter((k) => k.phase === p).length;
    const midListing = kills.filter((k) => k.listingsInProgress > 0).length;
    const orphans = crashState(dbPath).runsLeftRunning;
    record.note = `exact; ${afterRecovery.missing} missing after the 1st recovery run; ${kills.length} kills (${byPhase('startup')} startup, ${byPhase('events')} mid-events, ${byPhase('after events')} after events; ${midListing} left a listing to resume), ${completedRuns} runs finished first, seed ${FAULT_SEED}; ${orphans} sync_runs left 'running'`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
    expect(withReader(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM sync_cursors WHERE listing_next_page IS NOT NULL').pluck().get())).toBe(0);
    // The kills really were spread over the run: many landed mid-listing, and stored counts at the kills differ widely.
    expect(midListing).toBeGreaterThanOrEqual(5);
    expect(new Set(kills.map((k) => k.storedAtKill)).size).toBeGreaterThanOrEqual(10);
  });

  // The run after a crash resumes the interrupted listing at its page. The API lists newest first,
  // so events created while the process was down sit in front of that page, where the resumed
  // listing never looks: the sync follows a resumed listing with a fresh one from the new
  // high-water mark, so the first run after a crash is as complete as any other.
  it('the first run after a crash also stores the events created while the process was down', async () => {
    const record = faultCase('1b recovery run sees events made while down');
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 300 }, faults: { latencyMs: 5 } });
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '1' });
    const { child, done } = startCli(['sync', '--once'], env);
    let pages = 0;
    sim.onEventsRequest = () => {
      if (++pages === 12) child.kill('SIGKILL'); // a kill at a known point of the listing, not at a random one
    };
    const crashed = await done;
    record.runs += 1;
    sim.onEventsRequest = undefined;
    const resumeAt = withReader(dbPath, (db) => db.prepare('SELECT listing_next_page FROM sync_cursors').pluck().get() as number | null);
    sim.addEvents(sim.environments()[0]!.id, 10); // while nothing runs
    const recovery = await runCli(['sync', '--once'], env);
    record.runs += 1;
    expect(crashed.signal).toBe('SIGKILL');
    expect(resumeAt ?? 0).toBeGreaterThan(1); // the kill really left a listing to resume
    expect(recovery.code, recovery.stderr).toBe(0);
    record.tally = tally(dbPath, sim);
    record.note = `${record.tally.missing} created while down missing after the recovery run (exit 0, resumed at page ${resumeAt}), then a fresh listing from the new high-water mark`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });
});
