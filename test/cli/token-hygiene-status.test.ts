/** `status` names the Personal Access Tokens to review, after a real sync against the simulator. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';

describe('token hygiene in status', () => {
  it('flags a token older than AUDIT_PAT_MAX_AGE and not one just made; query --saved stale-tokens runs with given and default cutoffs', async () => {
    // The simulated clock at the real now, so the tokens' dates are measured against the same time as status uses.
    const { url, sim } = await simulator({ now: new Date(), account: { environments: 1, eventsPerEnvironment: 5 } });
    const forgotten = sim.createPersonalAccessToken('forgotten');
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent', AUDIT_PAT_MAX_AGE: '30d' };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const fresh = await runCli(['status', '--no-queue'], env);
    expect(fresh.code).toBe(0);
    // The simulator's own token was made 90 days ago and is in use: older than 30 days only.
    const ownId = sim.personalAccessTokens().find((p) => p.id !== forgotten.personalAccessToken.id)!.id;
    expect(fresh.stdout.split('\n').filter((l) => l.startsWith('token: ')).map((l) => l.split(' ')[1])).toEqual([ownId]);
    expect(fresh.stdout).toContain('older than AUDIT_PAT_MAX_AGE: rotate it');

    const json = JSON.parse((await runCli(['status', '--no-queue', '--json'], { ...env, AUDIT_PAT_MAX_AGE: '365d' })).stdout) as { tokens: unknown[] };
    expect(json.tokens).toEqual([]);

    const saved = await runCli(['query', '--saved', 'stale-tokens', '--json', '--param', `never_used_before=${new Date(Date.now() + 60_000).toISOString()}`], env);
    expect(saved.code).toBe(0);
    const rows = JSON.parse(saved.stdout) as Array<{ id: string; flags: string }>;
    expect(rows.map((r) => [r.id, r.flags])).toEqual([[ownId, 'too-old'], [forgotten.personalAccessToken.id, 'never-used']]);
  });

  it('two flagged tokens are two lines, each its own `token:` line', async () => {
    // The simulated clock 10 days back: a token made then and never used is flagged never-used by now.
    const { url, sim } = await simulator({ now: new Date(Date.now() - 10 * 86_400_000), account: { environments: 1, eventsPerEnvironment: 3 } });
    const forgotten = sim.createPersonalAccessToken('forgotten');
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent', AUDIT_PAT_MAX_AGE: '30d' };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const status = await runCli(['status', '--no-queue'], env);
    expect(status.code).toBe(0);
    const ownId = sim.personalAccessTokens().find((p) => p.id !== forgotten.personalAccessToken.id)!.id;
    const lines = status.stdout.split('\n').filter((l) => l.startsWith('token: '));
    expect(lines.map((l) => [l.split(' ')[1], l.endsWith('rotate it') || l.endsWith('made over 7 days ago')])).toEqual([
      [ownId, true],
      [forgotten.personalAccessToken.id, true],
    ]);
    expect(status.stdout).not.toContain('\\n');
  });

  it('query --list-saved lists every entry with its parameters; --saved refuses an unknown name or a missing parameter in one line', async () => {
    const env = { AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent' };
    const list = await runCli(['query', '--list-saved'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^by-actor +Everything one user or guest did/m);
    expect(list.stdout).toMatch(/--param email=… +a user's or guest's email address$/m);
    expect(list.stdout).toMatch(/^stale-tokens +Personal Access Tokens to review/m);
    const typo = await runCli(['query', '--saved', 'stale-token'], env);
    expect([typo.code, typo.stderr]).toEqual([2, 'flatfile-audit: no saved query named "stale-token"; did you mean stale-tokens? (query --list-saved lists them)\n']);
    const missing = await runCli(['query', '--saved', 'by-actor'], env);
    expect([missing.code, missing.stderr]).toEqual([2, "flatfile-audit: saved query by-actor needs --param email=… (a user's or guest's email address)\n"]);
    const extra = await runCli(['query', '--saved', 'last-24h', '--param', 'x=1'], env);
    expect([extra.code, extra.stderr]).toEqual([2, 'flatfile-audit: saved query last-24h has no parameter x; it takes none\n']);
    // A time that is not one is refused before any SQL runs (SQLite would have answered nothing, PostgreSQL failed).
    for (const bad of ['yesterday', '2026-02-30', '2026-11-01T00:00:00']) {
      const notTime = await runCli(['query', '--saved', 'space-access', '--param', 'space=us_sp_1', '--param', `at=${bad}`], env);
      expect([notTime.code, notTime.stdout, notTime.stderr]).toEqual([2, '', `flatfile-audit: saved query space-access: --param at must be an ISO date or time (2026-11-30 or 2026-11-30T12:00:00Z), got "${bad}"\n`]);
    }
  });
});
