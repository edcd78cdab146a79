/** The PAT inventory is refreshed with the directory: a sync against the simulator over HTTP. */
import { describe, expect, it } from 'vitest';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

interface PatRow {
  id: string;
  name: string;
  last_used_at: string | null;
  removed_at: string | null;
}

const pats = (dbPath: string) => readDb(dbPath, (db) => db.prepare('SELECT id, name, last_used_at, removed_at FROM personal_access_tokens ORDER BY id').all() as PatRow[]);

describe('the personal access token inventory', () => {
  it('holds what Flatfile lists, marks a deleted token removed, and never a token value', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const extra = sim.createPersonalAccessToken('ci pipeline');
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    const first = pats(dbPath);
    expect(first.map((r) => r.id).sort()).toEqual(sim.personalAccessTokens().map((p) => p.id).sort());
    expect(first.find((r) => r.id === extra.personalAccessToken.id)).toMatchObject({ name: 'ci pipeline', last_used_at: null, removed_at: null });
    // The token the sync ran with was used, and the listing says so.
    const own = sim.personalAccessTokens().find((p) => p.id !== extra.personalAccessToken.id)!;
    expect(first.find((r) => r.id === own.id)?.last_used_at).not.toBeNull();

    sim.deletePersonalAccessToken(extra.personalAccessToken.id);
    await runSync({ url, dbPath });
    expect(pats(dbPath).find((r) => r.id === extra.personalAccessToken.id)?.removed_at).not.toBeNull();
    const everything = readDb(dbPath, (db) => {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).join('\n');
    });
    expect(everything).not.toContain(extra.token);
    expect(everything).not.toContain(TEST_PAT);
  });

  it('a credential that may not list tokens (403) leaves the stored ones as they were, and the sync goes on', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    const before = pats(dbPath);
    expect(before.length).toBeGreaterThan(0);
    sim.beforeAnswer = (r) => (r.path === '/auth/personal-access-tokens' ? { status: 403, message: 'forbidden' } : undefined);
    const report = await runSync({ url, dbPath });
    expect(report.status).toBe('ok');
    expect(pats(dbPath)).toEqual(before);
  });
});
