/** The explorer benchmark's code paths at a small size (the figures come from npm run bench -- --explorer; no timing is asserted here). */
import { describe, expect, it } from 'vitest';
import { measureExplorerPages, PAGE_CASES } from '../../bench/explorer-pages.js';
import { eventsPerEnvironment, fillStore, syntheticEvent } from '../../bench/synthetic-trail.js';
import { openReader } from '../../src/store/open-store.js';
import { tempDbPath } from '../helpers/temp.js';

/** Pages that list no trail rows, and the filter that on purpose matches nothing. */
const ROWLESS = new Set(['event', 'environments', 'health', 'trail, actor_type api_key (none)']);
const DAY = 86_400_000;

interface Period { environment: string; guest: string; space: string; from: string | null; until: string | null }

/**
 * The stretches of access the synthetic trail's events imply (its guests are in no space in the
 * inventory), folded here by hand rather than read from the store: per guest and space, in time and
 * then id order, a grant starts a stretch unless one is open, a revoke ends the open one (or, first
 * of all, one held since before the trail).
 */
function impliedAccess(events: number, environments: number, days: number, end: Date): Period[] {
  const perEnvironment = eventsPerEnvironment(events, environments);
  const byPair = new Map<string, Array<{ at: string; id: string; granted: boolean; environment: string; guest: string; space: string }>>();
  for (let e = 0; e < environments; e++) {
    const count = Math.min(perEnvironment, events - e * perEnvironment);
    for (let n = 0; n < count; n++) {
      const ev = syntheticEvent(e, `us_env_bench${e}`, n, count, end.getTime() - days * DAY, days * DAY);
      if (ev.topic !== 'space:guestAdded' && ev.topic !== 'space:guestRemoved') continue;
      const guest = (JSON.parse(ev.raw) as { payload: { guestId: string } }).payload.guestId;
      const key = `${guest} ${ev.spaceId!}`;
      if (!byPair.has(key)) byPair.set(key, []);
      byPair.get(key)!.push({ at: ev.createdAt, id: ev.id, granted: ev.topic === 'space:guestAdded', environment: ev.environmentId, guest, space: ev.spaceId! });
    }
  }
  const periods: Period[] = [];
  for (const changes of byPair.values()) {
    changes.sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1));
    let open: Period | undefined;
    for (const [i, c] of changes.entries()) {
      if (c.granted && open === undefined) periods.push(open = { environment: c.environment, guest: c.guest, space: c.space, from: c.at, until: null });
      else if (!c.granted && open !== undefined) { open.until = c.at; open = undefined; }
      else if (!c.granted && i === 0) periods.push({ environment: c.environment, guest: c.guest, space: c.space, from: null, until: c.at });
    }
  }
  return periods;
}

const heldAt = (at: string) => (p: Period) => (p.from === null || p.from <= at) && (p.until === null || p.until > at);

describe('bench/explorer-pages', () => {
  it('fills a store with the synthetic trail and times every page, each answering with rows where it lists them', async () => {
    const settings = { dbPath: tempDbPath() };
    const end = new Date('2026-11-30T00:00:00.000Z');
    await fillStore(settings, { events: 20_000, environments: 4, days: 90, end });
    const access = impliedAccess(20_000, 4, 90, end);
    const weekAgo = new Date(end.getTime() - 7 * DAY).toISOString();
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
      else expect(t.rows, t.page).toBeGreaterThan(0);
      expect(t.medianMs).toBeGreaterThan(0);
    }
    expect(timings.find((t) => t.page === 'trail, q event id')?.rows).toBe(1);
    expect(timings.find((t) => t.page === 'chart, unfiltered')?.rows).toBe(20_000);
    // The access pages show exactly the stretches the trail's events imply (each row one stretch).
    const rows = (page: string) => timings.find((t) => t.page === page)?.rows;
    expect(rows('guest access')).toBe(access.length);
    expect(rows('guest access by guest')).toBe(access.filter((p) => p.guest === 'us_g_us_env_bench2_5').length);
    expect(rows('guest access by space')).toBe(access.filter((p) => p.space === 'us_sp_2_3').length);
    expect(rows('guest access at a time')).toBe(access.filter(heldAt(weekAgo)).length);
    expect(rows('guest access by space, at a time')).toBe(access.filter((p) => p.space === 'us_sp_2_3').filter(heldAt(weekAgo)).length);
    expect(rows('guest actor (history, access)')).toBe(50);
  });
});
