/**
 * `flatfile-audit verify` on inventory versions, as a child process on real files: a SQLite store
 * synced from the simulator over HTTP (a user renamed between two syncs) verifies; a version edited
 * or deleted with the sqlite3 CLI fails it with a line naming kind, id and version; it still
 * verifies after a prune, and after copy-store into PostgreSQL, where a version edited with psql
 * fails it the same way.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freshSchema, testDatabase } from '../helpers/postgres.js';
import { simulator } from '../helpers/simulator.js';
import { runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const db = testDatabase();
/** Several CLI runs per test, on a machine that may be busy. */
const LONG = 300_000;

const sqlite3 = (path: string, sql: string) => execFileSync('sqlite3', [path, sql], { encoding: 'utf8' }).trim();
const psql = (schema: string, sql: string) => execFileSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-qAtc', `SET search_path TO "${schema}"; ${sql}`], { encoding: 'utf8' }).trim();

/** A store synced twice, a user renamed in between: that user has two versions. */
async function syncedStore() {
  const { url, sim } = await simulator({ seed: 11, account: { environments: 2, eventsPerEnvironment: 20, users: 3 } });
  const dbPath = tempDbPath();
  await runSync({ url, dbPath });
  const userId = sim.users()[0]!.id;
  const firstSynced = sqlite3(dbPath, 'SELECT MAX(created_at) FROM events');
  sim.renameUser(userId, { name: 'Renamed Person' });
  // Newer events, two days on: the first sync's events can then be pruned (a prune keeps the lookback before each high-water mark).
  sim.advanceClock(2 * 86_400_000);
  for (const e of sim.environments()) sim.addEvents(e.id, 3);
  await runSync({ url, dbPath });
  const first = Number(sqlite3(dbPath, `SELECT MIN(seq) FROM inventory_versions WHERE id = '${userId}'`));
  return { dbPath, userId, first, firstSynced, env: { AUDIT_DB: dbPath, LOG_LEVEL: 'silent' } };
}

describe('verify: inventory versions', () => {
  it('passes untouched; names a version whose name was edited with the sqlite3 CLI, and exits 1', async () => {
    const { dbPath, userId, first, env } = await syncedStore();
    expect(Number(sqlite3(dbPath, `SELECT COUNT(*) FROM inventory_versions WHERE id = '${userId}'`))).toBe(2);
    const clean = await runCli(['verify'], env);
    expect(clean.code, clean.stdout).toBe(0);
    const count = Number(sqlite3(dbPath, 'SELECT COUNT(*) FROM inventory_versions'));
    expect(clean.stdout).toContain(`ok: ${count} inventory versions match their change log entries`);

    sqlite3(dbPath, `UPDATE inventory_versions SET name = 'Mallory' WHERE seq = ${first}`);
    const tampered = await runCli(['verify'], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`- users ${userId} version ${first}: its name is "Mallory" where its content says`);
    expect(tampered.stdout).toContain(`TAMPERED: 1 problem(s) in ${count} inventory versions`);
    const json = await runCli(['verify', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, chainOk: true, versions: { problems: [{ kind: 'version-changed', table: 'users', id: userId, seq: first }] } });
  }, LONG);

  it('names a version deleted, and one forged, with the sqlite3 CLI', async () => {
    const { dbPath, userId, first, env } = await syncedStore();
    const last = Number(sqlite3(dbPath, `SELECT MAX(seq) FROM inventory_versions WHERE id = '${userId}'`));
    sqlite3(dbPath, `DELETE FROM inventory_versions WHERE seq = ${last}`);
    sqlite3(dbPath, `INSERT INTO inventory_versions (seq, kind, id, environment_id, valid_from, name, email, removed_at, content)
      SELECT 99999, kind, id, environment_id, '2026-01-01T00:00:00.000Z', 'Mallory', email, removed_at, content FROM inventory_versions WHERE seq = ${first}`);
    const tampered = await runCli(['verify'], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`- users ${userId} version ${last} is missing`);
    expect(tampered.stdout).toContain(`- users ${userId} version 99999 has no entry in the inventory change log`);
  }, LONG);

  it('still passes after a prune, and after copy-store into PostgreSQL, where a version edited with psql fails it', async () => {
    const { dbPath, userId, first, firstSynced, env } = await syncedStore();
    const before = Number(sqlite3(dbPath, 'SELECT COUNT(*) FROM events'));
    // Chains hold the listing's order (newest first): a date after every event of the first sync cuts them there.
    const prune = await runCli(['prune', '--before', new Date(Date.parse(firstSynced) + 1).toISOString(), '--no-archive'], env);
    expect(prune.code, prune.stderr).toBe(0);
    expect(Number(sqlite3(dbPath, 'SELECT COUNT(*) FROM events')), prune.stdout).toBeLessThan(before / 2);
    const pruned = await runCli(['verify'], env);
    expect(pruned.code, pruned.stdout).toBe(0);
    expect(pruned.stdout).toMatch(/ok: \d+ inventory versions match their change log entries/);

    const schema = freshSchema();
    const copy = await runCli(['copy-store', '--to', db.url], { ...env, AUDIT_DATABASE_SCHEMA: schema });
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    const pgEnv = { AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' };
    const copied = await runCli(['verify'], pgEnv);
    expect(copied.code, copied.stdout).toBe(0);
    expect(copied.stdout).toMatch(/ok: \d+ inventory versions match their change log entries/);

    psql(schema, `UPDATE inventory_versions SET email = 'mallory@example.com' WHERE seq = ${first}`);
    const tampered = await runCli(['verify'], pgEnv);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`- users ${userId} version ${first}: its email is "mallory@example.com" where its content says`);
  }, LONG);
});
