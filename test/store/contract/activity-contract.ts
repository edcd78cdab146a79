/**
 * Store rule 17, activity is not a change, as a sync against the simulator meets it: between two
 * syncs people only use the account (a user seen, a guest opening a space, the sync's own token),
 * and the second sync logs no change and no version, while the rows show the activity. And a store
 * synced before the rule was widened to users, guests and spaces stays exact across the upgrade.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { connectFlatfile } from '../../../src/flatfile/connect.js';
import { createLogger } from '../../../src/log.js';
import type { AuditStore } from '../../../src/store/audit-store.js';
import { inventoryChangeHash, type LoggedKind, type LoggedRow } from '../../../src/store/chain/inventory-digests.js';
import { verifyInventoryLog } from '../../../src/store/chain/verify-inventory-log.js';
import { verifyInventoryVersions } from '../../../src/store/chain/verify-inventory-versions.js';
import { syncAccount } from '../../../src/sync/sync-account.js';
import { syncOptionsFrom } from '../../../src/sync/sync-options.js';
import { simulator, TEST_PAT } from '../../helpers/simulator.js';
import { count, opened, query, reader, type ContractStore, type FreshStore } from './fixtures.js';

/** One account sync of `store` against the simulator at `url`, as the worker runs it. */
async function sync(store: AuditStore, url: string): Promise<void> {
  const config = loadConfig({ FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: '/nonexistent/unused.db', AUDIT_REQUEST_TIMEOUT: '5s', LOG_LEVEL: 'silent' });
  const log = createLogger({ level: 'silent' });
  const report = await syncAccount({ http: await connectFlatfile(config, log), store, log }, syncOptionsFrom(config), 'test');
  expect(report.status).toBe('ok');
}

async function logged(s: ContractStore): Promise<{ changes: number; versions: number; byKind: Record<string, number> }> {
  const [changes] = await query(s, 'SELECT COUNT(*) AS n FROM inventory_changes');
  const [versions] = await query(s, 'SELECT COUNT(*) AS n FROM inventory_versions');
  const byKind = Object.fromEntries((await query(s, 'SELECT kind, COUNT(*) AS n FROM inventory_changes GROUP BY kind')).map((r) => [r.kind, count(r.n)]));
  return { changes: count(changes!.n), versions: count(versions!.n), byKind };
}

/** The kinds whose digests covered their activity before rule 17 was widened (tokens' use was already left out). */
const WIDENED: readonly LoggedKind[] = ['users', 'spaces', 'guests', 'guest_spaces'];

/**
 * Rewrites the log of a store synced once as the earlier rule wrote it: those kinds' entries and
 * versions of the full row, activity included, and the chain over them again.
 */
async function asSyncedBefore(s: ContractStore): Promise<void> {
  const { rows, entries } = await (await reader(s)).snapshot(async (view) => {
    const rows = new Map<string, LoggedRow>();
    for (const kind of WIDENED) for (const row of await view.inventoryRows(kind)) rows.set(`${kind} ${String(row[0])}`, row);
    const entries: Array<{ seq: number; kind: LoggedKind; id: string; rowDigest: Buffer; seenAt: string }> = [];
    await view.eachInventoryChange((e) => entries.push({ seq: e.seq, kind: e.kind, id: e.id, rowDigest: e.rowDigest, seenAt: e.seenAt }));
    return { rows, entries };
  });
  const postgres = s.settings.postgres !== undefined;
  const bytes = (b: Buffer) => (postgres ? `decode('${b.toString('hex')}', 'hex')` : `X'${b.toString('hex')}'`);
  let previous: Buffer | null = null;
  const statements: string[] = [];
  for (const e of entries) {
    let digest = e.rowDigest;
    const row = rows.get(`${e.kind} ${e.id}`);
    if (row) {
      const content = JSON.stringify([e.kind, ...row]);
      digest = createHash('sha256').update(content).digest();
      statements.push(`UPDATE inventory_versions SET content = '${content.replaceAll("'", "''")}' WHERE seq = ${e.seq}`);
    }
    previous = inventoryChangeHash(previous, e.kind, e.id, digest, e.seenAt);
    statements.push(`UPDATE inventory_changes SET row_digest = ${bytes(digest)}, chain_hash = ${bytes(previous)} WHERE seq = ${e.seq}`);
  }
  await s.tamper(statements.join(';\n'));
}

