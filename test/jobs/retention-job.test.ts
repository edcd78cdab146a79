/**
 * The worker's retention job (AUDIT_RETENTION): scheduled on its own cron, it archives and prunes
 * what is older than the retention, and the store verifies after; unset, no schedule is left.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RETENTION_SCHEDULER_ID } from '../../jobs/queue.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readArchive, relink } from '../helpers/archive.js';
import { runCli } from '../helpers/cli.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inProcessWorker, testQueue, workerEnv } from '../helpers/worker.js';
import { complete, events, page } from '../store/contract/fixtures.js';

describe('AUDIT_RETENTION', () => {
  it('is validated at start: a duration of at least a day, unset keeps everything', () => {
    expect(loadConfig({}).retention).toMatchObject({ keepMs: undefined, archive: true, archiveDir: join('data', 'archives') });
    expect(loadConfig({ AUDIT_RETENTION: '400d', AUDIT_DB: '/var/lib/fa/audit.db' }).retention).toMatchObject({ keepMs: 400 * 86_400_000, archiveDir: '/var/lib/fa/archives' });
    for (const bad of ['15m', 'forever', '-3d']) expect(() => loadConfig({ AUDIT_RETENTION: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ AUDIT_RETENTION: '30d', AUDIT_RETENTION_CRON: 'daily' })).toThrow(ConfigError);
  });

  it('makes the worker prune on its schedule, into an archive that relinks to the cut; the store verifies', async () => {
    const dbPath = tempDbPath();
    const store = SqliteStore.open(dbPath);
    try {
      // Created in October 2026, synced up to November: with a retention of 30 days from today, the October events go.
      await store.writePages([page('us_env_a', events('us_env_a', 1, 300), complete('2026-11-01T00:00:00.000Z'))]);
    } finally {
      await store.close();
    }
    const prefix = uniquePrefix();
    const archiveDir = join(tempDir(), 'archives');
    const env = workerEnv({
      apiUrl: 'http://127.0.0.1:9', dbPath, redisUrl: SHARED_REDIS_URL, prefix,
      extra: { AUDIT_RETENTION: '1d', AUDIT_RETENTION_CRON: '* * * * * *', AUDIT_ARCHIVE_DIR: archiveDir, LOG_LEVEL: 'info' },
    });
    const { running, logs } = await inProcessWorker(env);
    const { queue } = await testQueue(SHARED_REDIS_URL, prefix);
    expect(await queue.getJobScheduler(RETENTION_SCHEDULER_ID)).toBeDefined();
    await waitFor('the retention job to prune', () => readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM chain_cuts').pluck().get() as number) > 0, 60_000);
    await waitFor('the job to log its result', () => logs.lines.map((l) => JSON.parse(l) as { msg?: string; pruned?: number }).some((l) => l.msg === 'retention prune done' && l.pruned === 299), 30_000);
    await running.close();

    expect(readDb(dbPath, (db) => db.prepare('SELECT chain_seq FROM events').pluck().all())).toEqual([300]);
    const [name] = readdirSync(archiveDir).filter((n) => n.endsWith('.ndjson.gz'));
    const archive = readArchive(join(archiveDir, name!));
    expect(archive.events).toHaveLength(299);
    const cut = readDb(dbPath, (db) => db.prepare('SELECT lower(hex(last_hash)) AS hash, archive, command FROM chain_cuts').get()) as { hash: string; archive: string; command: string };
    expect(relink(archive)).toEqual({ us_env_a: cut.hash });
    expect(cut.archive).toBe(join(archiveDir, name!));
    expect(cut.command).toMatch(/^worker retention job /);
    expect((await runCli(['verify'], { AUDIT_DB: dbPath })).code).toBe(0);

    // Unset, the next worker removes the schedule.
    const { running: second } = await inProcessWorker({ ...env, AUDIT_RETENTION: '' });
    expect(await queue.getJobScheduler(RETENTION_SCHEDULER_ID)).toBeUndefined();
    await second.close();
    expect(existsSync(archiveDir)).toBe(true);
  }, 120_000);
});
