/** Where a prune must stop per environment: never where the next listing reads again (pruneLimits). */
import { describe, expect, it } from 'vitest';
import { pruneLimits } from '../../src/retention/prune-events.js';
import type { EnvironmentCursor } from '../../src/store/audit-store.js';

const cursor = (environmentId: string, highWater: string | null, listingSince?: string | null): EnvironmentCursor => ({
  environmentId, highWater, lastSuccessAt: null, lastError: null,
  listing: listingSince === undefined ? null : { since: listingSince, pageSize: 100, nextPage: 3, maxCreatedAt: null, pageFill: 100, startedAt: '2026-11-30T00:00:00.000Z' },
});

describe('pruneLimits', () => {
  it.each([
    ['the date, when the next listing starts later', cursor('a', '2026-11-30T00:00:00.000Z'), '2026-01-01T00:00:00.000Z'],
    ['the high-water mark less the lookback, when that is earlier', cursor('a', '2026-01-01T00:05:00.000Z'), '2025-12-31T23:55:00.000Z'],
    ['a resumed listing\'s start, when that is earlier still', cursor('a', '2026-11-30T00:00:00.000Z', '2025-12-01T00:00:00.000Z'), '2025-12-01T00:00:00.000Z'],
    ['nothing for a listing that reads from the start', cursor('a', '2026-11-30T00:00:00.000Z', null), undefined],
    ['nothing before a first completed listing', cursor('a', null), undefined],
  ])('%s', (_what, c, expected) => {
    // A prune before 2026-01-01 with a lookback of 10 minutes.
    expect(pruneLimits([c], '2026-01-01T00:00:00.000Z', 10 * 60_000).a).toBe(expected);
  });
});
