/** Rule 16 of the store contract (visibility lag recorded for incremental first sightings), for any store. */
import { describe, expect, it } from 'vitest';
import type { ListingKind, PageWrite } from '../../../src/store/audit-store.js';
import { pruneEvents } from '../../../src/retention/prune-events.js';
import { event, opened, page, progress, query, reader, count, type FreshStore } from './fixtures.js';

const A = 'us_env_a';
const B = 'us_env_b';
/** Fixture events are created at 2026-10-01T00:00:00Z plus n seconds. */
const CREATED = Date.parse('2026-10-01T00:00:00.000Z');
const FAR_FUTURE = '9999-01-01T00:00:00.000Z';

/** Events n of an environment and topic, read by a listing of `by` at `atS` seconds after the fixture events' zero. */
function read(environmentId: string, ns: number[], topic: string, by: ListingKind, atS: number): PageWrite {
  return {
    ...page(environmentId, ns.map((n) => event(environmentId, n, { topic })), progress(2)),
    read: { by, at: new Date(CREATED + atS * 1000).toISOString() },
  };
}

export function describeLagContract(fresh: FreshStore): void {
  describe('rule 16: visibility lag recorded for incremental first sightings', () => {
    it('counts an incremental listing\'s new events by environment, topic, hour read and lag; re-reads and other listings count nothing', async () => {
      const s = await fresh();
      const store = await opened(s);
      // Events 1-5 of A are created at seconds 1-5: read at second 65 they are 60-64 s late (the bucket up to 64 s); event 9 is 1024 s late.
      await store.writePages([read(A, [1, 2, 3, 4, 5], 'records:updated', 'incremental', 65), read(A, [9], 'space:archived', 'incremental', 1033)]);
      // Re-read by an incremental listing, and first read by every other kind: nothing counted.
      await store.writePages([
        read(A, [1, 2], 'records:updated', 'incremental', 5000),
        read(A, [20], 'records:updated', 'backfill', 5000),
        read(A, [21], 'records:updated', 'catch-up', 5000),
        read(A, [22], 'records:updated', 'resync', 5000),
        page(A, [event(A, 23)], progress(3)),
      ]);
      await store.writePages([read(B, [1], 'records:updated', 'incremental', 1)]);
      expect(await store.visibilityLag('2026-10-01T00:00:00.000Z')).toEqual([
        { environmentId: A, topic: null, events: 6, p50Ms: 64_000, p99Ms: 1_024_000 },
        { environmentId: A, topic: 'records:updated', events: 5, p50Ms: 64_000, p99Ms: 64_000 },
        { environmentId: A, topic: 'space:archived', events: 1, p50Ms: 1_024_000, p99Ms: 1_024_000 },
        // Read before its createdAt (the API's clock a little behind): up to a second.
        { environmentId: B, topic: null, events: 1, p50Ms: 1000, p99Ms: 1000 },
        { environmentId: B, topic: 'records:updated', events: 1, p50Ms: 1000, p99Ms: 1000 },
      ]);
      const counted = await query(s, 'SELECT environment_id, topic, bucket, events FROM visibility_lag ORDER BY environment_id, topic, bucket');
      expect(counted.map((r) => [r.environment_id, r.topic, count(r.bucket), count(r.events)])).toEqual([
        [A, 'records:updated', 48, 5],
        [A, 'space:archived', 80, 1],
        [B, 'records:updated', 0, 1],
      ]);
      // Status and the read-only reader report the same figures over the same window.
      const options = { futureDatedAfter: FAR_FUTURE, lagSince: '2026-10-01T00:00:00.000Z' };
      expect((await store.status(options)).visibilityLag).toEqual(await store.visibilityLag(options.lagSince));
      expect((await (await reader(s)).status(options)).visibilityLag).toEqual(await store.visibilityLag(options.lagSince));
    });

    it('reports over the hours read from `since` on, adding up the hours of a window', async () => {
      const s = await fresh();
      const store = await opened(s);
      await store.writePages([read(A, [1], 'records:updated', 'incremental', 65)]);
      await store.writePages([read(A, [2], 'records:updated', 'incremental', 2 * 3600)]);
      await store.writePages([read(A, [3], 'records:updated', 'incremental', 2 * 3600 + 66)]);
      expect((await store.visibilityLag('2026-10-01T00:00:00.000Z')).find((l) => l.topic === null)).toMatchObject({ events: 3 });
      // From 01:00 on: only the two read in hour 02:00 (lags 7198 s and 7263 s, the bucket up to 7512 s).
      expect((await store.visibilityLag('2026-10-01T01:00:00.000Z')).find((l) => l.topic === null)).toEqual({
        environmentId: A, topic: null, events: 2, p50Ms: 7_512_097, p99Ms: 7_512_097,
      });
      expect(await store.visibilityLag('2026-10-01T03:00:00.000Z')).toEqual([]);
    });

    it('pruneVisibilityLag deletes the rows of hours before its hour, oldest first, at most `limit` a call, and no other', async () => {
      const s = await fresh();
      const store = await opened(s);
      // One row in each of hours 00:00-03:00 for A, and in 00:00 and 03:00 for B.
      for (const hour of [0, 1, 2, 3]) await store.writePages([read(A, [10 + hour], 'records:updated', 'incremental', hour * 3600 + 100)]);
      await store.writePages([read(B, [1], 'records:updated', 'incremental', 100), read(B, [2], 'records:updated', 'incremental', 3 * 3600 + 100)]);
      const hours = async () => (await query(s, 'SELECT environment_id, hour FROM visibility_lag ORDER BY hour, environment_id')).map((r) => `${String(r.environment_id)} ${new Date(r.hour as string).toISOString().slice(11, 13)}`);
      expect(await hours()).toEqual([`${A} 00`, `${B} 00`, `${A} 01`, `${A} 02`, `${A} 03`, `${B} 03`]);

      expect(await store.pruneVisibilityLag('2026-10-01T02:00:00.000Z', 2)).toBe(2);
      expect(await hours()).toEqual([`${A} 01`, `${A} 02`, `${A} 03`, `${B} 03`]);
      expect(await store.pruneVisibilityLag('2026-10-01T02:00:00.000Z', 100)).toBe(1);
      expect(await store.pruneVisibilityLag('2026-10-01T02:00:00.000Z', 100)).toBe(0);
      expect(await hours()).toEqual([`${A} 02`, `${A} 03`, `${B} 03`]);
      expect((await store.visibilityLag('2026-10-01T00:00:00.000Z')).filter((l) => l.topic === null).map((l) => [l.environmentId, l.events])).toEqual([[A, 2], [B, 1]]);
    });

    it('a prune deletes the lag counts of hours before its date, never of the last 24 hours, whether or not it has events to prune', async () => {
      const s = await fresh();
      const store = await opened(s);
      for (const hour of [0, 1, 2, 3]) await store.writePages([read(A, [10 + hour], 'records:updated', 'incremental', hour * 3600 + 100)]);
      const prune = (before: string, now: string) =>
        pruneEvents({ store, openReader: () => reader(s), log: { info: () => undefined }, clock: () => new Date(now) }, { before, lookbackMs: 900_000, archivePath: null, command: 'test', batchSize: 1, pauseMs: 0 });
      const left = async () => count((await query(s, 'SELECT COUNT(*) AS n FROM visibility_lag'))[0]!.n);
      // A prune of everything before 03:00 run at 01:30 the next day: hour 00:00 is outside the 24 hours, 01:00 is inside.
      expect(await prune('2026-10-01T03:00:00.000Z', '2026-10-02T01:30:00.000Z')).toMatchObject({ plans: [], lagRows: 1, complete: true });
      expect(await left()).toBe(3);
      // Later, the prune's own date is the bound: 02:30 keeps the hour it falls in.
      expect(await prune('2026-10-01T02:30:00.000Z', '2026-12-01T00:00:00.000Z')).toMatchObject({ lagRows: 1 });
      expect(await left()).toBe(2);
      const stopped = new AbortController();
      stopped.abort();
      expect(await pruneEvents({ store, openReader: () => reader(s), log: { info: () => undefined }, clock: () => new Date('2026-12-01T00:00:00.000Z') },
        { before: '2026-12-01T00:00:00.000Z', lookbackMs: 900_000, archivePath: null, command: 'test', signal: stopped.signal })).toMatchObject({ lagRows: 0, complete: false });
      expect(await left()).toBe(2);
    });
  });
}
