/**
 * A store synced before store rule 17 left users', guests' and spaces' activity out of the row
 * digests holds entries digested with it. After the upgrade verify stays exact on it (every row
 * still matches its entry, under the rule that entry was written by), a checkpoint agrees with the
 * log, and the next syncs log a row again only once its activity moves, under today's rule.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inventoryChangeHash, type LoggedKind, type LoggedRow } from '../../src/store/chain/inventory-digests.js';
import { verifyInventoryLog } from '../../src/store/chain/verify-inventory-log.js';
import { verifyInventoryVersions } from '../../src/store/chain/verify-inventory-versions.js';
import { loggedRows } from '../../src/store/sqlite/inventory-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { simulator } from '../helpers/simulator.js';
import { withSnapshot } from '../helpers/snapshot.js';
import { readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

/** The kinds whose digests covered their activity before (tokens' use was already left out). */
const WIDENED: readonly LoggedKind[] = ['users', 'spaces', 'guests', 'guest_spaces'];

/**
 * Rewrites the log of a store synced once as the earlier rule wrote it: those kinds' entries and
 * versions of the full row, activity included, and the chain over them again.
 */
function asSyncedBefore(path: string): void {
  const db = new Database(path);
  try {
    const rowOf = new Map<string, LoggedRow>();
    for (const kind of WIDENED) for (const row of loggedRows(db as never, kind)) rowOf.set(`${kind} ${String(row[0])}`, row);
    const entries = db.prepare('SELECT seq, kind, id, row_digest, seen_at FROM inventory_changes ORDER BY seq').all() as Array<{ seq: number; kind: LoggedKind; id: string; row_digest: Buffer; seen_at: string }>;
    let previous: Buffer | null = null;
    db.transaction(() => {
      for (const e of entries) {
        let digest = e.row_digest;
        const row = rowOf.get(`${e.kind} ${e.id}`);
        if (row) {
          const content = JSON.stringify([e.kind, ...row]);
          digest = createHash('sha256').update(content).digest();
          db.prepare('UPDATE inventory_versions SET content = ? WHERE seq = ?').run(content, e.seq);
        }
        previous = inventoryChangeHash(previous, e.kind, e.id, digest, e.seen_at);
        db.prepare('UPDATE inventory_changes SET row_digest = ?, chain_hash = ? WHERE seq = ?').run(digest, previous, e.seq);
      }
    })();
  } finally {
    db.close();
  }
}

const entries = (path: string) => readDb(path, (db) => db.prepare('SELECT seq, kind, id FROM inventory_changes ORDER BY seq').all() as Array<{ seq: number; kind: string; id: string }>);

async function verified(path: string) {
  const head = entries(path).at(-1)!.seq;
  const { log, versions } = await withSnapshot(path, async (view) => ({ log: await verifyInventoryLog(view, head), versions: await verifyInventoryVersions(view) }));
  const store = SqliteStore.open(path);
  try {
    const state = await store.checkpoint((s) => s);
    // What a checkpoint records of the tables is what the log says they are (verify --checkpoints compares the two).
    expect(state.inventory.tables).toEqual(log.at!.tables);
    expect(state.inventory.tables).toEqual(log.tables);
  } finally {
    await store.close();
  }
  return { log: log.problems, versions: versions.problems };
}

describe('a store synced before activity was left out of the digests', () => {
  it('verifies clean, checkpoints agree with its log, and a row is logged again only once its activity moves', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, users: 3, spacesPerEnvironment: 2, guestsPerEnvironment: 2, eventsPerEnvironment: 5 } });
    const path = tempDbPath();
    await runSync({ url, dbPath: path });
    asSyncedBefore(path);
    expect(await verified(path)).toEqual({ log: [], versions: [] });

    // Synced again with nothing but the sync's own token used: nothing to log.
    const before = entries(path).length;
    sim.advanceClock(60_000);
    await runSync({ url, dbPath: path });
    expect(entries(path)).toHaveLength(before);
    expect(await verified(path)).toEqual({ log: [], versions: [] });

    // A user seen: that row once more, under today's rule; and after that, activity is no change.
    const user = sim.users()[0]!.id;
    sim.userSeen(user);
    await runSync({ url, dbPath: path });
    expect(entries(path).slice(before)).toEqual([expect.objectContaining({ kind: 'users', id: user })]);
    expect(await verified(path)).toEqual({ log: [], versions: [] });
    sim.advanceClock(60_000);
    sim.userSeen(user);
    await runSync({ url, dbPath: path });
    expect(entries(path)).toHaveLength(before + 1);
    expect(await verified(path)).toEqual({ log: [], versions: [] });

    // Edited behind the store's back, a row still as the earlier rule logged it is found.
    const other = sim.users()[1]!.id;
    const db = new Database(path);
    db.prepare("UPDATE users SET name = 'mallory' WHERE id = ?").run(other);
    db.close();
    const { log } = await withSnapshot(path, async (view) => ({ log: await verifyInventoryLog(view) }));
    expect(log.problems).toEqual([expect.objectContaining({ table: 'users', kind: 'changed', id: other })]);
  });
});
