/** `demo --db PATH` deletes only a database the demo made: never a real audit trail, never any other file. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_APPLICATION_ID } from '../../src/store/demo-database.js';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('demo --db', () => {
  it('refuses to delete a real audit database, and leaves it exactly as it was', async () => {
    const { url } = await simulator({ account: { environments: 2, eventsPerEnvironment: 25 } });
    const dbPath = tempDbPath();
    expect((await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath })).code).toBe(0);
    const before = digest(dbPath);

    const result = await runCli(['demo', '--db', dbPath], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`flatfile-audit: demo refuses to delete ${dbPath}: it is not a demo database (demo only replaces files it made); give --db a new path\n`);
    expect(result.stdout).toBe('');
    expect(digest(dbPath)).toBe(before);
    expect(readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get())).toBe(50);
  });

  it('refuses to delete a file that is not a database at all', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'my notes\n');
    const result = await runCli(['demo', '--db', path], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^flatfile-audit: demo refuses to delete .*notes\.txt: it is not a demo database/);
    expect(readFileSync(path, 'utf8')).toBe('my notes\n');
  });

  it('refuses to start beside a stray WAL file, which SQLite would replay into the new database', async () => {
    const path = join(tempDir(), 'demo.db');
    writeFileSync(`${path}-wal`, 'someone else’s log');
    const result = await runCli(['demo', '--db', path], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`flatfile-audit: demo refuses to start: ${path}-wal exists without ${path}; remove it yourself or give --db another path\n`);
    expect(readFileSync(`${path}-wal`, 'utf8')).toBe('someone else’s log');
    expect(existsSync(path)).toBe(false);
  });

  it('marks its database, and replaces it on the next run', async () => {
    const path = join(tempDir(), 'demo.db');
    const first = await runCli(['demo', '--db', path], {});
    expect(first.code, first.stderr).toBe(0);
    expect(readDb(path, (db) => db.pragma('application_id', { simple: true }))).toBe(DEMO_APPLICATION_ID);
    const second = await runCli(['demo', '--db', path], {});
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/run 1 ok: 1500 new events/); // a fresh database, not the first one synced again
    // The second demo's own two runs (a backfill, then the run after time passed), none of the first demo's.
    expect(readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get())).toBe(2);
  });
});
