/** status, query and verify through the CLI against PostgreSQL (AUDIT_DATABASE_URL), after a sync --once from the simulator. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { freshSchema, pgQuery, testDatabase } from '../../helpers/postgres.js';
import { simulator, TEST_PAT } from '../../helpers/simulator.js';
import { tempDbPath } from '../../helpers/temp.js';

const db = testDatabase();

describe('status, query and verify with AUDIT_DATABASE_URL', () => {
  it('read what sync --once stored, refuse a write, and verify finds a row edited behind the store\'s back', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 40, users: 3 } });
    const schema = freshSchema();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema, AUDIT_DB: tempDbPath() };
    const sync = await runCli(['sync', '--once'], env);
    expect(sync.code, sync.stderr).toBe(0);

    const status = await runCli(['status', '--json', '--no-queue'], env);
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { environments: Array<{ environmentId: string; events: number; lastError: string | null }>; totals: { events: number; users: number } };
    expect(report.totals).toMatchObject({ events: 80, users: 3 });
    expect(report.environments.map((e) => [e.environmentId, e.events, e.lastError]).sort()).toEqual(sim.environments().map((e) => [e.id, 40, null]).sort());

    const environmentId = sim.environments()[0]!.id;
    const query = await runCli(['query', 'SELECT COUNT(*) AS n, MIN(created_at)::text < :cut AS old FROM events WHERE environment_id = :environment', '--json', '--param', `environment=${environmentId}`, '--param', 'cut=9999'], env);
    expect(query.code, query.stderr).toBe(0);
    expect(JSON.parse(query.stdout)).toEqual([{ n: 40, old: true }]);

    const refused = await runCli(['query', 'DELETE FROM events RETURNING id'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/query failed: syntax error/);
    expect(await pgQuery(db, schema, 'SELECT COUNT(*)::int AS n FROM events')).toEqual([{ n: 80 }]);

    const clean = await runCli(['verify', '--json'], env);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, rows: 80, problemCount: 0 });

    // `raw` edited alone (raw_text, which the chain covers, left as it was): what queries see changed.
    const victim = (await pgQuery<{ id: string }>(db, schema, 'SELECT id FROM events WHERE environment_id = $1 AND chain_seq = 7', [environmentId]))[0]!.id;
    await pgQuery(db, schema, `UPDATE events SET raw = jsonb_set(raw, '{topic}', '"file:deleted"') WHERE id = $1`, [victim]);
    const tampered = await runCli(['verify', '--json'], env);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, problemCount: 1, problems: [{ environmentId, kind: 'changed', seq: 7, eventId: victim }] });
  });
});
