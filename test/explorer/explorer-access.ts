/**
 * The explorer's history pages against the store they read, part of the shared suite (so run on
 * SQLite and PostgreSQL): /access row for row as `guest_access` and, at a moment, as the cookbook's
 * `space-access`; /tokens with the flags token-hygiene.ts computes and no token value; an actor's
 * versions (a user renamed between two syncs) and a guest's access history.
 */
import { expect, it } from 'vitest';
import { cookbookQuery, cookbookSql } from '../../src/cookbook.js';
import { hygieneCutoffs, readTokenHygiene } from '../../src/token-hygiene.js';
import { TEST_PAT } from '../helpers/simulator.js';
import { get, sqlRows, SUITE_TOKENS, type Fixture } from './explorer-suite.js';

interface ShownAccess {
  guest_id: string;
  space_id: string;
  granted_at: string | null;
  revoked_at: string | null;
}

/** The access rows a page shows, in its order. */
function shownAccess(text: string): ShownAccess[] {
  return [...text.matchAll(/<tr data-guest-id="([^"]*)" data-space-id="([^"]*)" data-granted-at="([^"]*)" data-revoked-at="([^"]*)">/g)].map((m) => ({
    guest_id: m[1]!, space_id: m[2]!, granted_at: m[3] === '' ? null : m[3]!, revoked_at: m[4] === '' ? null : m[4]!,
  }));
}

const ORDER = 'ORDER BY environment_id, space_id, guest_id, CASE WHEN granted_at IS NULL THEN 0 ELSE 1 END, granted_at';

async function expectedAccess(f: Fixture, where: string, params: Record<string, string> = {}): Promise<ShownAccess[]> {
  const rows = await sqlRows(f.reader, `SELECT guest_id, space_id, granted_at, revoked_at FROM guest_access WHERE ${where} ${ORDER}`, params);
  return rows.map((r) => ({ guest_id: String(r.guest_id), space_id: String(r.space_id), granted_at: (r.granted_at as string | null) ?? null, revoked_at: (r.revoked_at as string | null) ?? null }));
}

