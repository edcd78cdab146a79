/**
 * A worker that keeps running, readers in other processes, and `flatfile-audit sync` asking it for
 * a run: once `sync` says the run is done, a new reader sees every event, while the worker is still
 * up (issue 10: readers saw the trail frozen until the worker exited).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { countWithSqliteCli, startReader, unlinkedDatabaseFiles } from '../helpers/reader-process.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { workerEnv, workerProcess } from '../helpers/worker.js';

describe('readers beside a running worker', () => {
  it('after a queued sync returns, a new reader sees every event while the worker keeps running', async () => {
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 300 }, faults: { latencyMs: 10 } });
    const dbPath = tempDbPath();
    const env = workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix: uniquePrefix(), extra: { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20' } });
    const worker = await workerProcess(env);
    const reader = startReader(dbPath, 30);
    for (let round = 0; round < 2; round += 1) {
      if (round === 1) for (const e of sim.environments()) sim.addEvents(e.id, 25);
      const asked = await runCli(['sync', '--timeout', '60s'], env);
      expect(asked.code, asked.stderr).toBe(0);
      expect(worker.child.exitCode).toBeNull();
      expect((await countWithSqliteCli(dbPath)).count).toBe(sim.eventCount());
      expect(unlinkedDatabaseFiles(worker.child.pid!, dbPath)).toEqual([]);
    }
    await reader.stop();
    expect(reader.samples.filter((s) => s.error !== undefined)).toEqual([]);
  });
});
