/** The worker on PostgreSQL (AUDIT_DATABASE_URL): it syncs into it, and /healthz and /metrics read its sync state from it. */
import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../../../src/ops/health.js';
import { freshSchema, pgQuery, testDatabase } from '../../helpers/postgres.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../../helpers/redis.js';
import { simulator } from '../../helpers/simulator.js';
import { tempDbPath } from '../../helpers/temp.js';
import { inProcessWorker, testQueue, triggerAccountSync, workerEnv } from '../../helpers/worker.js';

const db = testDatabase();

describe('the worker with AUDIT_DATABASE_URL', () => {
  it('syncs into PostgreSQL, and /healthz and /metrics answer from it', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 30 } });
    const prefix = uniquePrefix();
    const schema = freshSchema();
    const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_HTTP_PORT: '0', AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema } });
    const { running } = await inProcessWorker(env);
    const base = running.ops!.url;

    const before = (await (await fetch(`${base}/healthz`)).json()) as HealthReport;
    expect(before).toMatchObject({ ok: true, database: { ok: true }, environments: [] });

    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);
    expect(await pgQuery(db, schema, 'SELECT COUNT(*)::int AS n FROM events')).toEqual([{ n: 60 }]);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as HealthReport;
    expect(body.environments.map(({ id, failing, stale }) => ({ id, failing, stale })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      sim.environments().map((e) => ({ id: e.id, failing: false, stale: false })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const e of sim.environments()) expect(metrics).toMatch(new RegExp(`flatfile_audit_last_success_timestamp_seconds\\{environment="${e.id}"\\} \\d`));
  });
});
