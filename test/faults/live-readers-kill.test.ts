/**
 * Case 10: `sync --once` SIGKILLed while readers in other processes watch it. Whatever a reader saw
 * was committed to the file itself (not to a WAL only the writer could see), so it is all still
 * there after the kill; the file is sound and the next run ends exact.
 */
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { countWithSqliteCli, startReader } from '../helpers/reader-process.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { cliEnv } from './helpers/cli-runs.js';
import { exactTally, tally } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';

printSummaryAfterAll();

describe('readers while the writer is killed', () => {
  it('SIGKILL mid-run: everything a reader saw is still in the file, integrity ok, the rerun is exact', async () => {
    const record = faultCase('10 SIGKILL under live readers');
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 400 }, faults: { latencyMs: 15 } });
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20', AUDIT_CONCURRENCY: '1' });
    const reader = startReader(dbPath, 30);
    const { child, done } = startCli(['sync', '--once'], env);
    const total = sim.eventCount();
    // Well past the first commits of the writer thread, where the old bug froze what readers saw.
    await reader.seen(Math.floor(total / 2), 30_000);
    child.kill('SIGKILL');
    const killed = await done;
    record.runs += 1;
    expect(killed.signal).toBe('SIGKILL');
    await reader.stop();
    const seen = reader.maxCount();
    const after = await countWithSqliteCli(dbPath);
    expect(after.count).toBeGreaterThanOrEqual(seen);
    expect(after.count).toBeLessThan(total);
    expect(tally(dbPath, sim).integrity).toBe('ok');

    const rerun = await runCli(['sync', '--once'], env);
    record.runs += 1;
    expect(rerun.code, rerun.stderr).toBe(0);
    record.tally = tally(dbPath, sim);
    record.note = `a reader saw ${seen} of ${total} before the kill, ${after.count} in the file after it; rerun exact`;
    expect(record.tally).toEqual(exactTally(total));
  });
});
