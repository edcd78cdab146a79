/**
 * `flatfile-audit prune` SIGKILLed for real, at the two moments that matter: after its archive has
 * its name but before the first delete, and between two delete batches. After each, the store
 * verifies as it is, and once a prune is run again, every pruned row is in some archive and the
 * chain verifies from the final cut.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readArchive } from '../helpers/archive.js';
import { runCli, startCli } from '../helpers/cli.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { complete, events, page } from '../store/contract/fixtures.js';

const EVENTS = 20_000;
const BEFORE = '2026-10-25T00:00:00Z';

/** A store with EVENTS events in one environment, all created long before its high-water mark. */
async function seededStore(): Promise<string> {
  const dbPath = tempDbPath();
  const store = SqliteStore.open(dbPath);
  try {
    await store.writePages([page('us_env_a', events('us_env_a', 1, EVENTS), complete('2026-11-01T00:00:00.000Z'))]);
  } finally {
    await store.close();
  }
  return dbPath;
}

const ids = (dbPath: string) => readDb(dbPath, (db) => db.prepare('SELECT id FROM events').pluck().all() as string[]);
const cutSeq = (db: Database.Database) => (db.prepare('SELECT MAX(last_seq) FROM chain_cuts').pluck().get() as number | null) ?? 0;

function archived(dir: string): Set<string> {
  const all = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ndjson.gz'))) for (const e of readArchive(join(dir, name)).events) all.add(e.event.id as string);
  return all;
}

async function verifies(dbPath: string): Promise<void> {
  const verify = await runCli(['verify'], { AUDIT_DB: dbPath });
  expect(verify.code, verify.stdout).toBe(0);
}

describe('prune killed with SIGKILL', () => {
  it('after the archive is written, before any delete: nothing is deleted, and a second prune archives and deletes it all', async () => {
    const dbPath = await seededStore();
    const all = ids(dbPath);
    const dir = join(tempDir(), 'archives');
    const env = { AUDIT_DB: dbPath, AUDIT_ARCHIVE_DIR: dir, LOG_LEVEL: 'silent' };
    // The write lock held here: the prune can plan and archive (readers), not delete.
    const lock = new Database(dbPath);
    lock.exec('BEGIN IMMEDIATE');
    const prune = startCli(['prune', '--before', BEFORE], env);
    try {
      await waitFor('the archive to be written and named', () => existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.ndjson.gz')));
      prune.child.kill('SIGKILL');
      expect((await prune.done).signal).toBe('SIGKILL');
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    expect(ids(dbPath)).toHaveLength(EVENTS);
    await verifies(dbPath);

    const again = await runCli(['prune', '--before', BEFORE], env);
    expect(again.code, again.stderr).toBe(0);
    const left = new Set(ids(dbPath));
    expect(left.size).toBe(1); // the highest rowid stays
    const pruned = all.filter((id) => !left.has(id));
    const inArchives = archived(dir);
    expect(pruned.filter((id) => !inArchives.has(id))).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.ndjson.gz'))).toHaveLength(2);
    await verifies(dbPath);
  }, 180_000);

  it('between delete batches: the cut stands where the last batch ended, the store verifies, and a second prune finishes the job', async () => {
    const dbPath = await seededStore();
    const all = ids(dbPath);
    const dir = join(tempDir(), 'archives');
    const env = { AUDIT_DB: dbPath, AUDIT_ARCHIVE_DIR: dir, LOG_LEVEL: 'silent' };
    const watch = new Database(dbPath);
    watch.pragma('busy_timeout = 20000');
    const prune = startCli(['prune', '--before', BEFORE], env);
    let cutAtKill = 0;
    try {
      while (cutSeq(watch) === 0 && prune.child.exitCode === null) await sleep(1);
      // Between two of its transactions (it pauses between batches so other writers get the lock):
      // take the write lock, so no further batch lands, then kill.
      watch.exec('BEGIN IMMEDIATE');
      cutAtKill = cutSeq(watch);
      prune.child.kill('SIGKILL');
      expect((await prune.done).signal).toBe('SIGKILL');
      watch.exec('ROLLBACK');
    } finally {
      watch.close();
    }
    expect(cutAtKill).toBeGreaterThan(0);
    expect(cutAtKill).toBeLessThan(EVENTS - 1);
    expect(ids(dbPath)).toHaveLength(EVENTS - cutAtKill);
    await verifies(dbPath);

    const again = await runCli(['prune', '--before', BEFORE], env);
    expect(again.code, again.stderr).toBe(0);
    const left = new Set(ids(dbPath));
    expect(left.size).toBe(1);
    const inArchives = archived(dir);
    expect(all.filter((id) => !left.has(id) && !inArchives.has(id))).toEqual([]);
    // Two prunes, two cuts that follow each other.
    expect(readDb(dbPath, (db) => db.prepare('SELECT first_seq, last_seq FROM chain_cuts ORDER BY last_seq').all())).toEqual([
      { first_seq: 1, last_seq: cutAtKill },
      { first_seq: cutAtKill + 1, last_seq: EVENTS - 1 },
    ]);
    await verifies(dbPath);
  }, 180_000);
});
