/** The explorer benchmark's code paths at a tiny size (the figures come from npm run bench:explorer; no timing is asserted here). */
import { describe, expect, it } from 'vitest';
import { measureExplorerPages } from '../../bench/explorer-pages.js';
import { fillStore } from '../../bench/synthetic-trail.js';
import { openReader } from '../../src/store/open-store.js';
import { tempDbPath } from '../helpers/temp.js';

describe('bench/explorer-pages', () => {
  it('fills a store with the synthetic trail and times every page, each answering with rows where it lists them', async () => {
    const settings = { dbPath: tempDbPath() };
    const end = new Date('2026-11-30T00:00:00.000Z');
    await fillStore(settings, { events: 3000, environments: 3, days: 30, end });
    const reader = await openReader(settings);
    try {
      const cursor = await reader.openQuery('SELECT count(*) AS n, count(DISTINCT created_at) AS times FROM events');
      const [row] = await cursor.read(1);
      await cursor.close();
      // Events share timestamps (three at a time), as the keyset paging must handle.
      expect(row!.n).toBe(3000);
      expect(Number(row!.times)).toBeLessThanOrEqual(1000);
    } finally {
      await reader.close();
    }
    const timings = await measureExplorerPages(settings, { runs: 1, end });
    expect(timings.map((t) => t.page)).toContain('trail, free text');
    for (const t of timings.filter((t) => t.page.startsWith('trail') || t.page === 'actor')) expect(t.rows, t.page).toBeGreaterThan(0);
    for (const t of timings) expect(t.medianMs).toBeGreaterThan(0);
  });
});
