/** Rule 15 of the store contract (src/store/audit-store.ts): a reconcile's drift recorded, counted from the chain. */
import { describe, expect, it } from 'vitest';
import type { ListingWindow, ReconcileRecord } from '../../../src/store/audit-store.js';
import { complete, count, event, events, opened, page, query, reader, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';
const HIGH_WATER = '2026-10-01T00:00:05.000Z';
// Where the incremental listing planned now starts (high water less a 1 s lookback).
const LATE_BEFORE = '2026-10-01T00:00:04.000Z';
const FUTURE = { futureDatedAfter: '2100-01-01T00:00:00.000Z' };

function record(afterSeq: number, overrides: Partial<ReconcileRecord> = {}): ReconcileRecord {
  return {
    environmentId: A, trigger: 'test', startedAt: '2026-11-02T00:00:00.000Z', completedAt: '2026-11-02T00:01:00.000Z',
    since: '2026-09-25T00:00:00.000Z', until: '2026-11-02T00:00:59.000Z', pages: 3, served: 9, newEvents: 3,
    afterSeq, lateBefore: LATE_BEFORE, highWater: HIGH_WATER, lookbackMs: 1000, ...overrides,
  };
}

const window: ListingWindow = {
  kind: 'reconcile', since: '2026-09-25T00:00:00.000Z', until: '2026-11-02T00:00:59.000Z', startedAt: '2026-11-02T00:00:00.000Z',
  completedAt: '2026-11-02T00:01:00.000Z', resumedAtPage: 1, pages: 3, served: 9, newEvents: 3,
};

export function describeReconcileContract(fresh: FreshStore): void {
  describe('rule 15: reconciliation drift recorded', () => {
    it('counts the events linked after afterSeq and created before lateBefore, says how late and what lookback would have caught them, and moves no cursor', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 5), complete(HIGH_WATER)), page(B, events(B, 1, 2), complete(HIGH_WATER))]);
      const cursors = await store.listCursors();
      const afterSeq = (await store.chainHead(A))!.seq;
      // The reconcile's pages: a re-read event, two late ones (an hour and a minute before the start), one the next incremental run would have read.
      await store.writePages([
        page(A, [event(A, 1), event(A, -3600), event(A, -60)], { kind: 'none' }),
        page(A, [event(A, 100)], { kind: 'none' }),
        // A late event of another environment is that environment's.
        page(B, [event(B, -7200)], { kind: 'none' }),
        { ...page(A, [], { kind: 'none' }), window },
      ]);
      const drift = await store.recordReconcile(record(afterSeq));
      const late = await query(s, 'SELECT created_at, ingested_at FROM events WHERE id IN (:a, :b) ORDER BY created_at', { a: event(A, -3600).id, b: event(A, -60).id });
      const lateness = late.map((r) => Date.parse(String(r.ingested_at)) - Date.parse(String(r.created_at))).sort((a, b) => a - b);
      expect(drift).toEqual({
        ...record(afterSeq), id: drift.id, lateEvents: 2, maxLateMs: lateness[1], medianLateMs: Math.round((lateness[0]! + lateness[1]!) / 2),
        oldestLateCreatedAt: event(A, -3600).createdAt, neededLookbackMs: 3_605_000,
      });
      expect(await store.listCursors()).toEqual(cursors);
      expect(await store.status(FUTURE)).toMatchObject({ reconcile: [drift] });
      const windows = await query(s, "SELECT kind, pages, served, new_events FROM listing_windows WHERE kind = 'reconcile'");
      expect(windows.map((w) => ({ ...w, pages: count(w.pages), served: count(w.served), new_events: count(w.new_events) }))).toEqual([{ kind: 'reconcile', pages: 3, served: 9, new_events: 3 }]);
    });

    it("status keeps each environment's latest reconcile; a second one that found nothing says 0", async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, events(A, 1, 5), complete(HIGH_WATER)), page(B, events(B, 1, 2), complete(HIGH_WATER))]);
      await store.writePages([page(A, [event(A, -60)], { kind: 'none' })]);
      const first = await store.recordReconcile(record(5));
      expect(first.lateEvents).toBe(1);
      const onB = await store.recordReconcile(record(2, { environmentId: B }));
      const second = await store.recordReconcile(record((await store.chainHead(A))!.seq, { newEvents: 0 }));
      expect(second).toMatchObject({ lateEvents: 0, maxLateMs: null, medianLateMs: null, oldestLateCreatedAt: null, neededLookbackMs: null });
      expect(second.id).toBeGreaterThan(first.id);
      expect((await store.status(FUTURE)).reconcile).toEqual([second, onB]);
      // The read side (status, --json) reports the same.
      expect((await (await reader(s)).status(FUTURE)).reconcile).toEqual([second, onB]);
    });

    it('with no lateBefore (the incremental listing reads from the beginning) nothing is late', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([page(A, [event(A, -60)], { kind: 'none' })]);
      const drift = await store.recordReconcile(record(0, { lateBefore: null, highWater: null }));
      expect(drift).toMatchObject({ lateEvents: 0, neededLookbackMs: null });
    });
  });
}
