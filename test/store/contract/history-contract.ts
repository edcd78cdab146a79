/**
 * Rule 9 of the store contract (src/store/audit-store.ts): inventories keep their history, the
 * trail names an actor as at the event's time, and guest access has a from/until, for any store.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cookbookQuery, cookbookSql } from '../../../src/cookbook.js';
import type { AuditStore } from '../../../src/store/audit-store.js';
import type { UserRecord } from '../../../src/records.js';
import { complete, count, event, guest, opened, page, query, reader, rows, space, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const T1 = '2026-10-01T00:05:00.000Z';
const T2 = '2026-10-01T00:20:00.000Z';
const T3 = '2026-10-01T01:00:00.000Z';
const T4 = '2026-10-01T02:00:00.000Z';
/** The fixtures' event n is created at 2026-10-01T00:00:00Z plus n seconds. */
const at = (n: number) => new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();

function person(id: string, name: string, email: string, updatedAt?: string): UserRecord {
  return { id, email, name, createdAt: null, lastSeenAt: null, raw: JSON.stringify(updatedAt ? { id, name, email, updatedAt } : { id, name, email }) };
}

async function users(store: AuditStore, seenAt: string, ...records: UserRecord[]): Promise<void> {
  await store.writeInventory({ kind: 'users', scope: null, records, seenAt });
}

function accessEvent(n: number, topic: 'space:guestAdded' | 'space:guestRemoved', guestId: string, spaceId: string, actorId: string) {
  return event(A, n, { topic, domain: 'space', spaceId, actorId, raw: JSON.stringify({ topic, payload: { guestId }, context: { spaceId, actorId } }) });
}

