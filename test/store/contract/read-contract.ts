/** The read side of the store contract (src/store/audit-reader.ts, sync-state.ts), for any store. */
import { describe, expect, it } from 'vitest';
import { COOKBOOK, cookbookParams, cookbookQuery, cookbookSql } from '../../../src/cookbook.js';
import { hygieneCutoffs, readTokenHygiene } from '../../../src/token-hygiene.js';
import { AuditError } from '../../../src/errors.js';
import type { QueryRow } from '../../../src/store/audit-reader.js';
import type { AuditStore } from '../../../src/store/audit-store.js';
import { verifyEventChains } from '../../../src/store/chain/verify-event-chain.js';
import { verifyInventoryLog } from '../../../src/store/chain/verify-inventory-log.js';
import { AT, complete, count, event, events, guest, opened, page, progress, query, reader, rows, space, syncState, user, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';
const C = 'us_env_c';

/** Two environments with events, inventories, a rejected item, a completed and an interrupted listing. */
async function populate(store: AuditStore, now = new Date()): Promise<void> {
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  await store.writeInventory({
    kind: 'environments', scope: null, seenAt: AT,
    records: [
      { id: A, accountId: 'us_acc_1', name: 'Alpha', isProd: true, raw: '{}' },
      { id: B, accountId: 'us_acc_1', name: 'Beta', isProd: false, raw: '{}' },
    ],
  });
  await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: AT });
  await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A)], seenAt: AT });
  await store.writeInventory({ kind: 'guests', scope: A, records: [guest('us_g_1', A, ['us_sp_1'])], seenAt: AT });
  await store.writeInventory({
    kind: 'agents', scope: A, seenAt: AT,
    records: [{ id: 'us_ag_1', environmentId: A, slug: 'importer', topics: ['job:ready'], createdAt: AT, raw: '{}' }],
  });
  await store.writePages([
    page(A, [
      event(A, 1, { actorId: 'us_usr_ann', createdAt: hoursAgo(3) }),
      event(A, 2, { actorId: 'us_usr_ann', createdAt: hoursAgo(2), topic: 'space:created', domain: 'space', spaceId: 'us_sp_1' }),
      event(A, 3, { actorId: 'us_key_gone', createdAt: hoursAgo(1) }),
    ], complete(hoursAgo(1))),
    page(B, [event(B, 1, { actorId: 'us_g_1', createdAt: hoursAgo(30) })], progress(2), [{ environmentId: B, eventId: null, reason: 'event has no id', raw: '{}' }]),
  ]);
  const daysAgo = (d: number) => new Date(now.getTime() - d * DAY).toISOString();
  const pat = (id: string, created: number, used: number | null) => ({ id, name: id.slice('us_pat_'.length), createdAt: daysAgo(created), lastUsedAt: used === null ? null : daysAgo(used), raw: JSON.stringify({ id }) });
  const tokens = [pat('us_pat_ancient', 400, 100), pat('us_pat_idle', 120, 95), pat('us_pat_forgotten', 10, null), pat('us_pat_new', 2, null), pat('us_pat_daily', 60, 0), pat('us_pat_deleted', 500, null)];
  await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: tokens, seenAt: AT });
  await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: tokens.slice(0, -1), seenAt: daysAgo(0) });
}

const DAY = 86_400_000;

