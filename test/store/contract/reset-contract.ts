/** Rule 9 of the store contract (src/store/audit-store.ts): catch-up pages move no cursor; an operator's reset moves a listing back, recorded. */
import { describe, expect, it } from 'vitest';
import { CursorResetRefusedError, UnknownEnvironmentError } from '../../../src/errors.js';
import type { AuditStore, CursorReset, EnvironmentCursor } from '../../../src/store/audit-store.js';
import { complete, count, event, events, opened, page, progress, query, type ContractStore, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';
const HIGH_WATER = '2026-10-01T00:00:05.000Z';
const OPERATOR = { user: 'alice', host: 'ops-1' };
// The store stamps cursor writes with the wall clock: each test sets the stale bound just after its setup's writes.
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

function reset(overrides: Partial<CursorReset> = {}): CursorReset {
  return {
    environmentId: A,
    listing: { since: '2026-09-01T00:00:00.000Z', pageSize: 100, nextPage: 1, maxCreatedAt: null, pageFill: 0, startedAt: '2026-11-02T00:00:00.000Z' },
    requestedSince: '2026-09-01T00:00:00.000Z',
    at: '2026-11-02T00:00:00.000Z',
    staleBefore: minutes(1),
    operator: OPERATOR,
    ...overrides,
  };
}

/** A store whose environment A has completed a listing (high water HIGH_WATER) and then stopped in another at page 4. */
async function withCursor(fresh: FreshStore): Promise<{ s: ContractStore; store: AuditStore; before: EnvironmentCursor }> {
  const s = await fresh();
  const store = await opened(s);
  await store.writePages([page(A, events(A, 1, 5), complete(HIGH_WATER, '2026-11-01T00:00:00.000Z'))]);
  await store.writePages([page(A, [event(A, 6)], progress(4, { since: '2026-09-30T23:45:00.000Z' }))]);
  return { s, store, before: (await store.readCursor(A))! };
}

async function actions(s: ContractStore) {
  const stored = await query(s, 'SELECT id, at, action, environment_id, operator, host, detail FROM operator_actions ORDER BY id');
  return stored.map((r) => ({ ...r, id: count(r.id), detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail }));
}

export function describeResetContract(fresh: FreshStore): void {
  describe('rule 11: catch-up pages and operator resets', () => {
    it("a page with the cursor update 'none' stores its events and leaves every cursor as it was, in a batch with other updates too", async () => {
      const { s, store, before } = await withCursor(fresh);
      const result = await store.writePages([
        page(A, [event(A, 1), event(A, 90)], { kind: 'none' }),
        page(B, [event(B, 1)], progress(2)),
        page(A, [event(A, 91)], { kind: 'none' }),
      ]);
      expect(result.insertedByEnvironment.get(A)).toBe(2);
      expect(await store.readCursor(A)).toEqual(before);
      expect((await store.readCursor(B))?.listing?.nextPage).toBe(2);
      expect((await store.chainHead(A))?.seq).toBe(8);
      expect((await query(s, 'SELECT id FROM events WHERE environment_id = :env ORDER BY chain_seq', { env: A })).map((r) => r.id)).toEqual(
        [...events(A, 1, 6), event(A, 90), event(A, 91)].map((e) => e.id),
      );
      // A 'none' page between two progress updates of one batch does not hide the later one.
      await store.writePages([page(A, [], progress(5)), page(A, [], { kind: 'none' }), page(A, [], progress(6))]);
      expect((await store.readCursor(A))?.listing?.nextPage).toBe(6);
    });

    it('rule 12: a page carrying a window records it with that page, and a batch that fails records none', async () => {
      const s = await fresh();
      const store = await opened(s);
      const window = { kind: 'incremental' as const, since: null, until: '2026-11-01T00:00:09.000Z', startedAt: '2026-11-01T00:00:00.000Z', completedAt: '2026-11-01T00:00:10.000Z', resumedAtPage: 1, pages: 1, served: 2, newEvents: 2 };
      await store.writePages([page(A, events(A, 1, 2), progress(2)), { ...page(A, [], complete(HIGH_WATER)), window }]);
      const failing = store.writePages([page(B, [{ ...event(B, 1), topic: null as unknown as string }], progress(2)), { ...page(B, [], complete(HIGH_WATER)), window: { ...window, kind: 'catch-up' as const } }]);
      await expect(failing).rejects.toMatchObject({ code: 'STORE_FAILED' });
      const stored = await query(s, 'SELECT environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events FROM listing_windows');
      expect(stored.map((r) => ({ ...r, resumed_at_page: count(r.resumed_at_page), pages: count(r.pages), served: count(r.served), new_events: count(r.new_events) }))).toEqual([
        { environment_id: A, kind: 'incremental', since: null, until: window.until, started_at: window.startedAt, completed_at: window.completedAt, resumed_at_page: 1, pages: 1, served: 2, new_events: 2 },
      ]);
    });

    it('a reset replaces the listing, keeps the high-water mark, and records who did it with both values', async () => {
      const { s, store, before } = await withCursor(fresh);
      const result = await store.resetCursor(reset());
      const after = { ...before, listing: reset().listing };
      expect(result).toEqual({ actionId: expect.any(Number), before, after });
      expect(await store.readCursor(A)).toEqual(after);
      expect(await actions(s)).toEqual([
        { id: result.actionId, at: '2026-11-02T00:00:00.000Z', action: 'cursor-reset', environment_id: A, operator: 'alice', host: 'ops-1', detail: { requestedSince: '2026-09-01T00:00:00.000Z', before, after } },
      ]);
      // The high-water mark still moves only forward: the re-read's completion cannot take it back.
      await store.writePages([page(A, [], complete('2026-09-15T00:00:00.000Z'))]);
      expect((await store.readCursor(A))?.highWater).toBe(HIGH_WATER);
    });

    it('refuses an environment without a cursor, changing nothing', async () => {
      const { s, store } = await withCursor(fresh);
      await expect(store.resetCursor(reset({ environmentId: B }))).rejects.toBeInstanceOf(UnknownEnvironmentError);
      expect(await store.readCursor(B)).toBeUndefined();
      expect(await actions(s)).toEqual([]);
    });

    it.each([
      ['its own scope, started after the stale bound', A, 'later', false],
      ['an account sync, started after the stale bound', 'account', 'later', false],
      ['an account sync started long ago whose cursor writes still land', 'account', minutes(-600), true],
    ])('refuses while a run of the environment is running and alive (%s), changing nothing', async (_name, scope, startedAt, cursorWrittenRecently) => {
      const { s, store, before } = await withCursor(fresh);
      const staleBefore = minutes(1);
      const runId = await store.startRun({ startedAt: startedAt === 'later' ? minutes(2) : startedAt, trigger: 'schedule', scope });
      let expected = before;
      if (cursorWrittenRecently) {
        await store.recordEnvironmentError(A, 'still trying', minutes(2));
        expected = (await store.readCursor(A))!;
      }
      const refused = store.resetCursor(reset({ staleBefore }));
      await expect(refused).rejects.toBeInstanceOf(CursorResetRefusedError);
      await expect(refused).rejects.toMatchObject({ code: 'RESET_REFUSED', message: expect.stringContaining(`run ${runId}`) });
      expect(await store.readCursor(A)).toEqual(expected);
      expect(await actions(s)).toEqual([]);
    });

    it("goes ahead past a run left 'running' by a process that died (started before the stale bound, no cursor write since), and past other environments' runs", async () => {
      const { store } = await withCursor(fresh);
      const staleBefore = minutes(1);
      await store.startRun({ startedAt: minutes(-600), trigger: 'schedule', scope: A });
      await store.startRun({ startedAt: minutes(2), trigger: 'schedule', scope: B });
      await store.startRun({ startedAt: minutes(2), trigger: 'schedule', scope: 'directory' });
      await expect(store.resetCursor(reset({ staleBefore }))).resolves.toMatchObject({ after: { listing: reset().listing } });
    });
  });
}
