/**
 * The worker's scheduled token rotation (AUDIT_PAT_ROTATE_EVERY), against the simulator over HTTP,
 * real Redis (a unique prefix) and a SQLite file: the daily check rotates a token older than the
 * interval and leaves a new one alone; a sync that was running with the old token when it was
 * deleted finishes with the new one; no token value reaches the log, the database or Redis; a token
 * file the worker cannot replace fails the check once, with the metric the alert watches.
 */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { TOKEN_ROTATION_CRON, TOKEN_ROTATION_JOB, TOKEN_ROTATION_SCHEDULER_ID } from '../../jobs/queue.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { metricValue, scrape } from '../helpers/ops.js';
import { freshSchema, pgQuery, testDatabase } from '../helpers/postgres.js';
import { dumpRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { followAccountSync, inProcessWorker, testQueue, workerEnv } from '../helpers/worker.js';

async function accepted(url: string, token: string): Promise<boolean> {
  const response = await fetch(`${url}/environments?pageSize=1`, { headers: { authorization: `Bearer ${token}` } });
  return response.status === 200;
}

function tokenFileIn(dir: string): { tokenFile: string; inFile: () => string } {
  const tokenFile = join(dir, 'flatfile_token');
  writeFileSync(tokenFile, `${TEST_PAT}\n`, { mode: 0o600 });
  return { tokenFile, inFile: () => readFileSync(tokenFile, 'utf8').trim() };
}

const pgDb = testDatabase();

/** Every row of every table of the store, as text: SQLite's files' bytes, or each PostgreSQL row of the schema as text. */
async function storeText(store: { dbPath: string; schema: string | null }): Promise<string> {
  if (store.schema === null) {
    return ['', '-wal', '-shm'].map((suffix) => (existsSync(`${store.dbPath}${suffix}`) ? readFileSync(`${store.dbPath}${suffix}`).toString('latin1') : '')).join('');
  }
  const tables = await pgQuery<{ name: string }>(pgDb, store.schema, 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [store.schema]);
  let text = '';
  for (const { name } of tables) text += (await pgQuery<{ row: string }>(pgDb, store.schema, `SELECT t::text AS row FROM "${name}" t`)).map((r) => r.row).join('\n');
  return text;
}

async function storedEvents(store: { dbPath: string; schema: string | null }, environmentId: string): Promise<number> {
  if (store.schema === null) return readDb(store.dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events WHERE environment_id = ?').pluck().get(environmentId) as number);
  return Number((await pgQuery<{ n: string }>(pgDb, store.schema, 'SELECT COUNT(*) AS n FROM events WHERE environment_id = $1', [environmentId]))[0]!.n);
}

describe('AUDIT_PAT_ROTATE_EVERY', () => {
  it('is validated at start: off by default, a duration of at least a day', () => {
    expect(loadConfig({}).tokens.rotateEveryMs).toBeUndefined();
    expect(loadConfig({ AUDIT_PAT_ROTATE_EVERY: '30d' }).tokens.rotateEveryMs).toBe(30 * 86_400_000);
    for (const bad of ['12h', '30 days', '-1d']) {
      expect(() => loadConfig({ AUDIT_PAT_ROTATE_EVERY: bad })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ AUDIT_PAT_ROTATE_EVERY: '12h' })).toThrow(
      'AUDIT_PAT_ROTATE_EVERY must be a duration of at least 1d, like 30d (unset: the worker never rotates the token), got "12h"',
    );
  });

  it.each(['SQLite', 'PostgreSQL'])('rotates a token older than the interval, once; a sync running with the old token finishes; no token leaks (%s)', async (kind) => {
    // On the real clock, as Flatfile is: the check compares a token's createdAt with the worker's
    // clock, so a simulator whose day began on 2026-11-01 made every new token look 30 days old from 2026-12-01 on.
    const { url, sim } = await simulator({ now: new Date(), account: { environments: 1, eventsPerEnvironment: 60 } });
    const { tokenFile, inFile } = tokenFileIn(tempDir());
    const oldId = sim.personalAccessTokens()[0]!.id; // made 90 days ago, the simulator's only token
    const dbPath = tempDbPath();
    const store = { dbPath, schema: kind === 'PostgreSQL' ? freshSchema() : null };
    const storeEnv: Record<string, string> = store.schema === null ? {} : { AUDIT_DATABASE_URL: pgDb.url, AUDIT_DATABASE_SCHEMA: store.schema };
    const prefix = uniquePrefix();
    const env = workerEnv({
      apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix,
      extra: { ...storeEnv, FLATFILE_TOKEN: '', FLATFILE_TOKEN_FILE: tokenFile, AUDIT_PAT_ROTATE_EVERY: '30d', AUDIT_PAGE_SIZE: '10', AUDIT_HTTP_PORT: '0', LOG_LEVEL: 'trace' },
    });
    const { running, logs } = await inProcessWorker(env);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    expect(await queue.getJobScheduler(TOKEN_ROTATION_SCHEDULER_ID)).toMatchObject({ pattern: TOKEN_ROTATION_CRON, name: TOKEN_ROTATION_JOB });

    // An environment sync that has read the old token is held on its second page of events.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    let pages = 0;
    sim.beforeAnswer = async (r) => {
      if (r.method !== 'GET' || r.path !== '/events' || ++pages !== 2) return undefined;
      arrive();
      await gate;
      return undefined;
    };
    const sync = await queue.add('account-sync', { trigger: 'manual' });
    await arrived;

    const first = await queue.add(TOKEN_ROTATION_JOB, { trigger: 'manual' });
    const rotated = (await first.waitUntilFinished(events, 60_000)) as { outcome: string; deleted: string[]; created: { id: string } };
    expect(rotated.outcome).toBe('rotated');
    expect(rotated.deleted).toEqual([oldId]);
    const newToken = inFile();
    expect(newToken).not.toBe(TEST_PAT);
    expect(await accepted(url, newToken)).toBe(true);
    expect(await accepted(url, TEST_PAT)).toBe(false);
    expect(sim.personalAccessTokens().map((p) => p.id)).toEqual([rotated.created.id]);

    // The held sync goes on: its next request with the old token is refused, it re-reads the file.
    release();
    const { results } = await followAccountSync(queue, events, sync);
    expect(results.map((r) => r.name).sort()).toEqual(['directory-sync', 'environment-sync']);
    const envId = sim.environments()[0]!.id;
    expect(await storedEvents(store, envId)).toBe(sim.events(envId).length);

    // The next check finds the new token young: nothing happens.
    const second = await queue.add(TOKEN_ROTATION_JOB, { trigger: 'manual' });
    expect(await second.waitUntilFinished(events, 60_000)).toMatchObject({ outcome: 'not-due', created: null, deleted: [] });
    expect(inFile()).toBe(newToken);
    expect(sim.personalAccessTokens()).toHaveLength(1);

    const metrics = await scrape(running.ops!.url);
    // The held sync's next page was refused with the old token, and read again with the new one.
    expect(metricValue(metrics, 'flatfile_audit_api_requests_total', { route: 'GET /events', status: '401' })).toBe(1);
    expect(metricValue(metrics, 'flatfile_audit_token_rotation_failing')).toBe(0);
    expect(metricValue(metrics, 'flatfile_audit_token_rotation_checks_total', { outcome: 'rotated' })).toBe(1);
    expect(metricValue(metrics, 'flatfile_audit_token_rotation_checks_total', { outcome: 'not-due' })).toBe(1);
    expect(metricValue(metrics, 'flatfile_audit_token_rotation_last_timestamp_seconds')).toBeGreaterThan(0);
    const status = await runCli(['status', '--no-queue'], { ...storeEnv, AUDIT_DB: dbPath, FLATFILE_API_URL: url, FLATFILE_TOKEN_FILE: tokenFile, AUDIT_PAT_ROTATE_EVERY: '30d' });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^token rotation: every 30d, last check \S+: not-due; last rotated 20\d\d-\S+Z$/m);
    await running.close();

    // Neither token's value is in the log, the database or Redis (keys and job data).
    const stored = await storeText(store);
    expect(stored).toContain(oldId); // the grep sees the store: the token inventory lists the old token, by id
    const redis = await dumpRedis(SHARED_REDIS_URL, prefix);
    expect(logs.text).toContain('scheduled token rotation: FLATFILE_TOKEN_FILE holds a new token');
    expect(logs.lines.length).toBeGreaterThan(20);
    expect(redis).toContain(TOKEN_ROTATION_JOB);
    for (const secret of new Set([TEST_PAT, newToken, ...sim.secrets()])) {
      expect(logs.text).not.toContain(secret);
      expect(stored).not.toContain(secret);
      expect(redis).not.toContain(secret);
      expect(status.stdout + status.stderr).not.toContain(secret);
    }
  }, 120_000);

  it('fails once, with the alert metric set, when the token file cannot be replaced (a systemd credential); unset removes the schedule', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 3 } });
    const dir = tempDir();
    const { tokenFile, inFile } = tokenFileIn(dir);
    const prefix = uniquePrefix();
    const env = workerEnv({
      apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix,
      extra: { FLATFILE_TOKEN: '', FLATFILE_TOKEN_FILE: tokenFile, CREDENTIALS_DIRECTORY: dir, AUDIT_PAT_ROTATE_EVERY: '30d', AUDIT_HTTP_PORT: '0' },
    });
    const { running, logs } = await inProcessWorker(env);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const job = await queue.add(TOKEN_ROTATION_JOB, { trigger: 'schedule' }, { attempts: 1 });
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow('is a systemd credential (LoadCredential=), read-only to this service');
    const failed = await Job.fromId(queue, job.id!);
    expect(failed!.attemptsMade).toBe(1);
    expect(await failed!.getState()).toBe('failed');
    expect(logs.lines.filter((l) => l.includes('"msg":"scheduled token rotation failed: '))).toHaveLength(1);
    expect(metricValue(await scrape(running.ops!.url), 'flatfile_audit_token_rotation_failing')).toBe(1);
    expect(inFile()).toBe(TEST_PAT);
    expect(sim.personalAccessTokens()).toHaveLength(1); // nothing created
    // The scheduler's own jobs get one attempt too: a failure is not retried in a loop.
    expect((await queue.getJobScheduler(TOKEN_ROTATION_SCHEDULER_ID))?.template?.opts).toMatchObject({ attempts: 1 });
    // Another worker on the same queue registers the same one scheduler: one check a day, not two.
    const { running: other } = await inProcessWorker(env);
    expect((await queue.getJobSchedulers()).filter((j) => j.name === TOKEN_ROTATION_JOB).map((j) => j.key)).toEqual([TOKEN_ROTATION_SCHEDULER_ID]);
    await other.close();
    await running.close();

    const { running: second } = await inProcessWorker({ ...env, AUDIT_PAT_ROTATE_EVERY: '' });
    expect(await queue.getJobScheduler(TOKEN_ROTATION_SCHEDULER_ID)).toBeUndefined();
    await second.close();
  }, 120_000);
});
