import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cookbookQuery } from '../../src/cookbook.js';
import type { EventRecord, GuestRecord, UserRecord } from '../../src/records.js';
import type { PageWrite } from '../../src/store/audit-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { verifyChainsOf } from '../helpers/snapshot.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const ENV = 'us_env_a';
const AT = '2026-11-01T00:00:00.000Z';

function event(n: number, actorId: string | null = null): EventRecord {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  return {
    id: `us_evt_${n}`, environmentId: ENV, createdAt, topic: 'workbook:updated', domain: 'workbook', actorId,
    spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null,
    raw: JSON.stringify({ id: `us_evt_${n}`, createdAt }),
  };
}

function page(events: EventRecord[], nextPage: number): PageWrite {
  return {
    environmentId: ENV, events, rejected: [],
    cursor: { kind: 'progress', listing: { since: null, pageSize: 100, nextPage, maxCreatedAt: events.at(-1)?.createdAt ?? null, pageFill: 100, startedAt: AT } },
  };
}

function user(id: string, name: string): UserRecord {
  return { id, email: `${name}@example.com`, name, createdAt: AT, lastSeenAt: null, raw: JSON.stringify({ id, name }) };
}

function guest(id: string, spaces: string[]): GuestRecord {
  return { id, environmentId: ENV, email: `${id}@guest.example`, name: id, spaces: spaces.map((spaceId) => ({ spaceId, lastAccessed: null })), raw: '{}' };
}

function openStore(path = tempDbPath()) {
  const store = SqliteStore.open(path);
  return { store, path };
}

// What every store does is pinned by the store contract (test/store/contract/); here, what is SQLite's own.
describe('SqliteStore.writePages', () => {
  it('stamps and encodes each page of a batch when it is added, and chains them all the same', async () => {
    const { store, path } = openStore();
    const batch = store.openBatch();
    batch.add(page([event(1), event(2)], 2));
    const addedBy = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 15));
    batch.add(page([event(3)], 3));
    const result = await batch.commit();
    expect(result.insertedByEnvironment.get(ENV)).toBe(3);
    const rows = readDb(path, (db) => db.prepare('SELECT id, ingested_at FROM events ORDER BY chain_seq').all()) as Array<{ id: string; ingested_at: string }>;
    expect(rows.map((r) => r.id)).toEqual(['us_evt_1', 'us_evt_2', 'us_evt_3']);
    expect(rows[0]!.ingested_at <= addedBy).toBe(true);
    expect(rows[2]!.ingested_at > addedBy).toBe(true);
    expect(await verifyChainsOf(path)).toMatchObject({ ok: true, rows: 3 });
    await store.close();
  });

  it('commits events and cursor together: a failing batch leaves neither', async () => {
    const { store, path } = openStore();
    await store.writePages([page([event(1)], 2)]);
    const broken = { ...event(3), topic: null as unknown as string }; // violates NOT NULL inside the transaction
    // The transaction runs on the writer's thread: its failure comes back with SQLite's code and the file.
    const failure = store.writePages([page([event(2)], 3), page([broken], 4)]);
    await expect(failure).rejects.toThrow(/NOT NULL.*\(SQLITE_CONSTRAINT_NOTNULL\)/);
    await expect(failure).rejects.toThrow(path);
    expect(readDb(path, (db) => db.prepare('SELECT id FROM events ORDER BY id').pluck().all())).toEqual(['us_evt_1']);
    expect((await store.readCursor(ENV))?.listing?.nextPage).toBe(2);
    await store.close();
  });

  it('refuses a write made while an earlier one was pending, once that one fails', async () => {
    const { store, path } = openStore();
    const broken = { ...event(1), topic: null as unknown as string };
    const first = store.writePages([page([broken], 2)]);
    const behind = store.writePages([page([event(2)], 3)]); // made before the first was answered
    await expect(first).rejects.toThrow(/NOT NULL/);
    await expect(behind).rejects.toThrow(/an earlier write of the same environment failed/);
    expect(readDb(path, (db) => db.prepare('SELECT count(*) FROM events').pluck().get())).toBe(0);
    // A write made after the failure was reported is a new start.
    expect((await store.writePages([page([event(3)], 4)])).insertedByEnvironment.get(ENV)).toBe(1);
    await store.close();
  });

  // Child processes: inside the test runner the event loop never runs dry, so neither case could fail here.
  const runScript = (path: string, body: string) => {
    const file = join(dirname(path), 'script.mjs');
    const storeModule = new URL('../../dist/src/store/sqlite/sqlite-store.js', import.meta.url).href;
    writeFileSync(file, `const { SqliteStore } = await import(${JSON.stringify(storeModule)});\nconst store = SqliteStore.open(${JSON.stringify(path)});\n${body}`);
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    expect(child.signal, 'the process had to be killed: the writer thread kept it alive').toBeNull();
    return { code: child.status, stdout: child.stdout.trim(), stderr: child.stderr };
  };

  it('does not keep a process alive between writes, even left open', async () => {
    const path = tempDbPath();
    const result = runScript(path, `
      const result = await store.writePages(${JSON.stringify([page([event(1)], 2)])});
      console.log(result.insertedByEnvironment.get(${JSON.stringify(ENV)}));`);
    expect(result).toEqual({ code: 0, stdout: '1', stderr: '' });
  });

  it('close() right after writes keeps the process alive until the thread has committed them and exited', async () => {
    const path = tempDbPath();
    const result = runScript(path, `
      const writes = [1, 2, 3].map((n) => store.writePages([{ ...${JSON.stringify(page([], 0))}, events: [${JSON.stringify(event(0))}].map((e) => ({ ...e, id: 'us_evt_' + n })) }]));
      await store.close();
      console.log((await Promise.all(writes)).length);`);
    expect(result).toEqual({ code: 0, stdout: '3', stderr: '' });
    expect(readDb(path, (db) => db.prepare('SELECT count(*) FROM events').pluck().get())).toBe(3);
  });

  it('creates the file 0600 in a 0700 directory', async () => {
    const { store, path } = openStore();
    await store.writePages([page([event(1)], 2)]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    await store.close();
  });
});

