/**
 * `flatfile-audit backup` with real processes: a copy taken while a real `sync --once` writes is
 * one consistent state (SQLite's integrity check, the hash chains, an event count between the
 * counts before and after), private, and replaces only an earlier backup.
 */
import { statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function storedCount(dbPath: string): number {
  try {
    return readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
  } catch {
    return 0; // not created or not migrated yet
  }
}

describe('backup', () => {
  it('copies the store consistently while a sync writes to it: integrity ok, chains verify, mode 0600', async () => {
    // Slow pages (at least 300 of 30 ms, two at a time), so the sync is still writing when the backup ends.
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 1000 }, faults: { latencyMs: 30 } });
    const dbPath = tempDbPath();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, AUDIT_PAGE_SIZE: '10', AUDIT_CONCURRENCY: '2', AUDIT_WRITE_BATCH: '1', LOG_LEVEL: 'silent' };
    const sync = startCli(['sync', '--once'], env);
    while (sync.child.exitCode === null && storedCount(dbPath) < 200) await sleep(5);
    const before = storedCount(dbPath);
    const dest = join(tempDir(), 'backups', 'audit.db');
    const backup = await runCli(['backup', dest], env);
    const syncStillRunning = sync.child.exitCode === null;
    const after = storedCount(dbPath);
    expect(backup.code, backup.stderr).toBe(0);
    expect(syncStillRunning).toBe(true);
    expect((await sync.done).code).toBe(0);
    expect(storedCount(dbPath)).toBe(sim.eventCount());

    const copied = readDb(dest, (db) => ({
      integrity: db.pragma('integrity_check', { simple: true }),
      events: db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number,
    }));
    expect(copied.integrity).toBe('ok');
    expect(copied.events).toBeGreaterThanOrEqual(before);
    expect(copied.events).toBeLessThanOrEqual(after);
    expect(copied.events).toBeLessThan(sim.eventCount());
    expect(backup.stdout).toMatch(new RegExp(`^backup .*audit\\.db: \\d+ bytes, ${copied.events} events verified, [\\d.]+s\\n$`));
    // The copy is a store of its own: verify passes on it, through the same command.
    const verify = await runCli(['verify'], { AUDIT_DB: dest });
    expect(verify.code, verify.stdout).toBe(0);
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(dest)).mode & 0o777).toBe(0o700);

    // The next night's backup replaces the earlier one; anything else at DEST is left alone.
    const again = await runCli(['backup', dest], env);
    expect(again.code, again.stderr).toBe(0);
    expect(readDb(dest, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get())).toBe(sim.eventCount());
    const other = join(dirname(dest), 'notes.txt');
    writeFileSync(other, 'not a backup');
    const refused = await runCli(['backup', other], env);
    expect(refused.code).toBe(2);
    expect(readFileSync(other, 'utf8')).toBe('not a backup');
    expect((await runCli(['backup', dbPath], env)).code).toBe(2);
    expect((await runCli(['backup', `${dbPath}-wal`], env)).code).toBe(2);
  }, 120_000);

  it('a copy that does not verify fails (exit 1) and leaves DEST as it was', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 30 } });
    const dbPath = tempDbPath();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, LOG_LEVEL: 'silent' };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const dest = join(tempDir(), 'audit.db');
    expect((await runCli(['backup', dest], env)).code).toBe(0);
    const good = readFileSync(dest);
    // Someone edits a stored event: the copy carries the edit, and its chain says so.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(dbPath);
    db.prepare("UPDATE events SET topic = 'job:deleted' WHERE rowid = 3").run();
    db.close();
    const result = await runCli(['backup', dest], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not verify');
    expect(readFileSync(dest).equals(good)).toBe(true);
  });

  it('with PostgreSQL configured it explains pg_dump instead (exit 2)', async () => {
    const result = await runCli(['backup', join(tempDir(), 'x.db')], { AUDIT_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none', FLATFILE_TOKEN: TEST_PAT });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pg_dump');
  });
});
