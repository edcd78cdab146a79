/** The explorer benchmark's code paths at a small size (the figures come from npm run bench -- --explorer; no timing is asserted here). */
import { describe, expect, it } from 'vitest';
import { measureExplorerPages, PAGE_CASES } from '../../bench/explorer-pages.js';
import { fillStore } from '../../bench/synthetic-trail.js';
import { openReader } from '../../src/store/open-store.js';
import { tempDbPath } from '../helpers/temp.js';

/** Pages that list no trail rows, and the filter that on purpose matches nothing. */
const ROWLESS = new Set(['event', 'environments', 'health', 'trail, actor_type api_key (none)']);
/** Whether a guest could reach that one space at that one moment depends on the trail's size. */
const MAY_BE_EMPTY = new Set(['guest access by space, at a time']);

describe('bench/explorer-pages', () => {
  it('fills a store with the synthetic trail and times every page, each answering with rows where it lists them', async () => {
    const settings = { dbPath: tempDbPath() };
    const end = new Date('2026-11-30T00:00:00.000Z');
    await fillStore(settings, { events: 20_000, environments: 4, days: 90, end });
    const reader = await openReader(settings);
    try {
      const cursor = await reader.openQuery('SELECT count(*) AS n, count(DISTINCT created_at) AS times FROM events');
      const [row] = await cursor.read(1);
      await cursor.close();
      // Events share timestamps (three at a time), as the keyset paging must handle.
      expect(row!.n).toBe(20_000);
      expect(Number(row!.times)).toBeLessThanOrEqual(20_000 / 3 + 4);
    } finally {
      await reader.close();
    }
    const timings = await measureExplorerPages(settings, { runs: 1, end });
    expect(timings.map((t) => t.page)).toEqual(PAGE_CASES.map((c) => c.page));
    for (const t of timings) {
      if (ROWLESS.has(t.page)) expect(t.rows, t.page).toBe(0);
      else if (MAY_BE_EMPTY.has(t.page)) expect(t.rows, t.page).toBeGreaterThanOrEqual(0);
      else expect(t.rows, t.page).toBeGreaterThan(0);
      expect(t.medianMs).toBeGreaterThan(0);
    }
    expect(timings.find((t) => t.page === 'trail, q event id')?.rows).toBe(1);
    expect(timings.find((t) => t.page === 'chart, unfiltered')?.rows).toBe(20_000);
  });
});
