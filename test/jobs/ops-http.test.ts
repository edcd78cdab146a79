/** The worker's ops port: health, Prometheus metrics and the queue dashboard, with real values. */
import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/ops/health.js';
import { PrivateRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { inProcessWorker, testQueue, triggerAccountSync, workerEnv } from '../helpers/worker.js';

describe('ops HTTP port', () => {
  it('serves /healthz, /metrics and the Bull Board page with real values, on 127.0.0.1', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 70 } });
    const prefix = uniquePrefix();
    const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_HTTP_PORT: '0' } });
    const { running } = await inProcessWorker(env);
    const base = running.ops!.url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const before = await (await fetch(`${base}/healthz`)).json();
    expect(before).toEqual({
      ok: true, reasons: [], redis: { ok: true }, database: { ok: true }, schedule: { ok: true }, queue: { ok: true },
      staleAfterS: expect.any(Number), lastSuccessAgeS: null, stalestEnvironmentAgeS: null, environments: [],
    });

    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as HealthReport;
    expect(body.lastSuccessAgeS).toBeGreaterThanOrEqual(0);
    expect(body.lastSuccessAgeS).toBeLessThan(30);
    expect(body.environments.map(({ id, name, failing, stale }) => ({ id, name, failing, stale }))).toEqual(
      sim.environments().map((e) => ({ id: e.id, name: e.name, failing: false, stale: false })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );

    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const e of sim.environments()) {
      expect(metrics).toContain(`flatfile_audit_events_ingested_total{environment="${e.id}"} 70`);
      expect(metrics).toMatch(new RegExp(`flatfile_audit_cursor_lag_seconds\\{environment="${e.id}"\\} \\d`));
    }
    expect(metrics).toMatch(/flatfile_audit_api_requests_total\{route="GET \/events",status="200"\} \d+/);
    expect(metrics).toMatch(/flatfile_audit_sync_duration_seconds_count\{kind="environment",outcome="ok"\} 2/);
    expect(metrics).toMatch(/flatfile_audit_queue_jobs\{state="completed"\} \d+/);

    const board = await fetch(`${base}/queues`);
    expect(board.status).toBe(200);
    expect(await board.text()).toMatch(/<title>flatfile-audit<\/title>|bull-board/i);
    const api = await (await fetch(`${base}/queues/api/queues`)).json() as { queues: Array<{ name: string }> };
    expect(api.queues.map((q) => q.name)).toEqual(['audit-sync']);
  });

  it('/healthz answers 503 naming Redis when Redis is down', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const redis = await PrivateRedis.start();
    const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: redis.url, prefix: 'ops', extra: { AUDIT_HTTP_PORT: '0' } });
    const { running } = await inProcessWorker(env);
    await redis.stop();
    const health = await fetch(`${running.ops!.url}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as HealthReport;
    expect(body.ok).toBe(false);
    expect(body.redis.ok).toBe(false);
    expect(body.database.ok).toBe(true);
    expect(body.reasons).toEqual([expect.stringMatching(/^redis: /)]);
    await redis.start(); // let the worker close cleanly
  });
});

describe('queue dashboard access', () => {
  async function opsPort(extra: Record<string, string>) {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix: uniquePrefix(), extra: { AUDIT_HTTP_PORT: '0', ...extra } });
    const { running, logs } = await inProcessWorker(env);
    return { base: running.ops!.url.replace('0.0.0.0', '127.0.0.1'), logs };
  }

  it('is refused when the port listens beyond loopback and no password is set; health and metrics stay up', async () => {
    const { base, logs } = await opsPort({ AUDIT_HTTP_HOST: '0.0.0.0' });
    const board = await fetch(`${base}/queues`);
    expect(board.status).toBe(403);
    expect(await board.text()).toMatch(/set AUDIT_DASHBOARD_PASSWORD/);
    expect((await fetch(`${base}/queues/api/queues`)).status).toBe(403);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect(logs.text).toContain('queue dashboard off');
  });

  it('asks for the password when one is set (basic auth or bearer), and never logs it', async () => {
    const password = 'correct-horse-battery';
    const { base, logs } = await opsPort({ AUDIT_HTTP_HOST: '0.0.0.0', AUDIT_DASHBOARD_PASSWORD: password });
    const anonymous = await fetch(`${base}/queues`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="flatfile-audit"/);
    expect((await fetch(`${base}/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:wrong-password-here').toString('base64')}` } })).status).toBe(401);
    expect((await fetch(`${base}/queues`, { headers: { authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` } })).status).toBe(200);
    expect((await fetch(`${base}/queues/api/queues`, { headers: { authorization: `Bearer ${password}` } })).status).toBe(200);
    expect(logs.text).not.toContain(password);
  });

  it('is read-only without a password on loopback', async () => {
    const { base } = await opsPort({});
    const api = (await (await fetch(`${base}/queues/api/queues`)).json()) as { queues: Array<{ readOnlyMode: boolean }> };
    expect(api.queues[0]!.readOnlyMode).toBe(true);
  });
});
