/** The write side of the store contract (the rules listed in src/store/audit-store.ts), for any store. */
import { describe, expect, it } from 'vitest';
import { AuditError } from '../../../src/errors.js';
import { INTERRUPTED_RUN_ERROR } from '../../../src/store/audit-store.js';
import { verifyInventoryLog } from '../../../src/store/chain/verify-inventory-log.js';
import { AT, brokenEvent, complete, count, event, events, guest, opened, page, progress, query, reader, space, user, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';
const FAR_FUTURE = '9999-01-01T00:00:00.000Z';

export function describeWriteContract(fresh: FreshStore): void {
  describe('rule 1: idempotent by id', () => {
    it('stores an event once, whatever page or environment brings it again, and counts only new ones', async () => {
      const s = await fresh();
      const store = await opened(s);
      expect((await store.writePages([page(A, events(A, 1, 2))])).insertedByEnvironment.get(A)).toBe(2);
      expect((await store.writePages([page(A, events(A, 2, 3))])).insertedByEnvironment.get(A)).toBe(1);
      // The same id under another environment is the same event: not stored again.
      const again = await store.writePages([page(B, [{ ...event(A, 3), environmentId: B }])]);
      expect(again.insertedByEnvironment.get(B) ?? 0).toBe(0);
      expect((await store.status({ futureDatedAfter: FAR_FUTURE })).totals.events).toBe(3);
      expect(await query(s, 'SELECT id, environment_id FROM events ORDER BY id')).toEqual(
        events(A, 1, 3).map((e) => ({ id: e.id, environment_id: A })),
      );
    });

    it('keeps each distinct rejected item once, counting how often it was seen', async () => {
      const s = await fresh();
      const store = await opened(s);
      const rejected = { environmentId: A, eventId: null, reason: 'event has no id', raw: '{"topic":"x"}' };
      await store.writePages([page(A, [], progress(2), [rejected])]);
      await store.writePages([page(A, [], progress(3), [rejected])]);
      const stored = await query(s, 'SELECT reason, times_seen FROM rejected_events');
      expect(stored.map((r) => [r.reason, count(r.times_seen)])).toEqual([['event has no id', 2]]);
      expect((await store.status({ futureDatedAfter: FAR_FUTURE })).totals.rejected).toBe(1);
    });
  });

  describe('rule 2: atomic pages', () => {
    it('commits a batch all or nothing: a failing one leaves none of its events and none of its cursors', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, [event(A, 1)], progress(2))]);
      const failing = store.writePages([page(A, [event(A, 2)], progress(3)), page(B, [event(B, 1)], progress(2)), page(A, [brokenEvent(A, 3)], progress(4))]);
      await expect(failing).rejects.toBeInstanceOf(AuditError);
      await expect(failing).rejects.toMatchObject({ code: 'STORE_FAILED' });
      expect((await query(s, 'SELECT id FROM events')).map((r) => r.id)).toEqual([event(A, 1).id]);
      expect((await store.readCursor(A))?.listing?.nextPage).toBe(2);
      expect(await store.readCursor(B)).toBeUndefined();
      expect(await store.chainHead(B)).toBeNull();
      expect((await store.chainHead(A))?.seq).toBe(1);
    });

    it('a batch commits once, and takes no page after it was committed', async () => {
      const s = await fresh();
      const store = await opened(s);
      const batch = store.openBatch();
      expect(batch.size).toBe(0);
      batch.add(page(A, [event(A, 1)]));
      batch.add(page(B, [event(B, 1)]));
      expect(batch.size).toBe(2);
      expect((await batch.commit()).insertedByEnvironment).toEqual(new Map([[A, 1], [B, 1]]));
      expect(() => batch.add(page(A, [event(A, 2)]))).toThrow(AuditError);
      await expect(batch.commit()).rejects.toBeInstanceOf(AuditError);
      expect(count((await query(s, 'SELECT COUNT(*) AS n FROM events'))[0]!.n)).toBe(2);
    });
  });

  describe('rule 3: ordered writes', () => {
    it('applies batches in the order they are committed, not opened: chains and cursors follow that order', async () => {
      const s = await fresh();
      const store = await opened(s);
      const first = store.openBatch();
      const second = store.openBatch();
      first.add(page(A, [event(A, 1), event(A, 2)], progress(2)));
      second.add(page(A, [event(A, 3)], progress(3)));
      // Committed before `first`, without waiting: `first` is applied after it.
      const committed = [second.commit(), first.commit()];
      await Promise.all(committed);
      expect((await query(s, 'SELECT id FROM events ORDER BY chain_seq')).map((r) => r.id)).toEqual([event(A, 3).id, event(A, 1).id, event(A, 2).id]);
      expect((await store.readCursor(A))?.listing?.nextPage).toBe(2);
    });

    it('refuses a batch committed while an earlier one of its environment is pending once that one fails, and every one behind it; a later one starts afresh', async () => {
      const s = await fresh();
      const store = await opened(s);
      const failing = store.writePages([page(A, [brokenEvent(A, 1)], progress(2))]);
      const behind = store.writePages([page(A, [event(A, 2)], progress(3))]); // made before the first was answered
      // Shares A with the one behind: refused too, B's page with it.
      const sharing = store.writePages([page(B, [event(B, 1)], progress(2)), page(A, [event(A, 3)], progress(4))]);
      // Behind `sharing` through B only: still refused, whatever lane it came by.
      const further = store.writePages([page(B, [event(B, 2)], progress(3))]);
      await expect(failing).rejects.toMatchObject({ code: 'STORE_FAILED' });
      await expect(behind).rejects.toMatchObject({ code: 'STORE_FAILED' });
      await expect(sharing).rejects.toMatchObject({ code: 'STORE_FAILED' });
      await expect(further).rejects.toMatchObject({ code: 'STORE_FAILED' });
      expect(await query(s, 'SELECT id FROM events')).toEqual([]);
      expect(await store.readCursor(A)).toBeUndefined();
      expect(await store.readCursor(B)).toBeUndefined();
      // Made after the failure was reported: a fresh start.
      expect((await store.writePages([page(A, [event(A, 3)], progress(4))])).insertedByEnvironment.get(A)).toBe(1);
      expect((await store.readCursor(A))?.listing?.nextPage).toBe(4);
    });

    it('does not refuse a batch with no environment in common with a failed one', async () => {
      const s = await fresh();
      const store = await opened(s);
      const failing = store.writePages([page(A, [brokenEvent(A, 1)], progress(2))]);
      const other = store.writePages([page(B, [event(B, 1)], progress(2))]); // made before the first was answered
      const behindOther = store.writePages([page(B, [event(B, 2)], progress(3))]);
      await expect(failing).rejects.toMatchObject({ code: 'STORE_FAILED' });
      expect((await other).insertedByEnvironment.get(B)).toBe(1);
      expect((await behindOther).insertedByEnvironment.get(B)).toBe(1);
      expect((await query(s, 'SELECT id FROM events ORDER BY chain_seq')).map((r) => r.id)).toEqual([event(B, 1).id, event(B, 2).id]);
      expect((await store.readCursor(B))?.listing?.nextPage).toBe(3);
      expect(await store.readCursor(A)).toBeUndefined();
    });

    it('close() lets the writes under way commit first, and refuses writes after it', async () => {
      const s = await fresh();
      const store = await opened(s);
      const writes = [1, 2, 3].map((n) => store.writePages([page(A, [event(A, n)], progress(n + 1))]));
      await store.close();
      expect((await Promise.all(writes)).map((r) => r.insertedByEnvironment.get(A))).toEqual([1, 1, 1]);
      await expect(store.writePages([page(A, [event(A, 4)])])).rejects.toBeInstanceOf(AuditError);
      expect(count((await query(s, 'SELECT COUNT(*) AS n FROM events'))[0]!.n)).toBe(3);
    });
  });

  describe('rule 4: the high-water mark only moves forward', () => {
    it('a completed listing moves it to a later time only, and clears the listing and the last error', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, [event(A, 5)], progress(2, { since: '2026-09-30T00:00:00.000Z', maxCreatedAt: event(A, 5).createdAt }))]);
      await store.recordEnvironmentError(A, 'HTTP 500 from /events', '2026-11-01T00:30:00.000Z');
      await store.writePages([page(A, [], complete('2026-10-05T00:00:00.000Z', '2026-11-01T01:00:00.000Z'))]);
      const after = { highWater: '2026-10-05T00:00:00.000Z', listing: null, lastError: null };
      expect(await store.readCursor(A)).toMatchObject({ ...after, lastSuccessAt: '2026-11-01T01:00:00.000Z' });
      await store.writePages([page(A, [], complete('2026-10-02T00:00:00.000Z', '2026-11-01T02:00:00.000Z'))]);
      expect(await store.readCursor(A)).toMatchObject({ ...after, lastSuccessAt: '2026-11-01T02:00:00.000Z' });
      await store.writePages([page(A, [], complete(null, '2026-11-01T03:00:00.000Z'))]);
      expect(await store.readCursor(A)).toMatchObject({ ...after, lastSuccessAt: '2026-11-01T03:00:00.000Z' });
      await store.writePages([page(A, [], complete('2026-10-06T00:00:00.000Z'))]);
      expect((await store.readCursor(A))?.highWater).toBe('2026-10-06T00:00:00.000Z');
    });

    it('several updates of one environment in one batch end as if written one after another', async () => {
      const s = await fresh();
      const store = await opened(s);
      const listing = (nextPage: number) => ({ since: '2026-09-30T00:00:00.000Z', pageSize: 50, nextPage, maxCreatedAt: '2026-10-01T00:00:09.000Z', pageFill: 40, startedAt: '2026-11-01T00:00:01.000Z' });
      await store.writePages([page(A, [], complete('2026-10-09T00:00:00.000Z', '2026-11-01T00:00:00.000Z'))]);
      await store.recordEnvironmentError(A, 'HTTP 500 from /events', '2026-11-01T00:30:00.000Z');
      await store.recordEnvironmentError(B, 'HTTP 502 from /events', '2026-11-01T00:30:00.000Z');
      // A: progress, two completions (the later one lower), then a new listing's progress.
      await store.writePages([
        page(A, [], { kind: 'progress', listing: listing(2) }),
        page(A, [], complete('2026-10-12T00:00:00.000Z', '2026-11-01T01:00:00.000Z')),
        page(A, [], complete('2026-10-11T00:00:00.000Z', '2026-11-01T02:00:00.000Z')),
        page(A, [], { kind: 'progress', listing: listing(3) }),
        page(A, [], { kind: 'progress', listing: listing(4) }),
        // B: progress only: its error and its (absent) high-water mark stay.
        page(B, [], { kind: 'progress', listing: listing(5) }),
        page(B, [], { kind: 'none' }),
      ]);
      expect(await store.readCursor(A)).toEqual({ environmentId: A, highWater: '2026-10-12T00:00:00.000Z', listing: listing(4), lastSuccessAt: '2026-11-01T02:00:00.000Z', lastError: null });
      expect(await store.readCursor(B)).toEqual({ environmentId: B, highWater: null, listing: listing(5), lastSuccessAt: null, lastError: 'HTTP 502 from /events' });
      // Progress, then completion: the listing is gone.
      await store.writePages([page(B, [], { kind: 'progress', listing: listing(6) }), page(B, [], complete(null, '2026-11-01T03:00:00.000Z'))]);
      expect(await store.readCursor(B)).toEqual({ environmentId: B, highWater: null, listing: null, lastSuccessAt: '2026-11-01T03:00:00.000Z', lastError: null });
    });

    it('keeps a listing in progress exactly as written, and an error apart from the position', async () => {
      const s = await fresh();
      const store = await opened(s);
      const listing = { since: '2026-09-30T00:00:00.000Z', pageSize: 50, nextPage: 7, maxCreatedAt: '2026-10-01T00:00:09.000Z', pageFill: 40, startedAt: '2026-11-01T00:00:01.000Z' };
      await store.writePages([page(B, [], { kind: 'progress', listing }), page(A, [], complete('2026-10-01T00:00:00.000Z'))]);
      await store.recordEnvironmentError(B, 'the listing kept changing its page size', '2026-11-01T00:05:00.000Z');
      expect(await store.readCursor(B)).toEqual({ environmentId: B, highWater: null, listing, lastSuccessAt: null, lastError: 'the listing kept changing its page size' });
      expect((await store.listCursors()).map((c) => c.environmentId)).toEqual([A, B]);
      expect(await store.readCursor('us_env_none')).toBeUndefined();
    });
  });

  describe('rule 5: gapless chains', () => {
    it('links every new event into its own environment\'s chain, 1, 2, 3…, whatever order environments and repeats come in', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 3)), page(B, events(B, 1, 2)), page(A, events(A, 3, 5))]);
      await store.writePages([page(B, events(B, 2, 3))]);
      const chained = await query(s, 'SELECT environment_id, chain_seq, id FROM events ORDER BY environment_id, chain_seq');
      expect(chained.map((r) => [r.environment_id, count(r.chain_seq), r.id])).toEqual([
        ...events(A, 1, 5).map((e, i) => [A, i + 1, e.id]),
        ...events(B, 1, 3).map((e, i) => [B, i + 1, e.id]),
      ]);
      expect((await store.chainHead(A))?.seq).toBe(5);
      expect((await store.chainHead(B))?.seq).toBe(3);
      expect(await store.chainHead('us_env_none')).toBeNull();
    });
  });

  describe('rule 6: inventories are never deleted', () => {
    it('marks rows of the listing\'s scope removed when a listing no longer holds them, and present again when they return', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_a1', A), space('us_sp_a2', A)], seenAt: AT });
      await store.writeInventory({ kind: 'spaces', scope: B, records: [space('us_sp_b1', B)], seenAt: AT });
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_a2', A)], seenAt: '2026-11-02T00:00:00.000Z' });
      const spaces = () => query(s, 'SELECT id, removed_at FROM spaces ORDER BY id');
      expect(await spaces()).toEqual([
        { id: 'us_sp_a1', removed_at: '2026-11-02T00:00:00.000Z' },
        { id: 'us_sp_a2', removed_at: null },
        { id: 'us_sp_b1', removed_at: null },
      ]);
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_a1', A), space('us_sp_a2', A)], seenAt: '2026-11-03T00:00:00.000Z' });
      expect((await spaces()).map((r) => r.removed_at)).toEqual([null, null, null]);

      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: AT });
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_bob', 'Bob')], seenAt: '2026-11-02T00:00:00.000Z' });
      expect(await query(s, 'SELECT id, removed_at FROM users ORDER BY id')).toEqual([
        { id: 'us_usr_ann', removed_at: '2026-11-02T00:00:00.000Z' },
        { id: 'us_usr_bob', removed_at: null },
      ]);
      expect((await store.status({ futureDatedAfter: FAR_FUTURE })).totals).toMatchObject({ users: 1, spaces: 3 });
    });

    it('keeps a guest in several spaces as one guest, and removes only the memberships gone', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writeInventory({ kind: 'guests', scope: A, records: [guest('us_g_1', A, ['us_sp_1', 'us_sp_2', 'us_sp_3'])], seenAt: AT });
      await store.writeInventory({ kind: 'guests', scope: A, records: [guest('us_g_1', A, ['us_sp_2'])], seenAt: '2026-11-02T00:00:00.000Z' });
      expect(await query(s, 'SELECT space_id, removed_at FROM guest_spaces ORDER BY space_id')).toEqual([
        { space_id: 'us_sp_1', removed_at: '2026-11-02T00:00:00.000Z' },
        { space_id: 'us_sp_2', removed_at: null },
        { space_id: 'us_sp_3', removed_at: '2026-11-02T00:00:00.000Z' },
      ]);
      expect((await store.status({ futureDatedAfter: FAR_FUTURE })).totals.guests).toBe(1);
    });

    it('logs each change a listing makes, and nothing for a row seen again unchanged', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: AT });
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: '2026-11-02T00:00:00.000Z' });
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann B.')], seenAt: '2026-11-03T00:00:00.000Z' });
      const log = await query(s, 'SELECT seq, kind, id, seen_at FROM inventory_changes ORDER BY seq');
      expect(log.map((r) => count(r.seq))).toEqual([1, 2, 3, 4]);
      // Within one listing the rows may be logged in any order.
      expect(log.map((r) => [r.seen_at, r.kind, r.id]).sort()).toEqual([
        [AT, 'users', 'us_usr_ann'],
        [AT, 'users', 'us_usr_bob'],
        ['2026-11-03T00:00:00.000Z', 'users', 'us_usr_ann'],
        ['2026-11-03T00:00:00.000Z', 'users', 'us_usr_bob'],
      ]);
    });
  });

  describe('rule 6 for personal access tokens', () => {
    it('keeps what Flatfile lists of each token, marks deleted ones removed and logs the changes; no column holds a token value', async () => {
      const s = await fresh();
      const store = await opened(s);
      const pat = (id: string, lastUsedAt: string | null) => ({
        id,
        name: `name of ${id}`,
        createdAt: '2026-01-01T00:00:00.000Z',
        lastUsedAt,
        raw: JSON.stringify({ id, name: `name of ${id}`, createdAt: '2026-01-01T00:00:00Z', ...(lastUsedAt ? { lastUsedAt } : {}) }),
      });
      await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: [pat('us_pat_old', null), pat('us_pat_new', null)], seenAt: AT });
      await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: [pat('us_pat_new', '2026-11-01T12:00:00.000Z')], seenAt: '2026-11-02T00:00:00.000Z' });
      expect(await query(s, 'SELECT id, name, created_at, last_used_at, first_seen_at, removed_at FROM personal_access_tokens ORDER BY id')).toEqual([
        { id: 'us_pat_new', name: 'name of us_pat_new', created_at: '2026-01-01T00:00:00.000Z', last_used_at: '2026-11-01T12:00:00.000Z', first_seen_at: AT, removed_at: null },
        { id: 'us_pat_old', name: 'name of us_pat_old', created_at: '2026-01-01T00:00:00.000Z', last_used_at: null, first_seen_at: AT, removed_at: '2026-11-02T00:00:00.000Z' },
      ]);
      // us_pat_new was only used meanwhile (rule 17): the removal of us_pat_old is the one change.
      const log = await query(s, "SELECT kind, id, seen_at FROM inventory_changes WHERE kind = 'personal_access_tokens' ORDER BY seq");
      expect(log.map((r) => [r.seen_at, r.id]).sort()).toEqual([
        [AT, 'us_pat_new'],
        [AT, 'us_pat_old'],
        ['2026-11-02T00:00:00.000Z', 'us_pat_old'],
      ]);
      // Seen again unchanged: nothing logged; back again: present again.
      await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: [pat('us_pat_new', '2026-11-01T12:00:00.000Z'), pat('us_pat_old', null)], seenAt: '2026-11-03T00:00:00.000Z' });
      expect((await query(s, 'SELECT removed_at FROM personal_access_tokens ORDER BY id')).map((r) => r.removed_at)).toEqual([null, null]);
      expect(await query(s, "SELECT id FROM inventory_changes WHERE kind = 'personal_access_tokens' AND seen_at = '2026-11-03T00:00:00.000Z'")).toEqual([{ id: 'us_pat_old' }]);
      const columns = (await query(s, 'SELECT * FROM personal_access_tokens LIMIT 1')).flatMap((r) => Object.keys(r));
      expect(columns.filter((c) => /token|secret|value/i.test(c))).toEqual([]);
    });
  });

  describe("rule 17: a token's use is not a change", () => {
    const pat = (id: string, name: string, lastUsedAt: string | null) => ({
      id,
      name,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUsedAt,
      raw: JSON.stringify({ id, name, createdAt: '2026-01-01T00:00:00Z', ...(lastUsedAt ? { lastUsedAt } : {}) }),
    });
    const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T00:00:00.000Z`;
    const logOf = async (s: Awaited<ReturnType<FreshStore>>) =>
      (await query(s, "SELECT c.seq, c.id, c.seen_at, v.name, v.removed_at, v.content FROM inventory_changes c JOIN inventory_versions v ON v.seq = c.seq WHERE c.kind = 'personal_access_tokens' ORDER BY c.seq"))
        .map((r) => ({ seq: count(r.seq), id: r.id, seenAt: r.seen_at, name: r.name, removedAt: r.removed_at, content: r.content }));

    it('keeps last_used_at current without a change or a version; a rename, a removal and a new token each log one; verify agrees', async () => {
      const s = await fresh();
      const store = await opened(s);
      const verify = async () => (await reader(s)).snapshot((view) => verifyInventoryLog(view));
      await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: [pat('us_pat_a', 'audit', null), pat('us_pat_b', 'ci', null)], seenAt: day(1) });
      const first = await logOf(s);
      expect(first.map((e) => e.id).sort()).toEqual(['us_pat_a', 'us_pat_b']);

      // Each sync uses the token, and sees its lastUsedAt moved: the rows follow, the log does not.
      for (const d of [2, 3, 4]) {
        await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: [pat('us_pat_a', 'audit', day(d)), pat('us_pat_b', 'ci', null)], seenAt: day(d) });
      }
      expect(await logOf(s)).toEqual(first);
      const row = (await query(s, "SELECT last_used_at, raw FROM personal_access_tokens WHERE id = 'us_pat_a'"))[0]!;
      expect(row.last_used_at).toBe(day(4));
      // raw is text on SQLite, jsonb (read parsed) on PostgreSQL.
      expect(typeof row.raw === 'string' ? JSON.parse(row.raw) : row.raw).toMatchObject({ lastUsedAt: day(4) });
      expect(await verify()).toMatchObject({ logged: true, problems: [] });

      // Real changes, made together with a use, are logged, each once; their versions carry no use.
      await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: [pat('us_pat_a', 'audit (renamed)', day(5)), pat('us_pat_c', 'new', null)], seenAt: day(5) });
      const after = (await logOf(s)).slice(first.length);
      expect(after.map((e) => [e.id, e.seenAt, e.name, e.removedAt]).sort()).toEqual([
        ['us_pat_a', day(5), 'audit (renamed)', null],
        ['us_pat_b', day(5), 'ci', day(5)],
        ['us_pat_c', day(5), 'new', null],
      ]);
      for (const entry of await logOf(s)) {
        expect(String(entry.content)).not.toContain('lastUsedAt');
        for (const used of [day(2), day(3), day(4)]) expect(String(entry.content)).not.toContain(used);
      }
      expect(await verify()).toMatchObject({ problems: [] });

      // A name edited behind the store's back is still found.
      await s.tamper("UPDATE personal_access_tokens SET name = 'mallory' WHERE id = 'us_pat_c'");
      expect((await verify()).problems).toEqual([expect.objectContaining({ table: 'personal_access_tokens', kind: 'changed', id: 'us_pat_c' })]);
    });
  });

  describe('rule 7: stale runs closed', () => {
    it('starting a run closes runs of its scope left running, as interrupted, and leaves other scopes alone', async () => {
      const s = await fresh();
      const store = await opened(s);
      const died = await store.startRun({ startedAt: '2026-11-01T00:00:00.000Z', trigger: 'schedule', scope: A, jobId: 'job-1' });
      const other = await store.startRun({ startedAt: '2026-11-01T00:00:01.000Z', trigger: 'schedule', scope: 'directory' });
      const next = await store.startRun({ startedAt: '2026-11-01T00:05:00.000Z', trigger: 'schedule', scope: A, jobId: 'job-2' });
      expect(new Set([died, other, next]).size).toBe(3);
      expect(died < other && other < next).toBe(true);
      const runs = await query(s, 'SELECT id, scope, status, finished_at, error FROM sync_runs ORDER BY id');
      expect(runs.map((r) => [count(r.id), r.scope, r.status, r.finished_at, r.error])).toEqual([
        [died, A, 'failed', '2026-11-01T00:05:00.000Z', INTERRUPTED_RUN_ERROR],
        [other, 'directory', 'running', null, null],
        [next, A, 'running', null, null],
      ]);
      expect((await store.status({ futureDatedAfter: FAR_FUTURE })).lastRun).toMatchObject({ id: next, scope: A, status: 'running', finishedAt: null });
      await store.finishRun(next, {
        status: 'partial', finishedAt: '2026-11-01T00:06:00.000Z', newEvents: 12, rejected: 1, pages: 3, requests: 5,
        environmentsOk: 1, environmentsFailed: 1, error: 'us_env_b failed', details: { [A]: 'ok' },
      });
      expect((await store.status({ futureDatedAfter: FAR_FUTURE })).lastRun).toEqual({
        id: next, scope: A, startedAt: '2026-11-01T00:05:00.000Z', finishedAt: '2026-11-01T00:06:00.000Z', status: 'partial', newEvents: 12, error: 'us_env_b failed',
      });
    });
  });

  it('takes a write when asked whether it can (health checks)', async () => {
    const store = await opened(await fresh());
    await expect(store.checkWritable()).resolves.toBeUndefined();
  });
}
