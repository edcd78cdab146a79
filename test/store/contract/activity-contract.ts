/**
 * Store rule 17, activity is not a change, as a sync against the simulator meets it: between two
 * syncs people only use the account (a user seen, a guest opening a space, the sync's own token),
 * and the second sync logs no change and no version, while the rows show the activity.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { connectFlatfile } from '../../../src/flatfile/connect.js';
import { createLogger } from '../../../src/log.js';
import type { AuditStore } from '../../../src/store/audit-store.js';
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
      const seenAt = new Date(sim.clock().getTime()).toISOString();
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
  });
}
