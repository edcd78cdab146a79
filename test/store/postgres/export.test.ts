/**
 * `flatfile-audit export` on PostgreSQL (AUDIT_DATABASE_URL): the same rows as from a SQLite store
 * of the same account, and `next:` / `--after` continue exactly, late events included.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { freshSchema, testDatabase } from '../../helpers/postgres.js';
import { simulator, TEST_PAT } from '../../helpers/simulator.js';
import { tempDbPath } from '../../helpers/temp.js';
import { waitFor } from '../../helpers/wait.js';

const db = testDatabase();

const ndjson = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const nextOf = (stderr: string): string => {
  const match = /^next: (\S+)$/m.exec(stderr);
  if (!match) throw new Error(`no "next:" line in ${stderr}`);
  return match[1]!;
};

/**
 * Exports from `after` again and again, each run from the last `next:`, until `expected` ids have
 * come (rows stored by a transaction still open elsewhere on the server come out once it ends):
 * returns every row and the last position. No row may come twice.
 */
async function exportUntil(env: Record<string, string>, after: string, expected: number, args: string[] = []): Promise<{ rows: Array<Record<string, unknown>>; next: string }> {
  const rows: Array<Record<string, unknown>> = [];
  let next = after;
  await waitFor(`${expected} exported rows`, async () => {
    const run = await runCli(['export', '--after', next, ...args], env);
    expect(run.code, run.stderr).toBe(0);
    rows.push(...ndjson(run.stdout));
    next = nextOf(run.stderr);
    return rows.length >= expected;
  }, 90_000);
  expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
  return { rows, next };
}

describe('export with AUDIT_DATABASE_URL', () => {
  it('the same rows as a SQLite store of the same account; --after continues exactly, a late event included, none twice', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 50, users: 3 } });
    const pgEnv = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: freshSchema(), AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent' };
    const sqliteEnv = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent' };
    for (const env of [pgEnv, sqliteEnv]) expect((await runCli(['sync', '--once'], env)).code).toBe(0);

    const first = await exportUntil(pgEnv, '0', 100);
    expect(first.next).toMatch(/^\d+\.\d+$/);
    const sqliteRun = await runCli(['export'], sqliteEnv);
    // is_prod is each store's own (a boolean in PostgreSQL, 0/1 in SQLite); ingested_at is when each sync stored it.
    const withoutPosition = (rows: Array<Record<string, unknown>>) =>
      rows.map(({ position: _p, ingested_at: _i, ...row }): Record<string, unknown> => ({ ...row, is_prod: row.is_prod === true || row.is_prod === 1 ? 1 : 0 })).sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
    expect(withoutPosition(first.rows)).toEqual(withoutPosition(ndjson(sqliteRun.stdout)));
    expect(Object.keys(first.rows[0]!)).toEqual(Object.keys(ndjson(sqliteRun.stdout)[0]!));

    // New events and a late one, older than rows already exported.
    const [envA, envB] = sim.environments();
    const fresh = sim.addEvents(envA!.id, 3).map((e) => e.id);
    // Within the lookback (the next sync reads it), older than rows already exported.
    const newestB = first.rows.filter((r) => r.environment_id === envB!.id).map((r) => String(r.created_at)).sort().at(-1)!;
    const lateCreatedAt = new Date(Date.parse(newestB) - 60_000).toISOString();
    expect(first.rows.some((r) => String(r.created_at) > lateCreatedAt)).toBe(true);
    const late = sim.addEvents(envB!.id, 1, { createdAt: lateCreatedAt }).map((e) => e.id);
    expect((await runCli(['sync', '--once'], pgEnv)).code).toBe(0);
    const second = await exportUntil(pgEnv, first.next, 4);
    expect(second.rows.map((r) => r.event_id).sort()).toEqual([...fresh, ...late].sort());

    const third = await runCli(['export', '--after', second.next, '--format', 'csv'], pgEnv);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout.trimEnd().split('\n')).toHaveLength(1); // the header only
    expect(nextOf(third.stderr)).toBe(second.next);

    // A SQLite position, or nonsense, is refused in one line, nothing written.
    const refused = await runCli(['export', '--after', '12'], pgEnv);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('is not a position of this PostgreSQL store');
  });
});
