/**
 * The version check (src/store/chain/verify-inventory-versions.ts) on a SQLite store that held
 * inventories, with several changes per row, before inventory versions existed: migrated, then
 * synced on, it verifies clean, with the migration's versions checked by the migration's rule; a
 * version deleted afterwards is still named.
 */
import { describe, expect, it } from 'vitest';
import { inventoryChangeHash, inventoryRowDigest, type LoggedRow } from '../../src/store/chain/inventory-digests.js';
import { verifyInventoryLog } from '../../src/store/chain/verify-inventory-log.js';
import { verifyInventoryVersions } from '../../src/store/chain/verify-inventory-versions.js';
import { openStore } from '../../src/store/open-store.js';
import { loggedRows } from '../../src/store/sqlite/inventory-log.js';
import { run as logInventory } from '../../src/store/sqlite/migrations/0007-inventory-changes.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import { openWritable, type SqliteDatabase } from '../../src/store/sqlite/open.js';
import type { UserRecord } from '../../src/records.js';
import { withSnapshot } from '../helpers/snapshot.js';
import { tempDbPath } from '../helpers/temp.js';

const D = (day: number, hour = 0) => `2026-10-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** Appends a log entry for each given user's row as stored, as a sync before versions did. */
function logUsers(db: SqliteDatabase, seenAt: string, ...ids: string[]): void {
  for (const id of ids) {
    const row = loggedRows(db, 'users').find((r) => r[0] === id) as LoggedRow;
    const head = db.prepare('SELECT seq, chain_hash FROM inventory_changes ORDER BY seq DESC LIMIT 1').get() as { seq: number; chain_hash: Buffer } | undefined;
    const digest = inventoryRowDigest('users', row);
    db.prepare('INSERT INTO inventory_changes (seq, kind, id, row_digest, seen_at, chain_hash) VALUES (?, ?, ?, ?, ?, ?)').run(
      (head?.seq ?? 0) + 1, 'users', id, digest, seenAt, inventoryChangeHash(head?.chain_hash ?? null, 'users', id, digest, seenAt));
  }
}

function person(id: string, name: string): UserRecord {
  return { id, email: `${id}@example.com`, name, createdAt: null, lastSeenAt: null, raw: JSON.stringify({ id, name }) };
}

/** A store at the version before inventory-versions: Ann renamed twice, Bob once, Cy never, each change logged; then migrated and synced on. */
async function migratedStore(): Promise<string> {
  const path = tempDbPath();
  const old = openWritable(path, { targetVersion: MIGRATIONS.find((m) => m.name === 'inventory-versions')!.version - 1 });
  const user = (id: string, name: string, at: string) =>
    old.prepare(`INSERT INTO users (id, email, name, raw, first_synced_at, synced_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, raw = excluded.raw, synced_at = excluded.synced_at`).run(id, `${id}@example.com`, name, JSON.stringify({ id, name }), at, at);
  user('us_usr_ann', 'Ann', D(1));
  user('us_usr_bob', 'Bob', D(1));
  logInventory(old); // version 7's log of what was stored
  user('us_usr_ann', 'Ann B.', D(2));
  user('us_usr_bob', 'Robert', D(2));
  logUsers(old, D(2), 'us_usr_ann', 'us_usr_bob');
  user('us_usr_ann', 'Ann C.', D(3));
  user('us_usr_cy', 'Cy', D(3));
  logUsers(old, D(3), 'us_usr_ann', 'us_usr_cy');
  old.close();

  const store = await openStore({ dbPath: path }); // migrates: one version per row, from its latest entry
  try {
    await store.writeInventory({ kind: 'users', scope: null, records: [person('us_usr_ann', 'Ann D.'), person('us_usr_bob', 'Robert'), person('us_usr_cy', 'Cy')], seenAt: D(4) });
    await store.writeInventory({ kind: 'users', scope: null, records: [person('us_usr_ann', 'Ann D.'), person('us_usr_bob', 'Bobby'), person('us_usr_cy', 'Cy')], seenAt: D(5) });
  } finally {
    await store.close();
  }
  return path;
}

const check = (path: string) => withSnapshot(path, async (view) => ({ log: await verifyInventoryLog(view), versions: await verifyInventoryVersions(view) }));

describe('the version check on a store migrated to inventory versions', () => {
  it('passes: the migration versioned each row at its latest change, by its own rule, and every sync since every change', async () => {
    const path = await migratedStore();
    const db = openWritable(path);
    // Ann's first version is the migration's (from first_synced_at: D1), though change 5 was seen on D3.
    expect(db.prepare('SELECT seq, id, name, valid_from FROM inventory_versions ORDER BY seq').all()).toEqual([
      { seq: 4, id: 'us_usr_bob', name: 'Robert', valid_from: D(1) },
      { seq: 5, id: 'us_usr_ann', name: 'Ann C.', valid_from: D(1) },
      { seq: 6, id: 'us_usr_cy', name: 'Cy', valid_from: D(3) },
      { seq: 7, id: 'us_usr_ann', name: 'Ann D.', valid_from: D(4) },
      { seq: 8, id: 'us_usr_bob', name: 'Bobby', valid_from: D(5) },
    ]);
    db.close();
    const { log, versions } = await check(path);
    expect([log.problems, versions]).toEqual([[], { versioned: true, versions: 5, problems: [] }]);
  });

  it.each([
    ["a sync's version", 7, 'us_usr_ann'],
    ["the migration's version of a row synced since", 4, 'us_usr_bob'],
    ["the migration's version of a row never changed since", 6, 'us_usr_cy'],
  ] as const)('names %s when deleted', async (_what, seq, id) => {
    const path = await migratedStore();
    const db = openWritable(path);
    db.prepare('DELETE FROM inventory_versions WHERE seq = ?').run(seq);
    db.close();
    const problems = (await check(path)).versions.problems;
    expect(problems.map((p) => [p.kind, p.id, p.seq])).toEqual([['version-missing', id, seq]]);
  });

  it("names a migration version's valid_from moved to when its change was seen", async () => {
    const path = await migratedStore();
    const db = openWritable(path);
    db.prepare("UPDATE inventory_versions SET valid_from = ? WHERE seq = 5").run(D(3));
    db.close();
    const problems = (await check(path)).versions.problems;
    expect(problems.map((p) => [p.kind, p.id, p.seq])).toEqual([['version-changed', 'us_usr_ann', 5]]);
  });
});
