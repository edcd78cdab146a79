import { describe, expect, it } from 'vitest';
import type { EnvironmentCursor } from '../../src/store/audit-store.js';
import { latest, listingKind, planListing, planReset } from '../../src/sync/plan-listing.js';

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

describe('planListing after a reset', () => {
  it('keeps the start of a listing that has read no page yet, whatever page size it was made with', () => {
    const listing = { since: '2026-09-01T00:00:00.000Z', pageSize: 50, nextPage: 1, maxCreatedAt: null, pageFill: 0, startedAt: '2026-11-01T11:00:00.000Z' };
    const plan = planListing(cursor({ highWater: '2026-11-01T10:00:00.000Z', listing }), base);
    expect(plan).toEqual({ ...listing, pageSize: 100 });
  });
});

describe('planReset', () => {
  const H = '2026-11-01T10:00:00.000Z';
  const interrupted = (since: string | null) => ({ since, pageSize: 100, nextPage: 17, maxCreatedAt: '2026-10-30T00:00:00.000Z', pageFill: 100, startedAt: '2026-11-01T11:00:00.000Z' });
  const moved = (since: string | null) => ({ kind: 'move', listing: { since, pageSize: 100, nextPage: 1, maxCreatedAt: null, pageFill: 0, startedAt: now.toISOString() } });
  it.each([
    ['earlier than a lookback before the high-water mark: from there', cursor({ highWater: H }), '2026-11-01T08:00:00.000Z', base, moved('2026-11-01T08:00:00.000Z')],
    ['within the lookback: the next run reads from earlier anyway', cursor({ highWater: H }), '2026-11-01T09:50:00.000Z', base, { kind: 'already', since: '2026-11-01T09:45:00.000Z' }],
    ['later than the high-water mark: nothing to move', cursor({ highWater: H }), '2026-11-01T11:00:00.000Z', base, { kind: 'already', since: '2026-11-01T09:45:00.000Z' }],
    ['an interrupted listing from earlier: page 1 of it, so nothing it would still read is skipped', cursor({ highWater: H, listing: interrupted('2026-10-01T00:00:00.000Z') }), '2026-10-15T00:00:00.000Z', base, moved('2026-10-01T00:00:00.000Z')],
    ['an interrupted listing from later: from --since', cursor({ highWater: H, listing: interrupted('2026-10-01T00:00:00.000Z') }), '2026-09-01T00:00:00.000Z', base, moved('2026-09-01T00:00:00.000Z')],
    ['an interrupted first listing (from the beginning): from the beginning again', cursor({ listing: interrupted(null) }), '2026-09-01T00:00:00.000Z', base, moved(null)],
    ['never completed, no backfill date: it reads from the beginning anyway', cursor({}), '2026-09-01T00:00:00.000Z', base, { kind: 'already', since: null }],
    ['before AUDIT_BACKFILL_SINCE: from --since', cursor({}), '2026-09-01T00:00:00.000Z', { ...base, backfillSince: '2026-10-01T00:00:00.000Z' }, moved('2026-09-01T00:00:00.000Z')],
  ])('%s', (_name, given, since, options, expected) => {
    expect(planReset(given, since, options)).toEqual(expected);
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

describe('listingKind (what a listing is to the visibility lag, rule 16)', () => {
  const highWater = '2026-11-01T10:00:00.000Z';
  const listing = (since: string | null, nextPage = 1) => ({ since, pageSize: 100, nextPage, maxCreatedAt: null, pageFill: 0, startedAt: now.toISOString() });
  it.each([
    ['no high-water mark yet: the backfill', undefined, listing(null), 'backfill'],
    ['no high-water mark, from AUDIT_BACKFILL_SINCE: the backfill', cursor({}), listing('2026-01-01T00:00:00.000Z'), 'backfill'],
    ['a fresh listing a lookback before the high-water mark', cursor({ highWater }), listing('2026-11-01T09:45:00.000Z'), 'incremental'],
    ['a resumed one from there', cursor({ highWater, listing: listing('2026-11-01T09:45:00.000Z', 7) }), listing('2026-11-01T09:45:00.000Z', 7), 'incremental'],
    ['one an operator moved back (cursor reset)', cursor({ highWater, listing: listing('2026-10-01T00:00:00.000Z') }), listing('2026-10-01T00:00:00.000Z'), 'resync'],
    ['that one resumed', cursor({ highWater, listing: listing('2026-10-01T00:00:00.000Z', 4) }), listing('2026-10-01T00:00:00.000Z', 4), 'resync'],
    ['moved back to the beginning', cursor({ highWater, listing: listing(null) }), listing(null), 'resync'],
  ])('%s', (_name, given, planned, kind) => {
    expect(listingKind(given, planned, base)).toBe(kind);
  });

  it('agrees with what planListing and planReset plan', () => {
    const synced = cursor({ highWater });
    expect(listingKind(synced, planListing(synced, base), base)).toBe('incremental');
    const reset = planReset(synced, '2026-10-15T00:00:00.000Z', base);
    if (reset.kind !== 'move') throw new Error('expected the reset to move the listing');
    const moved = cursor({ highWater, listing: reset.listing });
    expect(listingKind(moved, planListing(moved, base), base)).toBe('resync');
  });
});
