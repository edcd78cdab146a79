/**
 * Rule 18 of the store contract (src/store/audit-store.ts): every inventory version can be checked
 * against the change log entry it belongs to, through the read seam, for any store. Each tamper is
 * made straight on the database, as someone with write access to it would, and must be named by
 * kind, id and version; an untampered store, a pruned one, passes.
 */
import { describe, expect, it } from 'vitest';
import type { AuditStore, PruneStep } from '../../../src/store/audit-store.js';
import { verifyInventoryLog } from '../../../src/store/chain/verify-inventory-log.js';
import { verifyInventoryVersions } from '../../../src/store/chain/verify-inventory-versions.js';
import type { UserRecord } from '../../../src/records.js';
import { complete, count, event, guest, opened, page, query, reader, space, type ContractStore, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const T1 = '2026-10-01T00:05:00.000Z';
const T2 = '2026-10-01T00:20:00.000Z';
const T3 = '2026-10-01T01:00:00.000Z';
const at = (n: number) => new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();

function person(id: string, name: string, email: string, updatedAt?: string): UserRecord {
  return { id, email, name, createdAt: null, lastSeenAt: null, raw: JSON.stringify(updatedAt ? { id, name, email, updatedAt } : { id, name, email }) };
}

/** Ann renamed (from her updatedAt) then removed, Bob renamed (from when seen), a guest in a space, and events by both. */
async function history(store: AuditStore): Promise<void> {
  const users = (seenAt: string, ...records: UserRecord[]) => store.writeInventory({ kind: 'users', scope: null, records, seenAt });
  await users(T1, person('us_usr_ann', 'Ann', 'ann@example.com', at(30)), person('us_usr_bob', 'Bob', 'bob@example.com'));
  await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A)], seenAt: T1 });
  await store.writeInventory({ kind: 'guests', scope: A, records: [guest('us_g_1', A, ['us_sp_1'])], seenAt: T1 });
  await users(T2, person('us_usr_ann', 'Ann B.', 'ann.b@example.com', at(600)), person('us_usr_bob', 'Robert', 'bob@example.com'));
  await users(T3, person('us_usr_bob', 'Robert', 'bob@example.com'));
  await store.writePages([page(A, [event(A, 10, { actorId: 'us_usr_ann' }), event(A, 900, { actorId: 'us_usr_bob' }), event(A, 1500, { actorId: 'us_usr_bob' })], complete(at(1500)))]);
}

async function checked(s: ContractStore) {
  return (await reader(s)).snapshot(async (view) => ({ log: await verifyInventoryLog(view), versions: await verifyInventoryVersions(view) }));
}

/** The seq of a user's version with that name (and removal, if asked). */
async function versionSeq(s: ContractStore, id: string, name: string, removed = false): Promise<number> {
  const rows = await query(s, `SELECT seq FROM inventory_versions WHERE id = :id AND name = :name AND removed_at IS ${removed ? 'NOT ' : ''}NULL ORDER BY seq`, { id, name });
  return count(rows[0]!.seq);
}

/** Statements past the store's own guards too (foreign keys), as an intruder with write access can. */
const unchecked = (s: ContractStore) => (s.settings.postgres ? 'SET session_replication_role = replica; ' : 'PRAGMA foreign_keys = OFF; ');

interface Tamper {
  what: string;
  /** The version to tamper with: [user id, name, removed]. */
  target: [string, string, boolean?];
  sql: (seq: number, s: ContractStore) => string;
  problem: 'version-changed' | 'version-forged' | 'version-missing';
  /** The version named, when not the target (a forged one's own seq). */
  named?: (seq: number) => number;
  id?: string;
}

