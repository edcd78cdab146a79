/**
 * What an operator alerts on: the gauges with real values after syncs against the simulator (and
 * after a restart), and /healthz staying prompt and truthful while the database is locked for
 * writing or Redis hangs.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { health, loggedOpsUrl, metricValue, scrape } from '../helpers/ops.js';
import { PrivateRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { TEST_PAT, simulator } from '../helpers/simulator.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inProcessWorker, testQueue, triggerAccountSync, triggerAccountSyncSettled, workerEnv, workerProcess } from '../helpers/worker.js';

const SECOND_PAT = 'sk_test_pat_fedcba9876543210';

function lastSuccessSeconds(dbPath: string): Map<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare<[], { environment_id: string; last_success_at: string }>('SELECT environment_id, last_success_at FROM sync_cursors WHERE last_success_at IS NOT NULL').all();
    return new Map(rows.map((r) => [r.environment_id, Date.parse(r.last_success_at) / 1000]));
  } finally {
    db.close();
  }
}

describe('alerting metrics', () => {
  it('last success, failing, token rejected and schedule missing carry real values, after a restart too', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 30 }, pats: [TEST_PAT, SECOND_PAT] });
    const tokenFile = join(tempDir(), 'token');
    writeFileSync(tokenFile, TEST_PAT, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const env = workerEnv({
      apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix,
      extra: { AUDIT_HTTP_PORT: '0', FLATFILE_TOKEN: '', FLATFILE_TOKEN_FILE: tokenFile, AUDIT_JOB_ATTEMPTS: '1', AUDIT_MAX_RETRIES: '0' },
    });
    const ids = sim.environments().map((e) => e.id);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);

    const first = await inProcessWorker(env);
    let text = await scrape(first.running.ops!.url);
    expect(metricValue(text, 'flatfile_audit_token_rejected')).toBe(0);
    expect(metricValue(text, 'flatfile_audit_schedule_missing_total')).toBe(0);
    expect(metricValue(text, 'flatfile_audit_last_success_timestamp_seconds', { environment: ids[0]! })).toBeUndefined();

    await triggerAccountSync(queue, events);
    const synced = lastSuccessSeconds(dbPath);
    expect([...synced.keys()].sort()).toEqual([...ids].sort());
    text = await scrape(first.running.ops!.url);
    for (const id of ids) {
      expect(metricValue(text, 'flatfile_audit_last_success_timestamp_seconds', { environment: id })).toBe(synced.get(id));
      expect(metricValue(text, 'flatfile_audit_environment_failing', { environment: id })).toBe(0);
    }

    // A fresh process knows nothing in memory: the gauges come from the database.
    await first.running.close();
    const second = await inProcessWorker(env);
    const base = second.running.ops!.url;
    text = await scrape(base);
    for (const id of ids) expect(metricValue(text, 'flatfile_audit_last_success_timestamp_seconds', { environment: id })).toBe(synced.get(id));

    // Every events listing answers 503: each environment fails, its last success stays where it was.
    sim.setFaults({ error5xxRate: 1, only: /\/events/ });
    const outcomes = await triggerAccountSyncSettled(queue, events);
    expect(outcomes.filter((o) => o.environmentId).map((o) => o.outcome)).toEqual(['failed', 'failed']);
    text = await scrape(base);
    for (const id of ids) {
      expect(metricValue(text, 'flatfile_audit_environment_failing', { environment: id })).toBe(1);
      expect(metricValue(text, 'flatfile_audit_last_success_timestamp_seconds', { environment: id })).toBe(synced.get(id));
    }
    sim.setFaults({ error5xxRate: 0 });

    // The token is revoked: the account sync fails and says so, until a run with a good token.
    sim.revokeToken(TEST_PAT);
    await expect(triggerAccountSync(queue, events)).rejects.toThrow(/rejected the token/);
    expect(metricValue(await scrape(base), 'flatfile_audit_token_rejected')).toBe(1);
    writeFileSync(tokenFile, SECOND_PAT);
    await triggerAccountSync(queue, events);
    text = await scrape(base);
    expect(metricValue(text, 'flatfile_audit_token_rejected')).toBe(0);
    const resynced = lastSuccessSeconds(dbPath);
    for (const id of ids) {
      expect(metricValue(text, 'flatfile_audit_environment_failing', { environment: id })).toBe(0);
      expect(metricValue(text, 'flatfile_audit_last_success_timestamp_seconds', { environment: id })).toBe(resynced.get(id));
      expect(resynced.get(id)!).toBeGreaterThan(synced.get(id)!);
    }
    expect(metricValue(text, 'flatfile_audit_schedule_missing_total')).toBe(0);
  });
});

describe('/healthz under pressure', () => {
  it('answers a burst of probes with 200 while another process holds the write lock: it never takes it', async () => {
    const { url } = await simulator({ account: { environments: 2, eventsPerEnvironment: 20 } });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const worker = await workerProcess(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_HTTP_PORT: '0' } }));
    const base = loggedOpsUrl(worker.logs())!;
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);

    const holder = new Database(dbPath);
    holder.exec("BEGIN IMMEDIATE; UPDATE sync_cursors SET updated_at = 'held'");
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => health(base)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(answers.every((a) => a.body.ok && a.body.database.ok && a.body.environments.length === 2)).toBe(true);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('answers 503 "redis: timed out" when Redis hangs, instead of hanging too', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const redis = await PrivateRedis.start();
    const { running } = await inProcessWorker(workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: redis.url, prefix: 'hang', extra: { AUDIT_HTTP_PORT: '0' } }));
    expect((await health(running.ops!.url)).status).toBe(200);
    redis.freeze();
    try {
      const { status, body } = await health(running.ops!.url);
      expect(status).toBe(503);
      expect(body.reasons).toEqual([expect.stringMatching(/^redis: timed out/)]);
      expect(body.database.ok).toBe(true);
    } finally {
      redis.thaw();
    }
    await waitFor('Redis to answer again', async () => (await health(running.ops!.url)).status === 200);
  });
});