export function accessTests(fixture: () => Fixture): void {
  it('/access shows every stretch of guest access as guest_access holds it, and each filter narrows it exactly as the SQL', async () => {
    const f = fixture();
    const all = await expectedAccess(f, 'TRUE');
    expect(all.some((r) => r.revoked_at !== null), 'some access was revoked').toBe(true);
    expect(all.some((r) => r.granted_at !== null), 'some access has a grant time').toBe(true);
    const page = await get(f, '/access');
    expect(page.status).toBe(200);
    expect(shownAccess(page.text)).toEqual(all);
    const revoked = all.find((r) => r.revoked_at !== null)!;
    const [guest] = await sqlRows(f.reader, 'SELECT email, name, environment_id FROM guests WHERE id = :id', { id: revoked.guest_id });
    const cases: Array<[string, string, Record<string, string>]> = [
      [`?space=${revoked.space_id}`, 'space_id = :s', { s: revoked.space_id }],
      [`?guest=${revoked.guest_id}`, 'guest_id = :g', { g: revoked.guest_id }],
      [`?guest=${encodeURIComponent(String(guest!.email).toUpperCase())}`, 'guest_id = :g', { g: revoked.guest_id }],
      [`?environment=${guest!.environment_id}`, 'environment_id = :e', { e: String(guest!.environment_id) }],
      ['?current=1', 'revoked_at IS NULL', {}],
      [`?environment=${guest!.environment_id}&current=1`, 'environment_id = :e AND revoked_at IS NULL', { e: String(guest!.environment_id) }],
    ];
    for (const [query, where, params] of cases) {
      const expected = await expectedAccess(f, where, params);
      expect(expected.length, `${query} should match some rows and not all`).toBeGreaterThan(0);
      expect(expected.length, query).toBeLessThan(all.length);
      const res = await get(f, `/access${query}`);
      expect(res.status, query).toBe(200);
      expect(shownAccess(res.text), query).toEqual(expected);
    }
    // Rows link the guest's actor page and the space's trail.
    expect(page.text).toContain(`href="/actors/${revoked.guest_id}"`);
    expect(page.text).toContain(`href="/?space=${revoked.space_id}"`);
  });

  it("/access?space=…&at=… names exactly the guests the cookbook's space-access does, at every moment access changed", async () => {
    const f = fixture();
    const sql = cookbookSql(cookbookQuery('space-access'), f.reader.dialect);
    const changes = await sqlRows(f.reader, 'SELECT space_id, granted_at, revoked_at FROM guest_access');
    const bySpace = new Map<string, Set<number>>();
    for (const c of changes) {
      const moments = bySpace.get(String(c.space_id)) ?? new Set<number>();
      for (const t of [c.granted_at, c.revoked_at]) if (typeof t === 'string') for (const d of [-1, 0, 1]) moments.add(Date.parse(t) + d);
      bySpace.set(String(c.space_id), moments);
    }
    let compared = 0;
    let nonEmpty = 0;
    let changed = 0;
    for (const [space, moments] of bySpace) {
      const times = [...[...moments].sort((a, b) => a - b).map((t) => new Date(t).toISOString()), new Date().toISOString()];
      let previous: string | undefined;
      for (const at of times) {
        const expected = (await sqlRows(f.reader, sql, { space, at })).map((r) => String(r.guest_id));
        const res = await get(f, `/access?space=${space}&at=${encodeURIComponent(at)}`);
        expect(res.status).toBe(200);
        expect({ space, at, guests: shownAccess(res.text).map((r) => r.guest_id) }).toEqual({ space, at, guests: expected });
        compared += 1;
        if (expected.length > 0) nonEmpty += 1;
        if (previous !== undefined && previous !== expected.join()) changed += 1;
        previous = expected.join();
      }
    }
    expect(compared).toBeGreaterThan(20);
    expect(nonEmpty).toBeGreaterThan(5);
    expect(changed, 'the answer changes over time').toBeGreaterThan(0);
    // A bare date is that day's start (UTC).
    const [space] = bySpace.keys();
    const day = new Date().toISOString().slice(0, 10);
    const expected = (await sqlRows(f.reader, sql, { space: space!, at: `${day}T00:00:00.000Z` })).map((r) => String(r.guest_id));
    expect(shownAccess((await get(f, `/access?space=${space}&at=${day}`)).text).map((r) => r.guest_id)).toEqual(expected);
  });

  it('/tokens lists every token with the flags token-hygiene computes, and never a token value', async () => {
    const f = fixture();
    const page = await get(f, '/tokens');
    expect(page.status).toBe(200);
    const shown = [...page.text.matchAll(/<tr data-token-id="([^"]*)" data-flags="([^"]*)">/g)].map((m) => [m[1]!, m[2]!] as const);
    const ids = (await sqlRows(f.reader, 'SELECT id FROM personal_access_tokens ORDER BY id')).map((r) => String(r.id));
    expect(shown.map(([id]) => id).sort()).toEqual(ids);
    const flagged = await readTokenHygiene(f.reader, hygieneCutoffs(new Date(), SUITE_TOKENS));
    const expected = new Map(flagged.map((t) => [t.id, t.flags.join(' ')]));
    expect(new Map(shown)).toEqual(new Map(ids.map((id) => [id, expected.get(id) ?? ''])));
    // The simulator's tokens carry every flag between them, and the deleted one is shown removed.
    expect(new Set(flagged.flatMap((t) => t.flags))).toEqual(new Set(['unused', 'never-used', 'too-old']));
    expect(page.text).toMatch(new RegExp(`data-token-id="${f.changes.removedTokenId}" data-flags="">[\\s\\S]*?<span class="muted">removed</span>`));
    expect(f.changes.secrets).toContain(TEST_PAT);
    for (const secret of f.changes.secrets) expect(page.text).not.toContain(secret);
  });

  it("shows a renamed user's versions, old and new name, each valid until the next, and a guest's access history", async () => {
    const f = fixture();
    const { renamed } = f.changes;
    const page = await get(f, `/actors/${renamed.id}`);
    expect(page.status).toBe(200);
    const versions = await sqlRows(f.reader, 'SELECT name, valid_from FROM inventory_versions WHERE id = :id ORDER BY valid_from, seq', { id: renamed.id });
    expect(versions.map((v) => v.name)).toEqual([renamed.oldName, renamed.newName]);
    const rows = [...page.text.matchAll(/<tr data-version="\d+"><td>([^<]*)<\/td><td>[^<]*<\/td><td><time datetime="([^"]*)">[^<]*<\/time><\/td><td>(?:<time datetime="([^"]*)">|<span class="muted">today)/g)]
      .map((m) => ({ name: m[1], from: m[2], until: m[3] ?? null }));
    expect(rows).toEqual([
      { name: renamed.oldName, from: versions[0]!.valid_from, until: versions[1]!.valid_from },
      { name: renamed.newName, from: versions[1]!.valid_from, until: null },
    ]);

    const [guest] = await sqlRows(f.reader, 'SELECT guest_id FROM guest_access WHERE revoked_at IS NOT NULL AND granted_at IS NOT NULL ORDER BY guest_id LIMIT 1');
    const guestId = String(guest!.guest_id);
    const guestPage = await get(f, `/actors/${guestId}`);
    expect(guestPage.status).toBe(200);
    expect(shownAccess(guestPage.text)).toEqual(await expectedAccess(f, 'guest_id = :g', { g: guestId }));
  });
}