describe('inventories and the audit_trail view', () => {
  it('resolves an actor fetched after its events were stored, and keeps resolving after it vanishes', async () => {
    const { store, path } = openStore();
    await store.writePages([page([event(1, 'us_usr_ann'), event(2, 'us_usr_ann'), event(3, 'us_key_x'), event(4)], 2)]);
    const trail = () => readDb(path, (db) => db.prepare('SELECT event_id, actor_type, actor_name, actor_removed_at FROM audit_trail ORDER BY event_id').all());
    expect(trail()).toEqual([
      { event_id: 'us_evt_1', actor_type: 'user', actor_name: null, actor_removed_at: null },
      { event_id: 'us_evt_2', actor_type: 'user', actor_name: null, actor_removed_at: null },
      { event_id: 'us_evt_3', actor_type: 'api_key', actor_name: null, actor_removed_at: null },
      { event_id: 'us_evt_4', actor_type: 'unknown', actor_name: null, actor_removed_at: null },
    ]);
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: AT });
    expect(trail()[0]).toMatchObject({ actor_name: 'Ann' });
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_bob', 'Bob')], seenAt: '2026-11-02T00:00:00.000Z' });
    expect(trail()[0]).toEqual({ event_id: 'us_evt_1', actor_type: 'user', actor_name: 'Ann', actor_removed_at: '2026-11-02T00:00:00.000Z' });
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann B.')], seenAt: '2026-11-03T00:00:00.000Z' });
    // Renamed after the event: the event keeps the name she had then; today's is beside it.
    expect(trail()[0]).toMatchObject({ actor_name: 'Ann', actor_removed_at: null });
    expect(readDb(path, (db) => db.prepare("SELECT actor_current_name FROM audit_trail WHERE event_id = 'us_evt_1'").pluck().get())).toBe('Ann B.');
    await store.close();
  });

  it('the unresolved-actors cookbook query lists what audit_trail, event by event, says is unresolved', async () => {
    const { store, path } = openStore();
    const actors = ['us_usr_ann', 'us_usr_gone', 'us_key_x', 'us_key_x', 'us_key_x', 'us_g_1', 'us_ag_1', null, 'us_usr_gone'];
    await store.writePages([page(actors.map((actor, n) => event(n, actor)), 2)]);
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann')], seenAt: AT });
    await store.writeInventory({ kind: 'guests', scope: ENV, records: [guest('us_g_1', ['us_sp_1'])], seenAt: AT });
    const [byActor, byEvent] = readDb(path, (db) => [
      db.prepare(cookbookQuery('unresolved-actors').sql.sqlite).all(),
      // The plain definition: every event through the view, grouped.
      db.prepare(`SELECT actor_id, actor_type, COUNT(*) AS events, MAX(created_at) AS last_seen FROM audit_trail
                  WHERE actor_id IS NOT NULL AND actor_name IS NULL GROUP BY actor_id ORDER BY events DESC, actor_id`).all(),
    ]);
    expect(byActor).toEqual(byEvent);
    expect(byActor.map((r) => (r as { actor_id: string }).actor_id)).toEqual(['us_key_x', 'us_usr_gone', 'us_ag_1']);
    await store.close();
  });

  it('keeps a guest in several spaces as one guest: one audit row per event', async () => {
    const { store, path } = openStore();
    await store.writePages([page([event(1, 'us_g_1')], 2)]);
    await store.writeInventory({ kind: 'guests', scope: ENV, records: [guest('us_g_1', ['us_sp_1', 'us_sp_2', 'us_sp_3'])], seenAt: AT });
    const counts = readDb(path, (db) => ({
      trail: db.prepare('SELECT COUNT(*) FROM audit_trail').pluck().get(),
      memberships: db.prepare('SELECT COUNT(*) FROM guest_spaces WHERE removed_at IS NULL').pluck().get(),
      name: db.prepare('SELECT actor_name FROM audit_trail').pluck().get(),
    }));
    expect(counts).toEqual({ trail: 1, memberships: 3, name: 'us_g_1' });
    await store.writeInventory({ kind: 'guests', scope: ENV, records: [guest('us_g_1', ['us_sp_2'])], seenAt: '2026-11-02T00:00:00.000Z' });
    expect(readDb(path, (db) => db.prepare('SELECT space_id FROM guest_spaces WHERE removed_at IS NULL').pluck().all())).toEqual(['us_sp_2']);
    await store.close();
  });
});
