/**
 * Case 5: the disk fills up during a sync. The CLI runs under a file-size limit (RLIMIT_FSIZE, set
 * with `ulimit -f` in a bash wrapper, SIGXFSZ ignored) so that writes past it fail with EFBIG, which
 * SQLite reports as a full disk: no root, no mount. The run must stop with a non-zero exit and one
 * clear line, the file must stay consistent, and a run after the space is back must be exact.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { cliEnv, plainLines, runCliWithFileLimit } from './helpers/cli-runs.js';
import { crashState } from './helpers/crash-state.js';
import { exactTally, tally, withReader } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';

printSummaryAfterAll();

const account = { account: { environments: 3, eventsPerEnvironment: 400 }, faults: { latencyMs: 5 } };
const settings = { AUDIT_PAGE_SIZE: '20', AUDIT_WRITE_BATCH: '40' };

describe('disk full', () => {
  it.each([
    // The WAL outgrows the limit after a few hundred events: the failure lands mid-sync.
    ['mid-sync', 1024, true],
    // Too small even for the schema: the failure lands while the file is created and migrated.
    ['at the first write', 24, false],
  ])('%s: non-zero exit with one clear line, a consistent file, then an exact run once space is back', async (when, kib, midSync) => {
    const record = faultCase(`5 disk full ${when} (${kib} KiB)`);
    const { url, sim } = await simulator(account);
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, settings);
    const full = await runCliWithFileLimit(['sync', '--once'], env, kib);
    record.runs += 1;
    const lines = plainLines(full.stderr);
    expect(full.signal).toBeNull();
    expect(full.code).toBe(1);
    expect(lines).toHaveLength(1);
    // SQLite reports EFBIG as a disk I/O error (a real ENOSPC reads "database or disk is full").
    expect(lines[0]).toMatch(/^flatfile-audit: .*(disk I\/O error|disk is full)/i);

    const after = crashState(dbPath);
    expect(after.integrity).toBe('ok');
    expect(after.cursorsAhead).toBe(0);
    if (midSync) expect(after.stored).toBeGreaterThan(0); // some pages were committed before the disk filled
    expect(after.stored).toBeLessThan(sim.eventCount());
    if (after.migrated) {
      const partial = tally(dbPath, sim);
      expect({ duplicated: partial.duplicated, extra: partial.extra, auditRows: partial.auditRows }).toEqual({ duplicated: 0, extra: 0, auditRows: partial.stored });
    }
    const lastRun = after.migrated ? withReader(dbPath, (db) => db.prepare('SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1').pluck().get() as string | undefined) : 'no schema yet';

    const next = await runCli(['sync', '--once'], env);
    record.runs += 1;
    expect(next.code, next.stderr).toBe(0);
    record.tally = tally(dbPath, sim);
    record.note = `exact after: full run exit ${full.code} "${lines[0]?.slice(0, 50)}" with ${after.stored} events stored, its run '${lastRun ?? 'none'}'`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  // An operator with the database on its own volume needs the path and what to check, not just
  // SQLite's "disk I/O error".
  it('the disk-full message names the database file it could not write', async () => {
    const record = faultCase('5c disk-full message names the file');
    const { url } = await simulator(account);
    const dbPath = tempDbPath();
    const full = await runCliWithFileLimit(['sync', '--once'], cliEnv(url, dbPath, settings), 640);
    record.runs += 1;
    const lines = plainLines(full.stderr);
    record.note = `the whole message is "${lines[0] ?? ''}"`;
    expect(full.code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(dbPath);
  });
});
