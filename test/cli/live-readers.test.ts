/**
 * What an analyst sees from another process while `sync --once` writes: every commit, as it lands.
 * A reader opens, reads and closes the file all through the run; before the run may exit it must
 * have seen every event, and the writer must never be left holding an unlinked -wal or -shm
 * (issue 10: a descriptor closed outside SQLite dropped the writer's locks, the next reader to close
 * checkpointed and deleted the WAL under it, and readers saw the trail frozen until the writer exited).
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { holdRequests } from '../helpers/hold.js';
import { startReader, unlinkedDatabaseFiles } from '../helpers/reader-process.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { storedEventIds } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

describe('a reader in another process while sync --once runs', () => {
  it('sees the count rise during the run and reach the total before the writer exits; no file is held unlinked', async () => {
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 300 }, faults: { latencyMs: 15 } });
    const dbPath = tempDbPath();
    const last = sim.environments().at(-1)!.id;
    // One environment at a time, so the run's last request is the last environment's agents listing,
    // which comes after every event is stored: held there, the writer is alive with all its commits made.
    const hold = holdRequests(sim, (r) => r.path === '/agents' && r.query.get('environmentId') === last);
    const reader = startReader(dbPath, 40);
    const { child, done } = startCli(['sync', '--once'], {
      FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, LOG_LEVEL: 'silent',
      AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20', AUDIT_CONCURRENCY: '1',
    });
    const total = sim.eventCount();
    await hold.arrived;
    expect(child.exitCode).toBeNull();
    const sample = await reader.seen(total, 20_000);
    expect(sample.count).toBe(total);
    expect(unlinkedDatabaseFiles(child.pid!, dbPath)).toEqual([]);
    hold.release();
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    await reader.stop();

    // The reader watched it grow: it saw counts strictly between 0 and the total, never going down.
    const counts = reader.samples.flatMap((s) => (s.count === undefined ? [] : [s.count]));
    expect(counts.filter((c) => c > 0 && c < total).length).toBeGreaterThan(3);
    expect(counts.every((c, i) => i === 0 || c >= counts[i - 1]!)).toBe(true);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('the file is still created 0600 in a 0700 directory', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 20 } });
    const dbPath = `${tempDbPath().replace(/audit\.db$/, '')}new/dir/audit.db`;
    const { done } = startCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, LOG_LEVEL: 'silent' });
    expect((await done).code).toBe(0);
    expect(statSync(dbPath).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(dbPath)).mode & 0o777).toBe(0o700);
  });
});
