/** The command line as ops use it: the real binary, real files, exit codes and output formats. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';

describe('sync --once', () => {
  it('prints a summary per environment and exits 0', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 60 } });
    const dbPath = tempDbPath();
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath });
    expect(result.code, result.stderr).toBe(0);
    for (const e of sim.environments()) expect(result.stdout).toMatch(new RegExp(`${e.name}\\s+${e.id}\\s+60\\s`));
    expect(result.stdout).toMatch(/run 1 ok: 120 new events/);
    // Logs are JSON lines on stderr, never on stdout.
    expect(result.stderr.split('\n').filter(Boolean).every((line) => JSON.parse(line).service === 'flatfile-audit')).toBe(true);
  });

  it('reads the token from FLATFILE_TOKEN_FILE on every run, so a rotated token needs no restart', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 10 }, pats: ['sk_old_token', 'sk_new_token'] });
    const dir = tempDir();
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'sk_old_token\n');
    chmodSync(tokenFile, 0o600);
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN_FILE: tokenFile, AUDIT_DB: join(dir, 'a.db') };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    sim.revokeToken('sk_old_token');
    expect((await runCli(['sync', '--once'], env)).code).toBe(3);
    writeFileSync(tokenFile, 'sk_new_token\n');
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
  });

  it('refuses a token file that group or others can read, naming the fix', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const dir = tempDir();
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TEST_PAT}\n`);
    chmodSync(tokenFile, 0o644);
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN_FILE: tokenFile, AUDIT_DB: join(dir, 'a.db') });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`flatfile-audit: FLATFILE_TOKEN_FILE ${tokenFile} is readable by group or others (mode 644); run chmod 600 on it\n`);
    expect(sim.stats().requests).toBe(0);
  });

  it('works with a legacy client id and secret exchanged at POST /auth', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 10 }, legacyClients: [{ clientId: 'cid', secret: 'legacy-secret-value' }] });
    const dbPath = tempDbPath();
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_CLIENT_ID: 'cid', FLATFILE_SECRET: 'legacy-secret-value', AUDIT_DB: dbPath, LOG_LEVEL: 'debug' });
    expect(result.code, result.stderr).toBe(0);
    expect(sim.stats().byRoute['POST /auth']).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('legacy-secret-value');
  });

  it.each([
    ['a rejected token', { FLATFILE_TOKEN: 'sk_wrong' }, 3, /^flatfile-audit: Flatfile rejected the token \(HTTP 401[^\n]*create a new Personal Access Token/m],
    ['no credential', {}, 2, /^flatfile-audit: no Flatfile credential: set FLATFILE_TOKEN/m],
    ['a malformed setting', { FLATFILE_TOKEN: TEST_PAT, AUDIT_CONCURRENCY: 'lots' }, 2, /^flatfile-audit: AUDIT_CONCURRENCY must be a whole number from 1 to 64, got "lots"$/m],
    ['two credentials at once', { FLATFILE_TOKEN: TEST_PAT, FLATFILE_CLIENT_ID: 'x', FLATFILE_SECRET: 'y' }, 2, /set only one of FLATFILE_TOKEN, FLATFILE_CLIENT_ID\/FLATFILE_SECRET/],
  ])('fails with one clear line on %s', async (_name, extra, code, message) => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent', ...extra });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(TEST_PAT);
  });
});

describe('query, status and help', () => {
  let dbPath: string;
  let running: RunningSimulator;
  beforeAll(async () => {
    running = await startSimulator({ pats: [TEST_PAT], account: { environments: 2, eventsPerEnvironment: 40 } });
    const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-cli-'));
    dbPath = join(dir, 'audit.db');
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: running.url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath });
    expect(result.code).toBe(0);
    return async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    };
  });

  it('query prints a table, JSON or CSV', async () => {
    const sql = 'SELECT environment_id, COUNT(*) AS n FROM events GROUP BY 1 ORDER BY 1';
    const table = await runCli(['query', sql], { AUDIT_DB: dbPath });
    expect(table.stdout).toMatch(/^environment_id\s+n\n-+\s+-+\n/);
    expect(table.stdout).toMatch(/\(2 rows\)\n$/);
    const json = JSON.parse((await runCli(['query', sql, '--json'], { AUDIT_DB: dbPath })).stdout) as Array<{ n: number }>;
    expect(json.map((r) => r.n)).toEqual([40, 40]);
    const csv = (await runCli(['query', sql, '--csv'], { AUDIT_DB: dbPath })).stdout.trim().split('\n');
    expect(csv[0]).toBe('environment_id,n');
    expect(csv).toHaveLength(3);
  });

  it('query binds named parameters', async () => {
    const email = running.sim.users()[0]!.email;
    const result = await runCli(['query', 'SELECT name FROM users WHERE email = :email', '--json', '--param', `email=${email}`], { AUDIT_DB: dbPath });
    expect(JSON.parse(result.stdout)).toEqual([{ name: running.sim.users()[0]!.name }]);
  });

  it.each([
    ['DELETE FROM events', /query refused: it would change the database/],
    ['UPDATE events SET topic = 1', /query refused: it would change the database/],
    ['DROP TABLE events', /query refused: it would change the database/],
    ["ATTACH DATABASE '/tmp/x.db' AS x", /query refused: ATTACH/],
    ['SELECT 1; DELETE FROM events', /query failed: .*more than one statement/],
    ['SELEKT 1', /query failed: .*syntax error/],
  ])('query refuses %s and changes nothing', async (sql, message) => {
    const before = readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get());
    const result = await runCli(['query', sql], { AUDIT_DB: dbPath });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get())).toBe(before);
  });

  it('status shows each environment with its cursor and counts, as text or JSON', async () => {
    const text = await runCli(['status', '--no-queue'], { AUDIT_DB: dbPath });
    expect(text.code).toBe(0);
    for (const e of running.sim.environments()) expect(text.stdout).toMatch(new RegExp(`${e.name}\\s+${e.id}\\s+40\\s+20\\d\\d-`));
    expect(text.stdout).toMatch(/last run 1 \(account\): ok/);
    const json = JSON.parse((await runCli(['status', '--json', '--no-queue'], { AUDIT_DB: dbPath })).stdout);
    expect(json.environments).toHaveLength(2);
    expect(json.totals.events).toBe(80);
  });

  it('status and query say plainly when there is no database yet', async () => {
    const result = await runCli(['status', '--no-queue'], { AUDIT_DB: join(tempDir(), 'missing.db') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^flatfile-audit: cannot open the database .*missing\.db.*run a sync first/);
  });

  it('help lists the commands; an unknown command exits 2', async () => {
    expect((await runCli(['--help'], {})).stdout).toMatch(/sync --once[\s\S]*query[\s\S]*status[\s\S]*demo[\s\S]*simulator/);
    const unknown = await runCli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('flatfile-audit: unknown command "frobnicate"; run flatfile-audit --help\n');
  });
});

describe('demo', () => {
  it('syncs the bundled simulator and prints real audit answers', async () => {
    const dbPath = tempDbPath();
    const result = await runCli(['demo', '--db', dbPath], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/run 1 ok: 1500 new events/);
    expect(result.stdout).toMatch(/## Who did what in the last 24 hours\?\ncreated_at\s+environment_name\s+actor_type\s+actor_name/);
    expect(result.stdout).toMatch(/## Which environments have agents deployed\?/);
    // A second run after time passed: the rename, the revoked access and the 3 new events.
    expect(result.stdout).toMatch(/run 2 ok: 4 new events/);
    expect(result.stdout).toMatch(/## Guest access granted or revoked in the last 7 days/);
    const renamed = /meanwhile: (.+) renamed to (.+ \(renamed\)), /.exec(result.stdout);
    expect(renamed, result.stdout).not.toBeNull();
    const before = renamed![1]!;
    const after = renamed![2]!;
    const whoWasWho = result.stdout.slice(result.stdout.indexOf('## Who was who'));
    // Old rows keep the old name, new ones carry the new; both show today's.
    expect(whoWasWho).toMatch(new RegExp(`\\n${before}\\s+${after.replace(/[()]/g, '\\$&')}\\s+\\d+`));
    expect(whoWasWho).toMatch(new RegExp(`\\n${after.replace(/[()]/g, '\\$&')}\\s+${after.replace(/[()]/g, '\\$&')}\\s+3\\b`));
    expect(readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM audit_trail').pluck().get())).toBe(1504);
  });
});
