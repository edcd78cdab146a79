/** Tamper evidence for the inventories: each sync's changes are logged, and rows edited behind its back are found. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openWritable } from '../../src/store/sqlite/open.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { verifyInventoryLog } from '../../src/store/chain/verify-inventory-log.js';
import type { UserRecord } from '../../src/records.js';
import { simulator } from '../helpers/simulator.js';
import { readDb, runSync } from '../helpers/sync.js';
import { tamper } from '../helpers/tamper.js';
import { withSnapshot } from '../helpers/snapshot.js';
import { tempDbPath } from '../helpers/temp.js';

const verify = (path: string, stateAtSeq?: number) => withSnapshot(path, (view) => verifyInventoryLog(view, stateAtSeq));
const changes = (path: string) => readDb(path, (db) => db.prepare('SELECT seq, kind, id, seen_at FROM inventory_changes ORDER BY seq').all() as Array<{ seq: number; kind: string; id: string; seen_at: string }>);

function user(id: string, name: string): UserRecord {
  return { id, email: `${id}@example.com`, name, createdAt: '2026-01-01T00:00:00.000Z', lastSeenAt: null, raw: JSON.stringify({ id, name }) };
}

async function synced(): Promise<{ path: string; sim: Awaited<ReturnType<typeof simulator>>['sim']; url: string }> {
  const { url, sim } = await simulator({ account: { environments: 2, users: 4, eventsPerEnvironment: 10 } });
  const path = tempDbPath();
  await runSync({ url, dbPath: path });
  return { path, sim, url };
}

describe('the inventory change log', () => {
  it('logs a row when a sync first writes it and again only when its content changes', async () => {
    const path = tempDbPath();
    const store = SqliteStore.open(path);
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: '2026-11-01T00:00:00.000Z' });
    // Seen again unchanged: synced_at moves, nothing is logged.
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: '2026-11-02T00:00:00.000Z' });
    // Ann renamed, Bob gone from the API (marked removed).
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann B.')], seenAt: '2026-11-03T00:00:00.000Z' });
    await store.close();
    expect(changes(path)).toEqual([
      { seq: 1, kind: 'users', id: 'us_usr_ann', seen_at: '2026-11-01T00:00:00.000Z' },
      { seq: 2, kind: 'users', id: 'us_usr_bob', seen_at: '2026-11-01T00:00:00.000Z' },
      { seq: 3, kind: 'users', id: 'us_usr_ann', seen_at: '2026-11-03T00:00:00.000Z' },
      { seq: 4, kind: 'users', id: 'us_usr_bob', seen_at: '2026-11-03T00:00:00.000Z' },
    ]);
    expect((await verify(path)).problems).toEqual([]);
  });

  it('logs a row the write moved out of the listing\'s scope too', async () => {
    const path = tempDbPath();
    const store = SqliteStore.open(path);
    const space = (environmentId: string) => ({ id: 'us_sp_1', environmentId, name: 'S', createdAt: null, archivedAt: null, createdByUserId: null, raw: '{}' });
    await store.writeInventory({ kind: 'spaces', scope: 'us_env_a', records: [space('us_env_a')], seenAt: '2026-11-01T00:00:00.000Z' });
    await store.writeInventory({ kind: 'spaces', scope: 'us_env_a', records: [space('us_env_b')], seenAt: '2026-11-02T00:00:00.000Z' });
    await store.close();
    expect(changes(path).map((c) => [c.kind, c.id, c.seen_at])).toEqual([
      ['spaces', 'us_sp_1', '2026-11-01T00:00:00.000Z'],
      ['spaces', 'us_sp_1', '2026-11-02T00:00:00.000Z'],
    ]);
    expect((await verify(path)).problems).toEqual([]);
  });

  it('covers every inventory of a real sync, and later syncs that change rows keep it consistent', async () => {
    const { path, sim, url } = await synced();
    const first = await verify(path);
    expect(first.problems).toEqual([]);
    expect(first.tables.users.rows).toBe(4);
    expect(first.tables.guest_spaces.rows).toBeGreaterThan(0);
    const logged = changes(path).length;
    const lastUsed = () => readDb(path, (db) => db.prepare('SELECT last_used_at FROM personal_access_tokens').pluck().all() as string[]);
    const usedBefore = lastUsed();
    expect(usedBefore).toHaveLength(1);
    expect(logged).toBe(Object.values(first.tables).reduce((n, t) => n + t.rows, 0));

    const removed = sim.users()[0]!.id;
    sim.removeUser(removed);
    await runSync({ url, dbPath: path });
    const second = await verify(path, first.head!.seq);
    expect(second.problems).toEqual([]);
    // The user removed, and only that: the sync's own token, whose lastUsedAt each sync moves on, is
    // no change (store rule 17), though its row follows the API.
    expect(changes(path).slice(logged)).toEqual([expect.objectContaining({ kind: 'users', id: removed })]);
    expect(lastUsed()[0]! > usedBefore[0]!).toBe(true);
    expect(second.tables.users.digest).not.toBe(first.tables.users.digest);
    // Rebuilt from the log, the tables as they were at the first sync.
    expect(second.at).toEqual({ seq: first.head!.seq, tables: first.tables });
  });

  it.each([
    ['an edited user email', (id: string) => `UPDATE users SET email = 'mallory@example.com' WHERE id = '${id}'`, { table: 'users', kind: 'changed' }],
    ['a deleted user', (id: string) => `DELETE FROM users WHERE id = '${id}'`, { table: 'users', kind: 'deleted' }],
    ['a user marked removed', (id: string) => `UPDATE users SET removed_at = '2026-01-01T00:00:00.000Z' WHERE id = '${id}'`, { table: 'users', kind: 'changed' }],
    ['an inserted guest', () => "INSERT INTO guests (id, environment_id, email, name, raw, first_synced_at, synced_at) VALUES ('us_g_fake', 'us_env_x', 'x@example.com', 'X', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')", { table: 'guests', kind: 'unlogged', id: 'us_g_fake' }],
  ])('finds %s, naming the table and the row', async (_name, sql, expected) => {
    const { path, sim } = await synced();
    const id = sim.users()[1]!.id;
    tamper(path, sql(id));
    const report = await verify(path);
    expect(report.problems).toEqual([expect.objectContaining({ id, ...expected })]);
    expect(report.problems[0]!.detail).toContain(expected.table);
    expect(report.problems[0]!.detail).toContain(report.problems[0]!.id);
  });

  it('finds an edited change-log entry, and a deleted one', async () => {
    const { path } = await synced();
    tamper(path, "UPDATE inventory_changes SET seen_at = '2020-01-01T00:00:00.000Z' WHERE seq = 3");
    expect((await verify(path)).problems).toEqual([expect.objectContaining({ table: 'inventory_changes', kind: 'log-changed', seq: 3 })]);
    tamper(path, 'DELETE FROM inventory_changes WHERE seq = 5');
    expect((await verify(path)).problems).toEqual(expect.arrayContaining([expect.objectContaining({ table: 'inventory_changes', kind: 'log-missing', seq: 5 })]));
  });

  it('migration 7 logs the rows stored before it, so an upgraded file verifies', async () => {
    const path = tempDbPath();
    const old = openWritable(path, { targetVersion: 6 });
    old.exec(`INSERT INTO users (id, email, name, raw, first_synced_at, synced_at) VALUES ('us_usr_old', 'old@example.com', 'Old', '{}', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
      INSERT INTO guest_spaces (guest_id, space_id, environment_id, first_synced_at, synced_at) VALUES ('us_g_1', 'us_sp_1', 'us_env_1', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');`);
    old.close();
    openWritable(path).close();
    expect(changes(path)).toEqual([
      { seq: 1, kind: 'users', id: 'us_usr_old', seen_at: '2026-02-01T00:00:00.000Z' },
      { seq: 2, kind: 'guest_spaces', id: 'us_g_1 us_sp_1', seen_at: '2026-02-01T00:00:00.000Z' },
    ]);
    expect((await verify(path)).problems).toEqual([]);
    const db = new Database(path);
    db.exec("UPDATE guest_spaces SET removed_at = '2026-03-01T00:00:00.000Z'");
    db.close();
    expect((await verify(path)).problems).toEqual([expect.objectContaining({ table: 'guest_spaces', kind: 'changed', id: 'us_g_1 us_sp_1' })]);
  });
});