const TAMPERS: Tamper[] = [
  { what: 'a name changed (who acted on a past date)', target: ['us_usr_bob', 'Bob'], sql: (seq) => `UPDATE inventory_versions SET name = 'Mallory' WHERE seq = ${seq}`, problem: 'version-changed' },
  { what: 'an email changed', target: ['us_usr_ann', 'Ann'], sql: (seq) => `UPDATE inventory_versions SET email = 'mallory@example.com' WHERE seq = ${seq}`, problem: 'version-changed' },
  { what: 'a valid_from moved back', target: ['us_usr_bob', 'Robert'], sql: (seq) => `UPDATE inventory_versions SET valid_from = '${at(100)}' WHERE seq = ${seq}`, problem: 'version-changed' },
  { what: 'the content rewritten along with the name', target: ['us_usr_bob', 'Bob'], sql: (seq) => `UPDATE inventory_versions SET content = replace(content, '"Bob"', '"Mallory"'), name = 'Mallory' WHERE seq = ${seq}`, problem: 'version-changed' },
  { what: "a row's latest version deleted", target: ['us_usr_bob', 'Robert'], sql: (seq) => `DELETE FROM inventory_versions WHERE seq = ${seq}`, problem: 'version-missing' },
  { what: 'a version between two others deleted', target: ['us_usr_ann', 'Ann B.'], sql: (seq) => `DELETE FROM inventory_versions WHERE seq = ${seq}`, problem: 'version-missing' },
  { what: "a row's first version deleted", target: ['us_usr_ann', 'Ann'], sql: (seq) => `DELETE FROM inventory_versions WHERE seq = ${seq}`, problem: 'version-missing' },
  {
    what: 'a version forged with no log entry',
    target: ['us_usr_bob', 'Bob'],
    sql: (seq, s) => `${unchecked(s)}INSERT INTO inventory_versions (seq, kind, id, environment_id, valid_from, name, email, removed_at, content)
      SELECT 1000, kind, id, environment_id, '${at(1000)}', 'Mallory', email, removed_at, content FROM inventory_versions WHERE seq = ${seq}`,
    problem: 'version-forged',
    named: () => 1000,
  },
  {
    what: 'a version moved to another row',
    target: ['us_usr_bob', 'Bob'],
    sql: (seq) => `UPDATE inventory_versions SET id = 'us_usr_ann' WHERE seq = ${seq}`,
    problem: 'version-changed',
  },
];

export function describeVersionCheckContract(fresh: FreshStore): void {
  describe('rule 18: inventory versions are checked against their change log entries', () => {
    it('an untampered store: every version matches its entry', async () => {
      const s = await fresh();
      await history(await opened(s));
      const { log, versions } = await checked(s);
      expect(log.problems).toEqual([]);
      expect(versions).toEqual({ versioned: true, versions: count((await query(s, 'SELECT COUNT(*) AS n FROM inventory_changes'))[0]!.n), problems: [] });
      expect(versions.versions).toBe(8); // Ann 3, Bob 2, the space, the guest and their membership
    });

    for (const t of TAMPERS) {
      it(`names the version when ${t.what}`, async () => {
        const s = await fresh();
        await history(await opened(s));
        const seq = await versionSeq(s, t.target[0], t.target[1], t.target[2]);
        await s.tamper(t.sql(seq, s));
        const { log, versions } = await checked(s);
        expect(log.problems).toEqual([]); // the log and the inventories themselves are untouched
        expect(versions.problems.map((p) => ({ kind: p.kind, table: p.table, id: p.id, seq: p.seq }))).toEqual([
          { kind: t.problem, table: 'users', id: t.id ?? t.target[0], seq: t.named?.(seq) ?? seq },
        ]);
        expect(versions.problems[0]!.detail).toContain(`users ${t.id ?? t.target[0]} version ${t.named?.(seq) ?? seq}`);
      });
    }

    it('a renamed version changes what the trail shows, which is why it is checked', async () => {
      const s = await fresh();
      await history(await opened(s));
      await s.tamper(`UPDATE inventory_versions SET name = 'Mallory' WHERE seq = ${await versionSeq(s, 'us_usr_bob', 'Bob')}`);
      const trail = await query(s, "SELECT actor_name FROM audit_trail WHERE actor_id = 'us_usr_bob' ORDER BY created_at");
      expect(trail.map((r) => r.actor_name)).toEqual(['Mallory', 'Robert']);
      expect((await checked(s)).versions.problems).toHaveLength(1);
    });

    it('a guest membership version forged back in time is named', async () => {
      const s = await fresh();
      await history(await opened(s));
      await s.tamper(`UPDATE inventory_versions SET valid_from = '${at(1)}' WHERE kind = 'guest_spaces'`);
      const problems = (await checked(s)).versions.problems;
      expect(problems.map((p) => [p.kind, p.table, p.id])).toEqual([['version-changed', 'guest_spaces', 'us_g_1 us_sp_1']]);
    });

    it('still verifies after a prune cut the events (versions are never pruned)', async () => {
      const s = await fresh();
      const store = await opened(s);
      await history(store);
      const step = (environmentId: string, throughSeq: number): PruneStep => ({
        environmentId, throughSeq, limit: 100, pruneId: 'p1', prunedAt: '2026-11-30T00:00:00.000Z', command: 'test', archive: null, archiveSha256: null,
      });
      const plans = await store.planPrune({ [A]: at(2000) });
      expect(plans.map((p) => p.environmentId)).toEqual([A]);
      for (const plan of plans) expect(await store.pruneStep(step(plan.environmentId, plan.throughSeq))).toMatchObject({ seq: plan.throughSeq });
      expect(count((await query(s, 'SELECT COUNT(*) AS n FROM events'))[0]!.n)).toBeLessThan(3);
      const { log, versions } = await checked(s);
      expect([log.problems, versions.problems, versions.versions]).toEqual([[], [], 8]);
    });
  });
}
