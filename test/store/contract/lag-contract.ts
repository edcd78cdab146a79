/** Rule 16 of the store contract (visibility lag recorded for incremental first sightings), for any store. */
import { describe, expect, it } from 'vitest';
import type { ListingKind, PageWrite } from '../../../src/store/audit-store.js';
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
  });
}