export function describeReadContract(fresh: FreshStore): void {
  describe('status', () => {
    it('per environment: name, cursor, listing, last success and error, events; the last run; totals; future-dated events', async () => {
      const s = await fresh();
      const store = await opened(s);
      const now = new Date();
      await populate(store, now);
      await store.writePages([page(C, [event(C, 1, { createdAt: '2999-01-01T00:00:00.000Z' })], progress(2))]);
      await store.recordEnvironmentError(B, 'HTTP 500 from /events', '2026-11-01T00:10:00.000Z');
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann')], seenAt: '2026-11-02T00:00:00.000Z' });
      const status = await (await reader(s)).status({ futureDatedAfter: new Date(now.getTime() + 600_000).toISOString() });
      const byId = [...status.environments].sort((x, y) => x.environmentId.localeCompare(y.environmentId));
      expect(byId).toEqual([
        { environmentId: A, name: 'Alpha', removedAt: null, highWater: new Date(now.getTime() - 3_600_000).toISOString(), listingInProgress: false, lastSuccessAt: AT, lastError: null, lastErrorAt: null, events: 3 },
        { environmentId: B, name: 'Beta', removedAt: null, highWater: null, listingInProgress: true, lastSuccessAt: null, lastError: 'HTTP 500 from /events', lastErrorAt: '2026-11-01T00:10:00.000Z', events: 1 },
        { environmentId: C, name: null, removedAt: null, highWater: null, listingInProgress: true, lastSuccessAt: null, lastError: null, lastErrorAt: null, events: 1 },
      ]);
      expect(status.futureDated).toEqual([{ environmentId: C, count: 1, newestCreatedAt: '2999-01-01T00:00:00.000Z' }]);
      expect(status.totals).toEqual({ events: 5, rejected: 1, users: 1, guests: 1, spaces: 1, agents: 1 });
      expect(status.lastRun).toBeNull();
      // The store's own status says the same.
      expect(await store.status({ futureDatedAfter: new Date(now.getTime() + 600_000).toISOString() })).toEqual(status);
    });

    it('the sync state: every current environment with its last success and whether its last sync failed', async () => {
      const s = await fresh();
      const store = await opened(s);
      await populate(store);
      await store.recordEnvironmentError(B, 'HTTP 500 from /events', '2026-11-01T00:10:00.000Z');
      await store.writePages([page(C, [], complete(null, '2026-11-01T00:20:00.000Z'))]);
      // Beta removed from the account: left out.
      await store.writeInventory({ kind: 'environments', scope: null, records: [{ id: A, accountId: 'us_acc_1', name: 'Alpha', isProd: true, raw: '{}' }], seenAt: '2026-11-02T00:00:00.000Z' });
      const states = await (await syncState(s)).environments();
      expect([...states].sort((x, y) => x.environmentId.localeCompare(y.environmentId))).toEqual([
        { environmentId: A, name: 'Alpha', lastSuccessAt: AT, failing: false },
        { environmentId: C, name: null, lastSuccessAt: '2026-11-01T00:20:00.000Z', failing: false },
      ]);
      await store.recordEnvironmentError(A, 'HTTP 404', '2026-11-02T00:10:00.000Z');
      expect((await (await syncState(s)).environments()).find((e) => e.environmentId === A)?.failing).toBe(true);
    });
  });

  describe('read-only queries', () => {
    it('runs a statement with named parameters, handing its rows over a few at a time', async () => {
      const s = await fresh();
      await (await opened(s)).writePages([page(A, events(A, 1, 3)), page(B, events(B, 1, 2))]);
      const cursor = await (await reader(s)).openQuery('SELECT id, chain_seq FROM events WHERE environment_id = :environment ORDER BY id', { environment: A });
      expect(cursor.columns).toEqual(['id', 'chain_seq']);
      const first = await cursor.read(2);
      const second = await cursor.read(2);
      expect([...first, ...second].map((r) => [r.id, count(r.chain_seq)])).toEqual(events(A, 1, 3).map((e, i) => [e.id, i + 1]));
      expect(first).toHaveLength(2);
      expect(await cursor.read(2)).toEqual([]);
      await cursor.close();
    });

    it('a cursor closed early lets go: the reader answers the next statement', async () => {
      const s = await fresh();
      await (await opened(s)).writePages([page(A, events(A, 1, 50))]);
      const read = await reader(s);
      const cursor = await read.openQuery('SELECT id FROM events ORDER BY id');
      expect(await cursor.read(1)).toHaveLength(1);
      await cursor.close();
      expect(count((await rows(read, 'SELECT COUNT(*) AS n FROM events'))[0]!.n)).toBe(50);
    });

    it.each([
      ['a delete', 'DELETE FROM events'],
      ['a delete that returns rows', 'DELETE FROM events RETURNING id'],
      ['an update', "UPDATE events SET topic = 'x'"],
      ['a drop', 'DROP TABLE events'],
      ['an insert', "INSERT INTO sync_runs (trigger, started_at, status) VALUES ('x', 'y', 'running')"],
      ['nonsense', 'SELEKT 1'],
    ])('refuses %s before it runs, and changes nothing', async (_name, sql) => {
      const s = await fresh();
      await (await opened(s)).writePages([page(A, events(A, 1, 2))]);
      const read = await reader(s);
      const refused = read.openQuery(sql);
      await expect(refused).rejects.toBeInstanceOf(AuditError);
      await expect(refused).rejects.toMatchObject({ code: 'QUERY_REFUSED' });
      expect(count((await rows(read, 'SELECT COUNT(*) AS n FROM events'))[0]!.n)).toBe(2);
      expect(count((await query(s, 'SELECT COUNT(*) AS n FROM sync_runs'))[0]!.n)).toBe(0);
    });

    it("runs every cookbook query in the store's dialect, with the answers the data holds", async () => {
      const s = await fresh();
      await populate(await opened(s));
      const read = await reader(s);
      const params: Record<string, string> = {
        email: 'ann@example.com', actor: 'us_usr_ann', environment: A, space: 'us_sp_1', at: new Date().toISOString(),
        from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(),
      };
      const answers = new Map<string, Array<Record<string, unknown>>>();
      for (const q of COOKBOOK) {
        const sql = cookbookSql(q, read.dialect);
        const given = Object.fromEntries(Object.entries(params).filter(([name]) => q.params.some((p) => p.name === name)));
        answers.set(q.name, await rows(read, sql, cookbookParams(q, given, { now: new Date(), tokens: { staleAfterMs: 90 * DAY, maxAgeMs: 180 * DAY } })));
      }
      const ids = (name: string, column: string) => answers.get(name)!.map((r) => r[column]);
      expect(ids('last-24h', 'actor_name')).toEqual([null, 'Ann', 'Ann']);
      expect(ids('by-actor', 'topic')).toEqual(['space:created', 'workbook:updated']);
      expect(answers.get('stale-tokens')!.map((r) => [r.id, r.flags])).toEqual([
        ['us_pat_ancient', 'unused too-old'],
        ['us_pat_idle', 'unused'],
        ['us_pat_forgotten', 'never-used'],
      ]);
      expect(ids('actor-time-range', 'topic')).toEqual(['workbook:updated', 'space:created']);
      expect(ids('environment-latest', 'actor_type')).toEqual(['api_key', 'user', 'user']);
      expect(answers.get('per-environment')!.map((r) => [r.environment, count(r.events)])).toEqual([['Alpha', 3], ['Beta', 1]]);
      expect(answers.get('topics-last-day')!.map((r) => [r.topic, count(r.events)])).toEqual([['workbook:updated', 2], ['space:created', 1]]);
      expect(answers.get('agents-deployed')!.map((r) => [r.environment, count(r.agents), r.slugs])).toEqual([['Alpha', 1, 'importer'], ['Beta', 0, null]]);
      expect(answers.get('spaces-per-environment')!.map((r) => [r.environment, count(r.spaces)])).toEqual([['Alpha', 1], ['Beta', 0]]);
      expect(answers.get('guest-access')!.map((r) => [r.email, r.environment, r.space])).toEqual([['us_g_1@guest.example', 'Alpha', 'Space us_sp_1']]);
      expect(ids('space-access', 'guest_id')).toEqual(['us_g_1']);
      expect(ids('access-changes-7d', 'guest_id')).toEqual([]); // granted at AT, weeks ago
      expect(ids('production-activity', 'environment_name')).toEqual(['Alpha', 'Alpha', 'Alpha']);
      expect(ids('removed-actors', 'actor_name')).toEqual([]);
      expect(answers.get('unresolved-actors')!.map((r) => [r.actor_id, r.actor_type, count(r.events)])).toEqual([['us_key_gone', 'api_key', 1]]);
    });
    it('the report queries answer exactly the rows the data holds: failed jobs, deletions, uploads, access changes, removed actors, agents', async () => {
      const s = await fresh();
      const store = await opened(s);
      const now = Date.now();
      const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
      await store.writeInventory({
        kind: 'environments', scope: null, seenAt: AT,
        records: [
          { id: A, accountId: 'us_acc_1', name: 'Alpha', isProd: true, raw: '{}' },
          { id: B, accountId: 'us_acc_1', name: 'Beta', isProd: false, raw: '{}' },
        ],
      });
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: AT });
      await store.writeInventory({ kind: 'spaces', scope: A, records: [space('us_sp_1', A)], seenAt: AT });
      // Stored in an order other than their slugs'.
      const agent = (id: string, slug: string) => ({ id, environmentId: A, slug, topics: ['job:ready'], createdAt: AT, raw: '{}' });
      await store.writeInventory({ kind: 'agents', scope: A, seenAt: AT, records: [agent('us_ag_1', 'zeta'), agent('us_ag_2', 'alpha-bot'), agent('us_ag_3', 'middle')] });
      const at = (n: number, topic: string, actorId: string, h: number, raw: object, more: Partial<Parameters<typeof event>[2]> = {}) =>
        event(A, n, { topic, domain: topic.split(':')[0]!, actorId, createdAt: hoursAgo(h), spaceId: 'us_sp_1', raw: JSON.stringify(raw), ...more });
      await store.writePages([
        page(A, [
          at(1, 'job:failed', 'us_usr_bob', 6, { payload: { status: 'failed' } }, { jobId: 'us_jb_1' }),
          at(2, 'file:created', 'us_usr_ann', 5, { context: { fileId: 'us_fl_1' } }),
          at(3, 'file:deleted', 'us_usr_ann', 4, { context: { fileId: 'us_fl_1' } }),
          at(4, 'space:guestAdded', 'us_usr_ann', 3, { payload: { guestId: 'us_g_3' } }),
          at(5, 'space:guestRemoved', 'us_usr_bob', 2, { payload: { guestId: 'us_g_2' } }),
          at(6, 'job:completed', 'us_usr_ann', 1, { payload: { status: 'complete' } }, { jobId: 'us_jb_2' }),
        ], complete(hoursAgo(1))),
      ]);
      // Bob leaves the account.
      const removedAt = '2026-11-02T00:00:00.000Z';
      await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann')], seenAt: removedAt });
      const read = await reader(s);
      const answer = async (name: string) => {
        const q = cookbookQuery(name);
        const found = await rows(read, cookbookSql(q, read.dialect), cookbookParams(q, {}, { now: new Date(), tokens: { staleAfterMs: DAY, maxAgeMs: DAY } }));
        return found.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v])));
      };
      const bob = { actor_name: 'Bob', actor_email: 'bob@example.com' };
      const ann = { actor_name: 'Ann', actor_email: 'ann@example.com' };
      expect(await answer('failed-jobs')).toEqual([{ created_at: hoursAgo(6), environment_name: 'Alpha', space_name: 'Space us_sp_1', job_id: 'us_jb_1', outcome: 'failed', ...bob }]);
      expect(await answer('deletions')).toEqual([
        { created_at: hoursAgo(4), environment_name: 'Alpha', topic: 'file:deleted', space_name: 'Space us_sp_1', file_id: 'us_fl_1', document_id: null, workbook_id: null, sheet_id: null, ...ann },
      ]);
      expect(await answer('file-uploads')).toEqual([{ created_at: hoursAgo(5), environment_name: 'Alpha', space_name: 'Space us_sp_1', file_id: 'us_fl_1', actor_type: 'user', ...ann }]);
      expect(await answer('access-changes-7d')).toEqual([
        { at: hoursAgo(2), change: 'revoked', guest_id: 'us_g_2', guest_email: null, space_id: 'us_sp_1', space: 'Space us_sp_1', changed_by: 'us_usr_bob' },
        { at: hoursAgo(3), change: 'granted', guest_id: 'us_g_3', guest_email: null, space_id: 'us_sp_1', space: 'Space us_sp_1', changed_by: 'us_usr_ann' },
      ]);
      expect(await answer('removed-actors')).toEqual([
        { created_at: hoursAgo(2), environment_name: 'Alpha', actor_type: 'user', ...bob, actor_removed_at: removedAt, topic: 'space:guestRemoved' },
        { created_at: hoursAgo(6), environment_name: 'Alpha', actor_type: 'user', ...bob, actor_removed_at: removedAt, topic: 'job:failed' },
      ]);
      expect((await answer('agents-deployed')).map((r) => [r.environment, Number(r.agents), r.slugs])).toEqual([['Alpha', 3, 'alpha-bot, middle, zeta'], ['Beta', 0, null]]);
    });
  });

  describe('saved queries', () => {
    it('by-actor finds a guest by email too, in any case', async () => {
      const s = await fresh();
      await populate(await opened(s));
      const read = await reader(s);
      const q = cookbookQuery('by-actor');
      const found = await rows(read, cookbookSql(q, read.dialect), cookbookParams(q, { email: 'US_G_1@guest.example' }, { now: new Date(), tokens: { staleAfterMs: DAY, maxAgeMs: DAY } }));
      expect(found.map((r) => [r.topic, r.actor_type])).toEqual([['workbook:updated', 'guest']]);
    });

    it.each([
      ['without milliseconds', { from: '2026-11-01T00:00:00Z', to: '2026-11-01T01:00:00Z' }, { created_before: '2026-11-01T00:00:00Z' }],
      ['with an offset', { from: '2026-11-01T01:00:00+01:00', to: '2026-11-01T02:00:00+01:00' }, { created_before: '2026-11-01T01:00:00+01:00' }],
    ])('time parameters %s mean the same instant on every store, through query --saved and as raw values', async (_name, range, cutoff) => {
      const s = await fresh();
      const store = await opened(s);
      const ann = (n: number, createdAt: string) => event(A, n, { actorId: 'us_usr_ann', createdAt });
      // Inside the first second after `from`, the last moment before `to`, and `to` itself (excluded).
      await store.writePages([page(A, [ann(1, '2026-10-31T23:59:59.999Z'), ann(2, '2026-11-01T00:00:00.500Z'), ann(3, '2026-11-01T00:59:59.999Z'), ann(4, '2026-11-01T01:00:00.000Z')])]);
      const pat = (id: string, createdAt: string) => ({ id, name: id, createdAt, lastUsedAt: '2026-11-20T00:00:00.000Z', raw: JSON.stringify({ id }) });
      await store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: [pat('us_pat_before', '2026-10-31T23:59:59.999Z'), pat('us_pat_after', '2026-11-01T00:00:00.500Z')], seenAt: AT });
      const read = await reader(s);
      const range_ = cookbookQuery('actor-time-range');
      const tokens = cookbookQuery('stale-tokens');
      const tokenCutoffs = { unused_before: '2000-01-01T00:00:00Z', never_used_before: '2000-01-01T00:00:00Z', ...cutoff };
      const defaults = { now: new Date(), tokens: { staleAfterMs: DAY, maxAgeMs: DAY } };
      // Through the edge (query --saved): made canonical before the statement runs.
      const saved = cookbookParams(range_, { actor: 'us_usr_ann', ...range }, defaults);
      expect([saved.from, saved.to]).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-01T01:00:00.000Z']);
      const times = (found: QueryRow[]) => found.map((r) => (r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at));
      expect(times(await rows(read, cookbookSql(range_, read.dialect), saved))).toEqual(['2026-11-01T00:00:00.500Z', '2026-11-01T00:59:59.999Z']);
      expect((await rows(read, cookbookSql(tokens, read.dialect), cookbookParams(tokens, tokenCutoffs, defaults))).map((r) => r.id)).toEqual(['us_pat_before']);
      // The raw values too: each dialect's statement reads them as times, not as text.
      expect(times(await rows(read, cookbookSql(range_, read.dialect), { actor: 'us_usr_ann', ...range }))).toEqual(['2026-11-01T00:00:00.500Z', '2026-11-01T00:59:59.999Z']);
      expect((await rows(read, cookbookSql(tokens, read.dialect), tokenCutoffs)).map((r) => r.id)).toEqual(['us_pat_before']);
    });

    it('by-actor finds a renamed user by the email shown on their old rows', async () => {
      const s = await fresh();
      const store = await opened(s);
      const quentin = (email: string, updatedAt?: string) => ({ ...user('us_usr_quentin', 'Quentin', email), raw: JSON.stringify({ id: 'us_usr_quentin', email, ...(updatedAt ? { updatedAt } : {}) }) });
      await store.writeInventory({ kind: 'users', scope: null, records: [quentin('quentin.old@example.com'), user('us_usr_ann', 'Ann')], seenAt: AT });
      await store.writeInventory({ kind: 'users', scope: null, records: [quentin('quentin.new@example.com', '2026-11-02T00:00:00.000Z'), user('us_usr_ann', 'Ann')], seenAt: '2026-11-03T00:00:00.000Z' });
      await store.writePages([page(A, [
        event(A, 1, { actorId: 'us_usr_quentin', createdAt: '2026-11-01T12:00:00.000Z', topic: 'file:created' }),
        event(A, 2, { actorId: 'us_usr_ann', createdAt: '2026-11-01T13:00:00.000Z' }),
        event(A, 3, { actorId: 'us_usr_quentin', createdAt: '2026-11-03T12:00:00.000Z', topic: 'file:deleted' }),
      ])]);
      const read = await reader(s);
      const q = cookbookQuery('by-actor');
      const defaults = { now: new Date(), tokens: { staleAfterMs: DAY, maxAgeMs: DAY } };
      for (const email of ['QUENTIN.OLD@example.com', 'quentin.new@example.com']) {
        expect((await rows(read, cookbookSql(q, read.dialect), cookbookParams(q, { email }, defaults))).map((r) => r.topic), email).toEqual(['file:deleted', 'file:created']);
      }
    });

    it('token hygiene flags each present token by the cutoffs given, and leaves removed ones out', async () => {
      const s = await fresh();
      const now = new Date();
      await populate(await opened(s), now);
      const flagged = await readTokenHygiene(await reader(s), hygieneCutoffs(now, { staleAfterMs: 90 * DAY, maxAgeMs: 180 * DAY }));
      expect(flagged.map((t) => [t.id, t.flags])).toEqual([
        ['us_pat_ancient', ['unused', 'too-old']],
        ['us_pat_idle', ['unused']],
        ['us_pat_forgotten', ['never-used']],
      ]);
      expect(flagged[0]).toMatchObject({ name: 'ancient', createdAt: new Date(now.getTime() - 400 * DAY).toISOString(), lastUsedAt: new Date(now.getTime() - 100 * DAY).toISOString() });
      // Tighter settings flag more: the one in use daily is older than 30 days.
      const strict = await readTokenHygiene(await reader(s), hygieneCutoffs(now, { staleAfterMs: 90 * DAY, maxAgeMs: 30 * DAY }));
      expect(strict.find((t) => t.id === 'us_pat_daily')?.flags).toEqual(['too-old']);
    });
  });

  describe('verification reads', () => {
    it('the chain walk over a snapshot agrees with the heads the store keeps', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 5)), page(B, events(B, 1, 3))]);
      await store.writePages([page(A, events(A, 4, 8))]);
      const report = await (await reader(s)).snapshot((view) => verifyEventChains(view));
      expect(report).toMatchObject({ ok: true, rows: 11, problemCount: 0 });
      const heads = [...report.environments].sort((x, y) => x.environmentId.localeCompare(y.environmentId));
      expect(heads).toEqual([
        { environmentId: A, rows: 8, headSeq: 8, headHash: (await store.chainHead(A))!.hash, cut: null },
        { environmentId: B, rows: 3, headSeq: 3, headHash: (await store.chainHead(B))!.hash, cut: null },
      ]);
    });

    it.each([
      ['an edited row', `UPDATE events SET raw = '{}' WHERE id = '${event(A, 3).id}'`, { kind: 'changed', seq: 3 }],
      ['a deleted row', `DELETE FROM events WHERE id = '${event(A, 2).id}'`, { kind: 'missing', seq: 2 }],
      ['deleted rows at the end', `DELETE FROM events WHERE id IN ('${event(A, 4).id}', '${event(A, 5).id}')`, { kind: 'truncated', seq: 4 }],
      [
        'a row slipped in',
        `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw) VALUES ('us_evt_fake', '${A}', '${AT}', 'file:deleted', 'file', '${AT}', '{}')`,
        { kind: 'unchained', seq: null, eventId: 'us_evt_fake' },
      ],
    ])('the chain walk finds %s behind the store\'s back', async (_name, sql, problem) => {
      const s = await fresh();
      await (await opened(s)).writePages([page(A, events(A, 1, 5)), page(B, events(B, 1, 2))]);
      if (problem.kind === 'unchained' && s.settings.postgres !== undefined) {
        // PostgreSQL's schema makes the chain columns NOT NULL: an unchained row cannot be slipped in at
        // all (a forged one is tested in test/store/postgres/postgres-reader.test.ts).
        await expect(s.tamper(sql)).rejects.toThrow(/null value in column "chain_(seq|hash)"/);
        return;
      }
      await s.tamper(sql);
      const report = await (await reader(s)).snapshot((view) => verifyEventChains(view));
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toEqual(expect.objectContaining({ environmentId: A, ...problem }));
    });

    it('the inventory log check passes after syncs, and finds rows edited or deleted behind the store\'s back', async () => {
      const s = await fresh();
      await populate(await opened(s));
      const check = async () => (await reader(s)).snapshot((view) => verifyInventoryLog(view));
      const clean = await check();
      expect(clean).toMatchObject({ logged: true, problems: [] });
      expect(clean.tables.users.rows).toBe(2);
      await s.tamper("UPDATE users SET name = 'Mallory' WHERE id = 'us_usr_bob'");
      await s.tamper("DELETE FROM spaces WHERE id = 'us_sp_1'");
      const tampered = await check();
      expect(tampered.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ table: 'users', kind: 'changed', id: 'us_usr_bob' }),
          expect.objectContaining({ table: 'spaces', kind: 'deleted', id: 'us_sp_1' }),
        ]),
      );
      expect(tampered.problems).toHaveLength(2);
    });

    it('a snapshot reads one moment: a write committed while it is open is not in it, and is in the next', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 3))]);
      const read = await reader(s);
      const seen = await read.snapshot(async (view) => {
        let before = 0;
        await view.eachEvent(() => (before += 1));
        await store.writePages([page(A, events(A, 4, 6))]);
        let after = 0;
        await view.eachEvent(() => (after += 1));
        return { before, after, head: (await view.chainHeads()).find((h) => h.environmentId === A)?.seq };
      });
      expect(seen).toEqual({ before: 3, after: 3, head: 3 });
      expect((await read.snapshot((view) => verifyEventChains(view))).rows).toBe(6);
    });

    it('the schema is what the migrations create, and checkpoints can name its digest', async () => {
      const s = await fresh();
      await opened(s);
      const schema = await (await reader(s)).snapshot(async (view) => ({ now: await view.schema(), atLatest: await view.schemaDigestAt((await view.schema()).latestVersion), unknown: await view.schemaDigestAt(10_000) }));
      expect(schema.now).toMatchObject({ differences: [], unknownVersion: false });
      expect(schema.now.version).toBe(schema.now.latestVersion);
      expect(schema.atLatest).toBe(schema.now.digest);
      expect(schema.unknown).toBeUndefined();
    });
  });
}
