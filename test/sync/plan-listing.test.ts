import { describe, expect, it } from 'vitest';
import type { EnvironmentCursor } from '../../src/store/audit-store.js';
import { latest, planListing } from '../../src/sync/plan-listing.js';

const now = new Date('2026-11-01T12:00:00.000Z');
const base = { lookbackMs: 15 * 60_000, backfillSince: undefined, pageSize: 100, now };

function cursor(partial: Partial<EnvironmentCursor>): EnvironmentCursor {
  return { environmentId: 'us_env_1', highWater: null, listing: null, lastSuccessAt: null, lastError: null, ...partial };
}

describe('planListing', () => {
  it.each([
    ['first run: whole history', undefined, base, null],
    ['first run with a backfill date', undefined, { ...base, backfillSince: '2026-01-01T00:00:00.000Z' }, '2026-01-01T00:00:00.000Z'],
    ['incremental: a lookback before the high-water mark', cursor({ highWater: '2026-11-01T10:00:00.000Z' }), base, '2026-11-01T09:45:00.000Z'],
    [
      'backfill date later than high water minus lookback wins',
      cursor({ highWater: '2026-11-01T10:00:00.000Z' }),
      { ...base, backfillSince: '2026-11-01T09:50:00.000Z' },
      '2026-11-01T09:50:00.000Z',
    ],
  ])('%s', (_name, given, options, since) => {
    expect(planListing(given, options)).toEqual({ since, pageSize: 100, nextPage: 1, maxCreatedAt: null, pageFill: 0, startedAt: now.toISOString() });
  });

  it('resumes an interrupted listing where it stopped', () => {
    const listing = { since: '2026-10-01T00:00:00.000Z', pageSize: 100, nextPage: 17, maxCreatedAt: '2026-10-30T00:00:00.000Z', pageFill: 100, startedAt: '2026-11-01T11:00:00.000Z' };
    expect(planListing(cursor({ highWater: '2026-10-01T00:15:00.000Z', listing }), base)).toBe(listing);
  });

  it('restarts (from the high-water mark) an interrupted listing made with another page size', () => {
    const listing = { since: null, pageSize: 50, nextPage: 17, maxCreatedAt: '2026-10-30T00:00:00.000Z', pageFill: 100, startedAt: '2026-11-01T11:00:00.000Z' };
    const plan = planListing(cursor({ highWater: '2026-11-01T10:00:00.000Z', listing }), base);
    expect(plan).toMatchObject({ since: '2026-11-01T09:45:00.000Z', nextPage: 1, pageSize: 100 });
  });
});

describe('latest', () => {
  it.each([
    [null, null, null],
    ['2026-01-01T00:00:00.000Z', null, '2026-01-01T00:00:00.000Z'],
    [null, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'],
  ])('latest(%s, %s) = %s', (a, b, expected) => {
    expect(latest(a, b)).toBe(expected);
  });
});
