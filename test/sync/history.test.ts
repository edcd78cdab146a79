/**
 * Who was who and who had access, end to end: the simulator over real HTTP renames a user and
 * changes guest access between two syncs into a real SQLite file; the trail names actors as they
 * were, and the space-access cookbook answers exactly what the simulator's ground truth says.
 */
import { describe, expect, it } from 'vitest';
import { cookbookQuery, cookbookSql } from '../../src/cookbook.js';
import { openReader } from '../../src/store/open-store.js';
import { simulator } from '../helpers/simulator.js';
import { readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const account = { environments: 2, eventsPerEnvironment: 300, users: 4, spacesPerEnvironment: 3, guestsPerEnvironment: 4, agentsPerEnvironment: 1 };

describe('history over two syncs', () => {
  it("a user renamed between two syncs: old events keep the old name, actor_current_name is the new one", async () => {
    const { url, sim } = await simulator({ account });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    const [user] = sim.users();
    const env = sim.environments()[0]!.id;
    sim.advanceClock(60_000);
    const before = sim.addEvents(env, 2, { actorId: user!.id });
    sim.advanceClock(60_000);
    const renamed = sim.renameUser(user!.id, { name: 'Renamed Person', email: 'renamed@example.com' });
    sim.advanceClock(60_000);
    const after = sim.addEvents(env, 2, { actorId: user!.id });
    await runSync({ url, dbPath });

    const rows = readDb(dbPath, (db) => db.prepare('SELECT event_id, created_at, actor_name, actor_email, actor_current_name, actor_current_email FROM audit_trail WHERE actor_id = ? ORDER BY created_at').all(user!.id)) as Array<Record<string, string>>;
    const historyIds = sim.environments().flatMap((e) => sim.events(e.id)).filter((e) => e.context.actorId === user!.id).map((e) => e.id);
    expect(rows.map((r) => r.event_id).sort()).toEqual(historyIds.sort());
    expect(rows.length).toBeGreaterThan(20);
    const renamedAt = Date.parse(renamed.updatedAt);
    for (const row of rows) {
      const old = Date.parse(row.created_at!) < renamedAt;
      expect([row.event_id, row.actor_name, row.actor_email]).toEqual([row.event_id, old ? user!.name : 'Renamed Person', old ? user!.email : 'renamed@example.com']);
      expect([row.actor_current_name, row.actor_current_email]).toEqual(['Renamed Person', 'renamed@example.com']);
    }
    const nameOf = (id: string) => rows.find((r) => r.event_id === id)!.actor_name;
    expect(before.map((e) => nameOf(e.id))).toEqual([user!.name, user!.name]);
    expect(after.map((e) => nameOf(e.id))).toEqual(['Renamed Person', 'Renamed Person']);
  });

  it('space-access answers who could reach each space at each moment exactly as the ground truth, events and inventory together', async () => {
    const { url, sim } = await simulator({ account });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    // Between the two syncs: a guest loses a space, another gains one, a third is removed altogether.
    const envId = sim.environments()[0]!.id;
    const [first, second, third] = sim.guests(envId);
    const spaces = sim.spaces(envId).map((s) => s.id);
    sim.advanceClock(60_000);
    sim.removeGuestFromSpace(first!.id, first!.spaces[0]!.id);
    sim.advanceClock(60_000);
    const missing = spaces.find((id) => !second!.spaces.some((m) => m.id === id));
    if (missing) sim.addGuestToSpace(second!.id, missing);
    sim.advanceClock(60_000);
    sim.removeGuest(third!.id);
    await runSync({ url, dbPath });

    const grants = sim.accessGrants();
    expect(grants.some((g) => g.untilMs !== undefined)).toBe(true);
    // Every moment something changed, a millisecond either side, and now (the syncs' own time).
    const moments = [...new Set(grants.flatMap((g) => [g.fromMs, g.untilMs ?? g.fromMs]).flatMap((t) => [t - 1, t, t + 1]))].sort((a, b) => a - b);
    const times = [...moments.map((t) => new Date(t).toISOString()), new Date().toISOString()];
    const reader = await openReader({ dbPath });
    try {
      const sql = cookbookSql(cookbookQuery('space-access'), reader.dialect);
      const allSpaces = sim.environments().flatMap((e) => sim.spaces(e.id).map((s) => s.id));
      let nonEmpty = 0;
      for (const space of allSpaces) {
        for (const at of times) {
          const cursor = await reader.openQuery(sql, { space, at });
          const got = (await cursor.read(1000)).map((r) => r.guest_id);
          await cursor.close();
          expect({ space, at, guests: got }).toEqual({ space, at, guests: sim.guestsWithAccess(space, at) });
          if (got.length > 0) nonEmpty += 1;
        }
      }
      expect(nonEmpty).toBeGreaterThan(10);
    } finally {
      await reader.close();
    }
  });
});