export function describeHistoryContract(fresh: FreshStore): void {
  describe('rule 14: who was who, at the time', () => {
    it('names the actor as at the event (from updatedAt, else when first seen; the earliest known before any), and today apart', async () => {
      const s = await fresh();
      const store = await opened(s);
      await users(store, T1, person('us_usr_ann', 'Ann', 'ann@example.com', at(30)), person('us_usr_bob', 'Bob', 'bob@example.com'));
      // Ann renamed at 00:10 (her updatedAt), seen at 00:20; Bob renamed with no updatedAt, so from when seen.
      await users(store, T2, person('us_usr_ann', 'Ann B.', 'ann.b@example.com', at(600)), person('us_usr_bob', 'Robert', 'bob@example.com'));
      const acts = [[10, 'us_usr_ann'], [300, 'us_usr_ann'], [600, 'us_usr_ann'], [900, 'us_usr_bob'], [1500, 'us_usr_bob']] as const;
      await store.writePages([page(A, acts.map(([n, actorId]) => event(A, n, { actorId })), complete(at(1500)))]);
      const trail = () => query(s, 'SELECT created_at, actor_name, actor_email, actor_current_name, actor_current_email, actor_removed_at FROM audit_trail ORDER BY created_at');
      expect((await trail()).map((r) => [r.created_at, r.actor_name, r.actor_email, r.actor_current_name, r.actor_current_email])).toEqual([
        [at(10), 'Ann', 'ann@example.com', 'Ann B.', 'ann.b@example.com'], // before her first version: the earliest known
        [at(300), 'Ann', 'ann@example.com', 'Ann B.', 'ann.b@example.com'],
        [at(600), 'Ann B.', 'ann.b@example.com', 'Ann B.', 'ann.b@example.com'], // from her updatedAt on, though seen later
        [at(900), 'Bob', 'bob@example.com', 'Robert', 'bob@example.com'],
        [at(1500), 'Robert', 'bob@example.com', 'Robert', 'bob@example.com'],
      ]);

      // Removed: her events keep her name; the removal is a version of its own, from when it was seen.
      await users(store, T3, person('us_usr_bob', 'Robert', 'bob@example.com'));
      await store.writePages([page(A, [event(A, 4000, { actorId: 'us_usr_ann' })], complete(at(4000)))]);
      const last = (await trail()).at(-1)!;
      expect([last.actor_name, last.actor_current_name, last.actor_removed_at]).toEqual(['Ann B.', 'Ann B.', T3]);
      // Back unchanged, with her old updatedAt: new from when seen, so her versions never run backwards.
      await users(store, T4, person('us_usr_ann', 'Ann B.', 'ann.b@example.com', at(600)), person('us_usr_bob', 'Robert', 'bob@example.com'));
      const versions = await query(s, "SELECT valid_from, name, removed_at FROM inventory_versions WHERE id = 'us_usr_ann' ORDER BY seq");
      expect(versions).toEqual([
        { valid_from: at(30), name: 'Ann', removed_at: null },
        { valid_from: at(600), name: 'Ann B.', removed_at: null },
        { valid_from: T3, name: 'Ann B.', removed_at: T3 },
        { valid_from: T4, name: 'Ann B.', removed_at: null },
      ]);
    });

    it("keeps each change log entry's row content, which its digest is of", async () => {
      const s = await fresh();
      const store = await opened(s);
      await users(store, T1, person('us_usr_ann', 'Ann', 'ann@example.com', at(30)));
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A)], seenAt: T1 });
      await store.writeInventory({ kind: 'guests', scope: A, records: [guest('us_g_1', A, ['us_sp_1'])], seenAt: T1 });
      await store.writeInventory({ kind: 'agents', scope: A, records: [{ id: 'us_ag_1', environmentId: A, slug: 'importer', topics: ['job:ready', 'file:created'], createdAt: T1, raw: '{}' }], seenAt: T1 });
      await store.writeInventory({ kind: 'environments', scope: null, records: [{ id: A, accountId: 'us_acc_1', name: 'Alpha', isProd: true, raw: '{}' }], seenAt: T1 });
      await users(store, T2, person('us_usr_ann', 'Ann B.', 'ann@example.com', at(600)));
      const log = await query(s, 'SELECT c.seq, c.kind, c.row_digest, v.content FROM inventory_changes c LEFT JOIN inventory_versions v ON v.seq = c.seq ORDER BY c.seq');
      expect(log.map((r) => r.kind)).toEqual(['users', 'spaces', 'guest_spaces', 'guests', 'agents', 'environments', 'users']);
      for (const entry of log) {
        expect(createHash('sha256').update(entry.content as string).digest().toString('hex')).toBe(Buffer.from(entry.row_digest as Uint8Array).toString('hex'));
      }
    });
  });

  describe('rule 14: who had access, from when until when', () => {
    it('builds access from events and inventory changes, and answers space-access at any time', async () => {
      const s = await fresh();
      const store = await opened(s);
      const guests = (seenAt: string, ...records: ReturnType<typeof guest>[]) => store.writeInventory({ kind: 'guests', scope: A, records, seenAt });
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A), space('us_sp_2', A)], seenAt: T1 });
      await store.writePages([page(A, [accessEvent(100, 'space:guestRemoved', 'us_g_3', 'us_sp_2', 'us_usr_ann')], complete(at(100)))]);
      await guests(T1, guest('us_g_1', A, ['us_sp_1', 'us_sp_2']));
      await store.writePages([page(A, [accessEvent(420, 'space:guestAdded', 'us_g_2', 'us_sp_1', 'us_usr_ann')], complete(at(420)))]);
      await guests(T2, guest('us_g_1', A, ['us_sp_1']), guest('us_g_2', A, ['us_sp_1'])); // g1 lost sp2; g2's grant seen again
      await store.writePages([page(A, [accessEvent(1800, 'space:guestRemoved', 'us_g_2', 'us_sp_1', 'us_usr_bob')], complete(at(1800)))]);
      await guests(T3, guest('us_g_1', A, ['us_sp_1']));

      const access = await query(s, 'SELECT guest_id, space_id, granted_at, revoked_at, granted_by, revoked_by FROM guest_access ORDER BY space_id, guest_id');
      expect(access).toEqual([
        { guest_id: 'us_g_1', space_id: 'us_sp_1', granted_at: T1, revoked_at: null, granted_by: null, revoked_by: null },
        { guest_id: 'us_g_2', space_id: 'us_sp_1', granted_at: at(420), revoked_at: at(1800), granted_by: 'us_usr_ann', revoked_by: 'us_usr_bob' },
        { guest_id: 'us_g_1', space_id: 'us_sp_2', granted_at: T1, revoked_at: T2, granted_by: null, revoked_by: null },
        { guest_id: 'us_g_3', space_id: 'us_sp_2', granted_at: null, revoked_at: at(100), granted_by: null, revoked_by: 'us_usr_ann' },
      ]);

      const read = await reader(s);
      const sql = cookbookSql(cookbookQuery('space-access'), read.dialect);
      const who = async (spaceId: string, time: string) => (await rows(read, sql, { space: spaceId, at: time })).map((r) => r.guest_id);
      expect(await who('us_sp_1', at(360))).toEqual(['us_g_1']);
      expect(await who('us_sp_1', at(420))).toEqual(['us_g_1', 'us_g_2']);
      expect(await who('us_sp_1', '2026-10-01T00:29:59.999Z')).toEqual(['us_g_1', 'us_g_2']);
      expect(await who('us_sp_1', at(1800))).toEqual(['us_g_1']);
      expect(await who('us_sp_2', at(60))).toEqual(['us_g_3']);
      expect(await who('us_sp_2', '2026-10-01T00:19:00+00:00')).toEqual(['us_g_1']);
      expect(await who('us_sp_2', T2)).toEqual([]);
    });
  });

  describe('rule 14: guest_access is read from the changes that matter, and answers as numbering every change does', () => {
    /** The view's definition before the walk (SQLite migration 12, PostgreSQL 6): every change numbered, in both dialects. */
    const NUMBERED = `SELECT environment_id, guest_id, space_id,
  CASE WHEN change = 'granted' THEN at END AS granted_at,
  CASE WHEN change = 'granted' THEN next_at ELSE at END AS revoked_at,
  CASE WHEN change = 'granted' THEN changed_by END AS granted_by,
  CASE WHEN change = 'granted' THEN next_by ELSE changed_by END AS revoked_by
FROM (
  SELECT s.*, LEAD(at) OVER w AS next_at, LEAD(changed_by) OVER w AS next_by
  FROM (
    SELECT c.*, LAG(change) OVER (PARTITION BY guest_id, space_id ORDER BY at, source, event_id) AS previous_change
    FROM guest_access_changes c WHERE guest_id IS NOT NULL AND space_id IS NOT NULL
  ) s
  WHERE previous_change IS NULL OR previous_change <> change
  WINDOW w AS (PARTITION BY guest_id, space_id ORDER BY at, source, event_id)
) t
WHERE change = 'granted' OR previous_change IS NULL`;
    const ORDER = ' ORDER BY environment_id, space_id, guest_id, CASE WHEN granted_at IS NULL THEN 0 ELSE 1 END, granted_at, revoked_at';

    it('after grants, repeated grants, revokes, re-grants, events at one time, the guest.id form, inventory changes between events and a removal', async () => {
      const s = await fresh();
      const store = await opened(s);
      const guests = (seenAt: string, ...records: ReturnType<typeof guest>[]) => store.writeInventory({ kind: 'guests', scope: A, records, seenAt });
      const added = (n: number, g: string, sp: string, by = 'us_usr_ann') => accessEvent(n, 'space:guestAdded', g, sp, by);
      const removed = (n: number, g: string, sp: string, by = 'us_usr_bob') => accessEvent(n, 'space:guestRemoved', g, sp, by);
      // Three at one time (the fixtures' ids order them), named the other way the API names a guest.
      const sameTime = (n: number, k: number, topic: 'space:guestAdded' | 'space:guestRemoved') =>
        event(A, n * 10 + k, { createdAt: at(n), topic, domain: 'space', spaceId: 'us_sp_3', actorId: 'us_usr_cy', raw: JSON.stringify({ topic, payload: { guest: { id: 'us_g_3' } } }) });
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A), space('us_sp_2', A), space('us_sp_3', A)], seenAt: at(1) });
      await store.writePages([page(A, [
        added(10, 'us_g_1', 'us_sp_1'), added(20, 'us_g_1', 'us_sp_1'), removed(30, 'us_g_1', 'us_sp_1'), removed(40, 'us_g_1', 'us_sp_1'),
        added(50, 'us_g_1', 'us_sp_1'), added(60, 'us_g_1', 'us_sp_1'),
        removed(15, 'us_g_2', 'us_sp_1'), removed(25, 'us_g_2', 'us_sp_1'), added(35, 'us_g_2', 'us_sp_1'),
        added(12, 'us_g_1', 'us_sp_2'), removed(18, 'us_g_1', 'us_sp_2'), added(11, 'us_g_4', 'us_sp_1'),
        sameTime(70, 1, 'space:guestAdded'), sameTime(70, 2, 'space:guestRemoved'), sameTime(70, 3, 'space:guestAdded'), sameTime(80, 1, 'space:guestRemoved'),
      ], complete(at(80)))]);
      // The inventory sees g1 in sp2 (revoked by the last event) and g2 in sp2 (no event), between events still to come.
      await guests(at(90), guest('us_g_1', A, ['us_sp_1', 'us_sp_2']), guest('us_g_2', A, ['us_sp_1', 'us_sp_2']), guest('us_g_4', A, ['us_sp_1']));
      await store.writePages([page(A, [
        added(100, 'us_g_1', 'us_sp_2'), removed(110, 'us_g_1', 'us_sp_2'), removed(120, 'us_g_1', 'us_sp_2'),
        removed(95, 'us_g_2', 'us_sp_2'), added(130, 'us_g_3', 'us_sp_3'),
        // An event later written for a time before others of its pair (the API lists late), and one naming no guest.
        removed(55, 'us_g_1', 'us_sp_1'), event(A, 140, { topic: 'space:guestAdded', domain: 'space', spaceId: 'us_sp_1', raw: '{}' }),
      ], complete(at(140)))]);
      // g2 and g4 are removed (their memberships gone), g1 seen again without sp2; then g2 back in sp1.
      await guests(at(150), guest('us_g_1', A, ['us_sp_1']));
      await guests(at(160), guest('us_g_1', A, ['us_sp_1']), guest('us_g_2', A, ['us_sp_1']));
      // g4 lost sp1 at 150 in the inventory and regained it by an event: that grant repeats the events' last, not the state before it.
      await store.writePages([page(A, [added(170, 'us_g_2', 'us_sp_1'), removed(180, 'us_g_2', 'us_sp_1'), added(155, 'us_g_4', 'us_sp_1')], complete(at(180)))]);

      const walked = await query(s, `SELECT * FROM guest_access${ORDER}`);
      expect(walked).toEqual(await query(s, `SELECT * FROM (${NUMBERED}) n${ORDER}`));
      // Each pair's stretches as the changes above give them (seconds after the fixtures' start), so that the comparison is not of two empty answers.
      const second = (time: unknown) => (time === null ? '-' : String((Date.parse(String(time)) - Date.parse(at(0))) / 1000));
      const spans = walked.map((r) => `${String(r.guest_id)} ${String(r.space_id)} ${second(r.granted_at)}..${second(r.revoked_at)} ${String(r.granted_by)}/${String(r.revoked_by)}`);
      expect(spans).toEqual([
        'us_g_1 us_sp_1 10..30 us_usr_ann/us_usr_bob', 'us_g_1 us_sp_1 50..55 us_usr_ann/us_usr_bob', 'us_g_1 us_sp_1 60..- us_usr_ann/null',
        'us_g_2 us_sp_1 -..15 null/us_usr_bob', 'us_g_2 us_sp_1 35..150 us_usr_ann/null', 'us_g_2 us_sp_1 160..180 null/us_usr_bob',
        'us_g_4 us_sp_1 11..150 us_usr_ann/null', 'us_g_4 us_sp_1 155..- us_usr_ann/null',
        'us_g_1 us_sp_2 12..18 us_usr_ann/us_usr_bob', 'us_g_1 us_sp_2 90..110 null/us_usr_bob', 'us_g_2 us_sp_2 90..95 null/us_usr_bob',
        'us_g_3 us_sp_3 70..70 us_usr_cy/us_usr_cy', 'us_g_3 us_sp_3 70..80 us_usr_cy/us_usr_cy', 'us_g_3 us_sp_3 130..- us_usr_ann/null',
      ]);
    });
  });

  describe("audit_trail's event columns", () => {
    it('shows the context, outcome, production flag, space name, deletion and ingestion of each event', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writeInventory({ kind: 'environments', scope: null, records: [{ id: A, accountId: 'us_acc_1', name: 'Alpha', isProd: true, raw: '{}' }], seenAt: T1 });
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A)], seenAt: T1 });
      const raw = {
        topic: 'job:failed', acknowledgedBy: 'us_ag_1', origin: { id: 'us_or_1', slug: 'x' }, payload: { status: 'failed' },
        context: { spaceId: 'us_sp_1', fileId: 'us_fl_1', documentId: 'us_dc_1', appId: 'us_app_1', actionName: 'submit', jobId: 'us_jb_1' },
      };
      await store.writePages([page(A, [
        event(A, 1, { topic: 'job:failed', domain: 'job', spaceId: 'us_sp_1', jobId: 'us_jb_1', deletedAt: at(5), acknowledgedAt: at(2), raw: JSON.stringify(raw) }),
        event(A, 2, { topic: 'file:created', domain: 'file', raw: JSON.stringify({ payload: { status: 'complete' } }) }),
      ], complete(at(2)))]);
      const trail = await query(s, `SELECT event_id, file_id, document_id, app_id, action_name, origin_id, acknowledged_by, outcome, is_prod, space_name, deleted_at, ingested_at
        FROM audit_trail ORDER BY created_at`);
      expect(trail.map((r) => ({ ...r, is_prod: count(r.is_prod), ingested_at: typeof r.ingested_at }))).toEqual([
        { event_id: `us_evt_${A}_1`, file_id: 'us_fl_1', document_id: 'us_dc_1', app_id: 'us_app_1', action_name: 'submit', origin_id: 'us_or_1', acknowledged_by: 'us_ag_1', outcome: 'failed', is_prod: 1, space_name: 'Space us_sp_1', deleted_at: at(5), ingested_at: 'string' },
        // outcome is a job's status: a file's payload status is not one
        { event_id: `us_evt_${A}_2`, file_id: null, document_id: null, app_id: null, action_name: null, origin_id: null, acknowledged_by: null, outcome: null, is_prod: 1, space_name: null, deleted_at: null, ingested_at: 'string' },
      ]);
    });
  });
}