const parsed = (raw: unknown) => (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
const iso = (value: unknown) => new Date(value as string).toISOString();

export function describeActivityContract(fresh: FreshStore): void {
  describe('rule 17: activity is not a change', () => {
    it('a sync after mere activity logs no change and no version; the rows show it; verify agrees; a rename still logs one', async () => {
      const s = await fresh();
      const store = await opened(s);
      const { url, sim } = await simulator({ account: { environments: 1, users: 3, spacesPerEnvironment: 2, guestsPerEnvironment: 2, eventsPerEnvironment: 5 } });
      await sync(store, url);
      const first = await logged(s);
      expect(first.changes).toBeGreaterThan(0);

      // Only activity: a user seen, a guest opening a space (which moves the space's lastActivityAt
      // too), and the sync's own token used by every request.
      sim.advanceClock(60_000);
      const user = sim.users()[0]!;
      const guest = sim.guests()[0]!;
      const spaceId = guest.spaces[0]!.id;
      sim.userSeen(user.id);
      sim.guestVisit(guest.id, spaceId);
      // The simulator's clock moves with real time too: read the visit's moment back, not the clock.
      const seenAt = sim.guests()[0]!.spaces.find((x) => x.id === spaceId)!.lastAccessed!;
      await sync(store, url);
      expect(await logged(s)).toEqual(first);

      // The rows follow the API.
      const [u] = await query(s, `SELECT last_active_at, raw FROM users WHERE id = '${user.id}'`);
      expect(iso(u!.last_active_at)).toBe(sim.users()[0]!.lastSeenAt);
      expect(parsed(u!.raw).lastSeenAt).toBe(sim.users()[0]!.lastSeenAt);
      const [m] = await query(s, `SELECT last_accessed FROM guest_spaces WHERE guest_id = '${guest.id}' AND space_id = '${spaceId}'`);
      expect(iso(m!.last_accessed)).toBe(iso(seenAt));
      const [g] = await query(s, `SELECT raw FROM guests WHERE id = '${guest.id}'`);
      expect((parsed(g!.raw).spaces as Array<{ id: string; lastAccessed?: string }>).find((x) => x.id === spaceId)!.lastAccessed).toBe(sim.guests()[0]!.spaces[0]!.lastAccessed);
      const [sp] = await query(s, `SELECT raw FROM spaces WHERE id = '${spaceId}'`);
      expect(parsed(sp!.raw).lastActivityAt).toBe(sim.findSpace(spaceId)!.lastActivityAt);

      const verify = async () => (await reader(s)).snapshot(async (view) => ({ log: await verifyInventoryLog(view), versions: await verifyInventoryVersions(view) }));
      expect(await verify()).toMatchObject({ log: { logged: true, problems: [] }, versions: { versioned: true, problems: [] } });

      // A real change, made along with more activity, is one entry.
      sim.advanceClock(60_000);
      sim.userSeen(user.id);
      sim.renameUser(sim.users()[1]!.id, { name: 'Renamed Person' });
      await sync(store, url);
      const after = await query(s, `SELECT c.kind, c.id, v.name FROM inventory_changes c JOIN inventory_versions v ON v.seq = c.seq WHERE c.seq > ${first.changes} ORDER BY c.seq`);
      expect(after).toEqual([{ kind: 'users', id: sim.users()[1]!.id, name: 'Renamed Person' }]);
      expect(await verify()).toMatchObject({ log: { problems: [] }, versions: { problems: [] } });

      // Activity edited behind the store's back is the price (rule 17); a name is still found.
      await s.tamper(`UPDATE users SET last_active_at = NULL WHERE id = '${user.id}'`);
      expect((await verify()).log.problems).toEqual([]);
      await s.tamper(`UPDATE users SET name = 'mallory' WHERE id = '${user.id}'`);
      expect((await verify()).log.problems).toEqual([expect.objectContaining({ table: 'users', kind: 'changed', id: user.id })]);
    });

    it('a store synced before the rule was widened verifies exact, its checkpoints agree with its log, and a row is logged again only once its activity moves', async () => {
      const s = await fresh();
      const store = await opened(s);
      const { url, sim } = await simulator({ account: { environments: 1, users: 3, spacesPerEnvironment: 2, guestsPerEnvironment: 2, eventsPerEnvironment: 5 } });
      await sync(store, url);
      await asSyncedBefore(s);
      const entries = async () => (await query(s, 'SELECT kind, id FROM inventory_changes ORDER BY seq')).map((r) => `${String(r.kind)} ${String(r.id)}`);
      const verified = async () => {
        const all = await entries();
        const { log, versions } = await (await reader(s)).snapshot(async (view) => ({ log: await verifyInventoryLog(view, all.length), versions: await verifyInventoryVersions(view) }));
        // What a checkpoint records of the tables is what the log says they are (verify --checkpoints compares the two).
        const state = await store.checkpoint!((state) => state);
        expect(state.inventory.tables).toEqual(log.at!.tables);
        expect(state.inventory.tables).toEqual(log.tables);
        return { log: log.problems, versions: versions.problems };
      };
      expect(await verified()).toEqual({ log: [], versions: [] });

      // Synced again with nothing but the sync's own token used: nothing to log.
      const before = await entries();
      sim.advanceClock(60_000);
      await sync(store, url);
      expect(await entries()).toEqual(before);
      expect(await verified()).toEqual({ log: [], versions: [] });

      // A user seen: that row once more, under today's rule; after that, activity is no change.
      const user = sim.users()[0]!.id;
      sim.userSeen(user);
      await sync(store, url);
      expect(await entries()).toEqual([...before, `users ${user}`]);
      expect(await verified()).toEqual({ log: [], versions: [] });
      sim.advanceClock(60_000);
      sim.userSeen(user);
      await sync(store, url);
      expect(await entries()).toHaveLength(before.length + 1);
      expect(await verified()).toEqual({ log: [], versions: [] });

      // A row still as the earlier rule logged it, edited behind the store's back, is found.
      const other = sim.users()[1]!.id;
      await s.tamper(`UPDATE users SET name = 'mallory' WHERE id = '${other}'`);
      const { log } = await (await reader(s)).snapshot(async (view) => ({ log: await verifyInventoryLog(view) }));
      expect(log.problems).toEqual([expect.objectContaining({ table: 'users', kind: 'changed', id: other })]);
    });
  });
}
