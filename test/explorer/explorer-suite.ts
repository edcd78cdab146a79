/**
 * The audit explorer, end to end, against one store: a simulator synced into it by the real CLI
 * (`sync --once`), a few rows written past the simulator (events sharing one timestamp, an actor
 * whose name is markup), the explorer served over HTTP, and every page read as a browser or a
 * person would. Run against SQLite (explorer-sqlite.test.ts) and PostgreSQL (explorer-postgres.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExplorerServer, type ExplorerServer } from '../../src/explorer/explorer-server.js';
import { downloadStatement } from '../../src/explorer/download.js';
import { ACTOR_TYPES } from '../../src/explorer/trail-filter.js';
import { createLogger } from '../../src/log.js';
import type { EventRecord } from '../../src/records.js';
import type { AuditReader, QueryRow } from '../../src/store/audit-reader.js';
import { openReader, openStore, type StoreSettings } from '../../src/store/open-store.js';
import { runCli } from '../helpers/cli.js';
import { browserTests } from './explorer-browser.js';
import { accessTests } from './explorer-access.js';
import { startSimulator } from '../../src/simulator/index.js';
import { TEST_PAT } from '../helpers/simulator.js';

export interface ExplorerStore {
  settings: StoreSettings;
  /** The variables that point the CLI at this store. */
  env: Record<string, string>;
  /** Runs a statement on the store's database past the store (tampering). */
  tamper(sql: string): Promise<void>;
  /** Removes what the store left behind, after the suite. */
  remove(): Promise<void> | void;
}

const TIE_ENV = 'us_env_tiedTimes';
const TIE_AT = '2026-11-15T12:00:00.000Z';
const TIE_COUNT = 130;
const XSS_GUEST = 'us_g_markup';
const XSS_NAME = '<img src=x onerror="alert(1)"> & Co';

function tieEvent(n: number): EventRecord {
  return {
    id: `us_evt_tie_${String(n).padStart(4, '0')}`, environmentId: TIE_ENV, createdAt: TIE_AT, topic: 'records:updated', domain: 'workbook',
    actorId: n % 10 === 0 ? XSS_GUEST : null, spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null,
    raw: JSON.stringify({ id: `us_evt_tie_${n}`, n }),
  };
}

export interface Fixture {
  server: ExplorerServer;
  reader: AuditReader;
  store: ExplorerStore;
  /** What changed between the two syncs, and every secret the simulator handed out. */
  changes: SyncedChanges;
}

export interface SyncedChanges {
  renamed: { id: string; oldName: string; newName: string };
  /** Token values the simulator made (none may reach a page). */
  secrets: string[];
  /** The PAT deleted between the syncs (removed in the inventory). */
  removedTokenId: string;
}

/** What /tokens flags in the suite: short enough that the simulator's tokens carry every flag. */
export const SUITE_TOKENS = { staleAfterMs: 7 * 86_400_000, maxAgeMs: 60 * 86_400_000 };

/** Syncs the simulator into the store, adds the rows the simulator cannot make, and serves the explorer. */
export function explorerFixture(freshStore: () => Promise<ExplorerStore>): () => Fixture {
  let fixture: Fixture | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    const sim = await startSimulator({ pats: [TEST_PAT], seed: 7, account: { environments: 3, eventsPerEnvironment: 400 } });
    cleanups.push(() => sim.close());
    const store = await freshStore();
    cleanups.push(async () => store.remove());
    const syncEnv = { ...store.env, FLATFILE_API_URL: sim.url, FLATFILE_TOKEN: TEST_PAT, LOG_LEVEL: 'error' };
    // Two tokens besides the one syncing: one never used, one deleted between the syncs.
    sim.sim.createPersonalAccessToken('forgotten CI token');
    const doomed = sim.sim.createPersonalAccessToken('laptop token');
    const synced = await runCli(['sync', '--once'], syncEnv);
    expect(synced.code, synced.stderr).toBe(0);
    // Between the two syncs: a user renamed (the name only, so the trail's email filters still name
    // them), a guest loses a space and another gains one, a token deleted.
    const user = sim.sim.users().at(-1)!;
    const renamed = { id: user.id, oldName: user.name, newName: `${user.name} Renamed` };
    sim.sim.advanceClock(60_000);
    sim.sim.addEvents(sim.sim.environments()[0]!.id, 2, { actorId: user.id });
    sim.sim.advanceClock(60_000);
    sim.sim.renameUser(user.id, { name: renamed.newName });
    sim.sim.advanceClock(60_000);
    sim.sim.addEvents(sim.sim.environments()[0]!.id, 2, { actorId: user.id });
    const envId = sim.sim.environments()[0]!.id;
    const [first, second] = sim.sim.guests(envId);
    sim.sim.advanceClock(60_000);
    sim.sim.removeGuestFromSpace(first!.id, first!.spaces[0]!.id, user.id);
    const missing = sim.sim.spaces(envId).map((sp) => sp.id).find((id) => !second!.spaces.some((m) => m.id === id));
    sim.sim.advanceClock(60_000);
    if (missing) sim.sim.addGuestToSpace(second!.id, missing, user.id);
    sim.sim.deletePersonalAccessToken(doomed.personalAccessToken.id);
    const resynced = await runCli(['sync', '--once'], syncEnv);
    expect(resynced.code, resynced.stderr).toBe(0);
    const changes: SyncedChanges = { renamed, secrets: sim.sim.secrets(), removedTokenId: doomed.personalAccessToken.id };
    const writer = await openStore(store.settings);
    try {
      await writer.writeInventory({ kind: 'guests', scope: TIE_ENV, seenAt: TIE_AT, records: [{ id: XSS_GUEST, environmentId: TIE_ENV, email: 'markup@guest.example', name: XSS_NAME, spaces: [], raw: '{}' }] });
      const events = Array.from({ length: TIE_COUNT }, (_v, i) => tieEvent(i + 1));
      await writer.writePages([{ environmentId: TIE_ENV, events, rejected: [], cursor: { kind: 'complete', highWater: TIE_AT, completedAt: TIE_AT } }]);
    } finally {
      await writer.close();
    }
    const reader = await openReader(store.settings);
    cleanups.push(() => reader.close());
    const server = await startExplorerServer({
      host: '127.0.0.1', port: 0, dashboardPassword: undefined, allowedHosts: [], reader, openReader: () => openReader(store.settings),
      staleAfterMs: 3_600_000, maxClockSkewMs: 600_000, tokens: SUITE_TOKENS, log: createLogger({ level: 'silent' }),
    });
    cleanups.push(() => server.close());
    fixture = { server, reader, store, changes };
  }, 180_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return () => fixture!;
}

export async function get(fixture: Fixture, path: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(new URL(path.replace(/^\//, ''), fixture.server.url), init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function unescapeHref(href: string): string {
  return href.replace(/&amp;/g, '&');
}

/** Every event id the trail lists for `query`, following `rel="next"` to the last page. */
export async function allPages(fixture: Fixture, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let path: string | undefined = `/${query}`;
  let pages = 0;
  while (path !== undefined) {
    const page = await get(fixture, path);
    expect(page.status, page.text.slice(0, 500)).toBe(200);
    pages += 1;
    const rows = [...page.text.matchAll(/data-event-id="([^"]*)"/g)].map((m) => m[1]!);
    expect(rows.length).toBeLessThanOrEqual(50);
    ids.push(...rows);
    const next = /<a rel="next" href="([^"]*)"/.exec(page.text);
    path = next ? unescapeHref(next[1]!) : undefined;
  }
  return { ids, pages };
}

export async function sqlRows(reader: AuditReader, sql: string, params: Record<string, string> = {}): Promise<QueryRow[]> {
  const cursor = await reader.openQuery(sql, params);
  try {
    return await cursor.read(1_000_000);
  } finally {
    await cursor.close();
  }
}

async function expectedIds(reader: AuditReader, where: string, params: Record<string, string> = {}): Promise<string[]> {
  const rows = await sqlRows(reader, `SELECT event_id FROM audit_trail WHERE ${where} ORDER BY created_at DESC, event_id DESC`, params);
  return rows.map((r) => String(r.event_id));
}

/**
 * Readers for downloads whose cursors stop at their `from`-th read (1-based) until `open()`: a
 * download held mid-way, as a stalled client or a slow store would hold it.
 */
function heldReaders(settings: StoreSettings, from: number) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let closedOne!: () => void;
  const closed = new Promise<void>((resolve) => (closedOne = resolve));
  const held = async (): Promise<AuditReader> => {
    const real = await openReader(settings);
    return new Proxy(real, {
      get(target, prop) {
        if (prop === 'openQuery') {
          return async (...args: Parameters<AuditReader['openQuery']>) => {
            const cursor = await target.openQuery(...args);
            let reads = 0;
            return {
              columns: cursor.columns,
              close: () => cursor.close(),
              read: async (count: number) => {
                reads += 1;
                if (reads >= from) {
                  waiting += 1;
                  for (const w of waiters) if (waiting >= w.n) w.resolve();
                  await opened;
                }
                return cursor.read(count);
              },
            };
          };
        }
        if (prop === 'close') return async () => { await target.close(); closedOne(); };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return {
    openReader: held,
    open: () => open(),
    /** Resolves once `n` cursors are held. */
    held: (n: number) => new Promise<void>((resolve) => (waiting >= n ? resolve() : waiters.push({ n, resolve }))),
    /** Resolves once a download's reader is closed. */
    closed,
  };
}

export function describeExplorer(name: string, freshStore: () => Promise<ExplorerStore>): void {
  describe(`audit explorer on ${name}`, () => {
    const fixture = explorerFixture(freshStore);
    browserTests(fixture, name.toLowerCase());
    accessTests(fixture);

    it('lists every event once, newest first, 50 a page, across events sharing one timestamp', async () => {
      const f = fixture();
      const expected = await expectedIds(f.reader, 'TRUE');
      const { ids, pages } = await allPages(f, '');
      expect(ids).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 50));
      const tied = await allPages(f, `?environment=${TIE_ENV}`);
      expect(tied.ids).toHaveLength(TIE_COUNT);
      expect(new Set(tied.ids).size).toBe(TIE_COUNT);
      expect(tied.ids).toEqual(Array.from({ length: TIE_COUNT }, (_v, i) => tieEvent(TIE_COUNT - i).id));
    });

    it('narrows the rows exactly as the equivalent SQL does, for each filter', async () => {
      const f = fixture();
      const [sample] = await sqlRows(f.reader, `SELECT event_id, environment_id, actor_email, actor_name, topic, domain, space_id, workbook_id FROM audit_trail
        WHERE actor_type = 'user' AND space_id IS NOT NULL AND workbook_id IS NOT NULL ORDER BY event_id LIMIT 1`);
      expect(sample).toBeDefined();
      const s = sample as Record<string, string>;
      const namePart = s.actor_name!.split(' ')[0]!.toLowerCase().slice(1, 4);
      const [middle] = await sqlRows(f.reader, `SELECT created_at FROM audit_trail WHERE environment_id <> '${TIE_ENV}' ORDER BY created_at LIMIT 1 OFFSET 300`);
      const from = String(middle!.created_at);
      const to = new Date(Date.parse(from) + 36 * 3_600_000).toISOString();
      const cases: Array<[string, string, Record<string, string>]> = [
        [`?environment=${s.environment_id}`, 'environment_id = :v', { v: s.environment_id! }],
        [`?actor=${encodeURIComponent(s.actor_email!.toUpperCase())}`, 'lower(actor_email) = lower(:v)', { v: s.actor_email! }],
        [`?actor=${encodeURIComponent(namePart)}`, "lower(actor_name) LIKE :v", { v: `%${namePart}%` }],
        ['?actor_type=guest', "actor_type = 'guest'", {}],
        ['?actor_type=unknown', "actor_type = 'unknown'", {}],
        [`?topic=${encodeURIComponent(s.topic!)}`, 'topic = :v', { v: s.topic! }],
        [`?domain=${s.domain}`, 'domain = :v', { v: s.domain! }],
        [`?space=${s.space_id}`, 'space_id = :v', { v: s.space_id! }],
        [`?from=${from}&to=${to}`, 'created_at >= :f AND created_at < :t', { f: from, t: to }],
        [`?to=${from.slice(0, 10)}`, 'created_at < :t', { t: new Date(Date.parse(from.slice(0, 10)) + 86_400_000).toISOString() }],
        [`?q=${s.space_id}`, 'space_id = :v', { v: s.space_id! }],
        [`?q=${encodeURIComponent(s.topic!)}`, 'topic = :v', { v: s.topic! }],
        [`?q=${encodeURIComponent(namePart)}`, 'lower(actor_name) LIKE :v', { v: `%${namePart}%` }],
        // Free text naming no space and few events is read from the indexes (SQLite), not by walking the trail: the same rows.
        [`?q=${encodeURIComponent(s.event_id!)}`, 'event_id = :v', { v: s.event_id! }],
        [`?q=${encodeURIComponent(s.actor_email!)}`, 'lower(actor_email) = lower(:v)', { v: s.actor_email! }],
        [`?q=${encodeURIComponent(s.topic!)}&environment=${s.environment_id}`, 'topic = :v AND environment_id = :e', { v: s.topic!, e: s.environment_id! }],
        [`?environment=${s.environment_id}&actor_type=user&from=${from}`, "environment_id = :e AND actor_type = 'user' AND created_at >= :f", { e: s.environment_id!, f: from }],
      ];
      for (const [query, where, params] of cases) {
        const expected = await expectedIds(f.reader, where, params);
        expect(expected.length, `${query} should match some rows and not all`).toBeGreaterThan(0);
        const { ids } = await allPages(f, query);
        expect(ids, query).toEqual(expected);
      }
    });

    it('narrows by every actor type exactly as the view\'s actor_type does', async () => {
      const f = fixture();
      for (const type of ACTOR_TYPES) {
        const expected = await expectedIds(f.reader, 'actor_type = :v', { v: type });
        const { ids } = await allPages(f, `?actor_type=${type}`);
        expect(ids, type).toEqual(expected);
      }
    });

    it('finds a renamed user by the name and email shown on their old rows, as by their current ones', async () => {
      // A store of its own: a rename in the shared one would change what the other filters match.
      const store = await freshStore();
      const env = 'us_env_renames';
      const person = (name: string, email: string, updatedAt?: string) =>
        ({ id: 'us_usr_quentin', email, name, createdAt: null, lastSeenAt: null, raw: JSON.stringify({ id: 'us_usr_quentin', name, email, ...(updatedAt ? { updatedAt } : {}) }) });
      const other = { id: 'us_usr_zed', email: 'zed@example.com', name: 'Zed', createdAt: null, lastSeenAt: null, raw: '{}' };
      const event = (n: number, actorId: string, createdAt: string): EventRecord => ({
        id: `us_evt_rename_${n}`, environmentId: env, createdAt, topic: 'workbook:updated', domain: 'workbook', actorId, spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: '{}',
      });
      const writer = await openStore(store.settings);
      try {
        await writer.writeInventory({ kind: 'users', scope: null, seenAt: '2026-11-01T00:00:00.000Z', records: [person('Quentin Oldname', 'quentin.old@example.com'), other] });
        await writer.writeInventory({ kind: 'users', scope: null, seenAt: '2026-11-03T00:00:00.000Z', records: [person('Quentin Newname', 'quentin.new@example.com', '2026-11-02T00:00:00.000Z'), other] });
        await writer.writePages([{
          environmentId: env, rejected: [], cursor: { kind: 'complete', highWater: '2026-11-04T00:00:00.000Z', completedAt: '2026-11-04T00:00:00.000Z' },
          events: [event(1, 'us_usr_quentin', '2026-11-01T12:00:00.000Z'), event(2, 'us_usr_zed', '2026-11-01T13:00:00.000Z'), event(3, 'us_usr_quentin', '2026-11-03T12:00:00.000Z')],
        }]);
      } finally {
        await writer.close();
      }
      const reader = await openReader(store.settings);
      const server = await startExplorerServer({
        host: '127.0.0.1', port: 0, dashboardPassword: undefined, allowedHosts: [], reader, openReader: () => openReader(store.settings),
        staleAfterMs: 3_600_000, maxClockSkewMs: 600_000, tokens: SUITE_TOKENS, log: createLogger({ level: 'silent' }),
      });
      try {
        const own = { server, reader, store, changes: fixture().changes };
        // The old row shows the name as it was; the search by it finds that row (and the actor's later ones).
        expect((await sqlRows(reader, "SELECT actor_name FROM audit_trail WHERE event_id = 'us_evt_rename_1'"))[0]!.actor_name).toBe('Quentin Oldname');
        const quentin = ['us_evt_rename_3', 'us_evt_rename_1'];
        for (const query of ['?actor=oldname', '?actor=QUENTIN.OLD%40example.com', '?q=Oldname', '?q=quentin.old%40example.com', '?actor=newname', '?actor=quentin.new%40example.com']) {
          expect((await allPages(own, query)).ids, query).toEqual(quentin);
        }
      } finally {
        await server.close();
        await reader.close();
        await store.remove();
      }
    });

    it('answers a bad filter with 400 and one line, and an unknown event or actor with 404', async () => {
      const f = fixture();
      const bad = await get(f, '/?from=yesterday');
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('from must be an ISO date or time');
      expect((await get(f, '/?actor_type=robot')).status).toBe(400);
      expect((await get(f, '/?before=garbage')).status).toBe(400);
      expect((await get(f, '/events/us_evt_nope')).status).toBe(404);
      expect((await get(f, '/actors/us_usr_nope')).status).toBe(404);
      expect((await get(f, '/nowhere')).status).toBe(404);
      const badAt = await get(f, '/access?at=last%20week');
      expect(badAt.status).toBe(400);
      expect(badAt.text).toContain('at must be an ISO date or time');
      expect((await get(f, '/access?current=yes')).status).toBe(400);
    });

    it('is read-only: every method but GET and HEAD is 405 on every route', async () => {
      const f = fixture();
      for (const path of ['/', '/events/x', '/actors/x', '/environments', '/access', '/tokens', '/health', '/download.csv', '/assets/explorer.js']) {
        for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
          const res = await get(f, path, { method });
          expect(res.status, `${method} ${path}`).toBe(405);
          expect(res.headers.get('allow')).toBe('GET, HEAD');
        }
      }
    });

    it('refuses a Host header that is not this machine (DNS rebinding)', async () => {
      const f = fixture();
      const { request } = await import('node:http');
      const url = new URL(f.server.url);
      const status = await new Promise<number>((resolve, reject) => {
        request({ host: url.hostname, port: url.port, path: '/', headers: { Host: 'attacker.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on('error', reject).end();
      });
      expect(status).toBe(421);
    });

    it('escapes what users and guests named themselves', async () => {
      const f = fixture();
      const page = await get(f, `/?environment=${TIE_ENV}`);
      expect(page.text).not.toContain('<img src=x');
      expect(page.text).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co');
      const actor = await get(f, `/actors/${XSS_GUEST}`);
      expect(actor.status).toBe(200);
      expect(actor.text).not.toContain('<img src=x');
    });

    it('gives the filtered rows as CSV equal to query --csv, and as NDJSON with every column', async () => {
      const f = fixture();
      const [sample] = await sqlRows(f.reader, "SELECT environment_id FROM audit_trail WHERE actor_type = 'guest' LIMIT 1");
      const filter = { environment: String(sample!.environment_id), actorType: 'guest' as const };
      const query = `?environment=${filter.environment}&actor_type=guest`;
      const csv = await get(f, `/download.csv${query}`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-disposition')).toContain('attachment');
      const statement = downloadStatement(filter, f.reader.dialect);
      const cli = await runCli(['query', statement.sql, '--csv', '--all', ...Object.entries(statement.params).flatMap(([k, v]) => ['--param', `${k}=${v}`])], { ...f.store.env, FLATFILE_TOKEN: TEST_PAT });
      expect(cli.code, cli.stderr).toBe(0);
      expect(csv.text).toBe(cli.stdout);
      const expected = await expectedIds(f.reader, "environment_id = :e AND actor_type = 'guest'", { e: filter.environment });
      const ndjson = (await get(f, `/download.ndjson${query}`)).text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(ndjson.map((r) => r.event_id)).toEqual(expected);
      const [one] = await sqlRows(f.reader, 'SELECT * FROM audit_trail WHERE event_id = :id', { id: expected[0]! });
      expect(ndjson[0]).toEqual(one);
    });

    it('runs two downloads at once and turns a third away with 503 and Retry-After, and serves it once they end', async () => {
      const f = fixture();
      const whole = (await get(f, '/download.csv')).text;
      const held = heldReaders(f.store.settings, 1);
      const server = await startExplorerServer({
        host: '127.0.0.1', port: 0, dashboardPassword: undefined, allowedHosts: [], reader: f.reader, openReader: held.openReader,
        staleAfterMs: 3_600_000, maxClockSkewMs: 600_000, tokens: SUITE_TOKENS, log: createLogger({ level: 'silent' }),
      });
      try {
        const running = [fetch(new URL('download.csv', server.url)), fetch(new URL('download.ndjson', server.url))];
        await held.held(2);
        const third = await fetch(new URL('download.csv', server.url));
        expect([third.status, third.headers.get('retry-after'), await third.text()]).toEqual([503, '10', '2 downloads are running; try again shortly.\n']);
        held.open();
        const [csv, ndjson] = await Promise.all(running);
        expect([csv!.status, await csv!.text()]).toEqual([200, whole]);
        expect((await ndjson!.text()).trim().split('\n')).toHaveLength(whole.trim().split('\n').length - 1);
        const again = await fetch(new URL('download.csv', server.url));
        expect([again.status, await again.text()]).toEqual([200, whole]);
      } finally {
        await server.close();
      }
    });

    it('cuts a download at its time limit mid-body, so the client sees it fail, and frees its place', async () => {
      const f = fixture();
      const held = heldReaders(f.store.settings, 2); // the first chunk goes out, the second never comes
      const server = await startExplorerServer({
        host: '127.0.0.1', port: 0, dashboardPassword: undefined, allowedHosts: [], reader: f.reader, openReader: held.openReader,
        staleAfterMs: 3_600_000, maxClockSkewMs: 600_000, tokens: SUITE_TOKENS, log: createLogger({ level: 'silent' }), maxDownloads: 1, downloadTimeoutMs: 2_000,
      });
      try {
        const cut = await fetch(new URL('download.csv', server.url));
        expect(cut.status).toBe(200);
        await expect(cut.text()).rejects.toThrow(TypeError); // undici: "terminated", not a short body read as whole
        held.open();
        await held.closed;
        const small = `download.csv?environment=${TIE_ENV}`; // one chunk, never held
        const next = await fetch(new URL(small, server.url));
        expect([next.status, await next.text()]).toEqual([200, (await get(f, `/${small}`)).text]);
      } finally {
        await server.close();
      }
    });

    it('shows an event with every field, its raw JSON, and whether its chain link verifies', async () => {
      const f = fixture();
      const [row] = await sqlRows(f.reader, "SELECT event_id, actor_id, topic FROM audit_trail WHERE actor_type = 'user' AND environment_id <> :t ORDER BY event_id LIMIT 1", { t: TIE_ENV });
      const id = String(row!.event_id);
      const page = await get(f, `/events/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-chain="verified"');
      expect(page.text).toContain(`href="/actors/${row!.actor_id}"`);
      expect(page.text).toContain(String(row!.topic));
      expect(page.text).toContain(`&quot;id&quot;: &quot;${id}&quot;`);
      await f.store.tamper(`UPDATE events SET topic = 'space:deleted' WHERE id = '${id}'`);
      const tampered = await get(f, `/events/${id}`);
      expect(tampered.text).toContain('data-chain="failed"');
      expect(tampered.text).toContain('changed after it was stored');
    });

    it('shows an actor with its activity, environments and recent events', async () => {
      const f = fixture();
      // Today's name: a user renamed between the syncs has events under two names.
      const [row] = await sqlRows(f.reader, "SELECT actor_id, actor_current_name AS actor_name, count(*) AS n FROM audit_trail WHERE actor_type = 'user' GROUP BY actor_id, actor_current_name ORDER BY 3 DESC, 1 LIMIT 1");
      const page = await get(f, `/actors/${row!.actor_id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(String(row!.actor_name));
      expect(page.text).toContain(`<dt>Events</dt><dd>${Number(row!.n)}</dd>`);
      const recent = [...page.text.matchAll(/data-event-id="([^"]*)"/g)].map((m) => m[1]);
      expect(recent).toEqual((await expectedIds(f.reader, 'actor_id = :a', { a: String(row!.actor_id) })).slice(0, 50));
      // Its environments and spaces, named and counted as the plain join-then-group of every event says
      // (the page counts them from the actor index first and names each group after).
      const listed = (kind: string): string[] =>
        [...page.text.matchAll(new RegExp(`;${kind}=([^"]*)">([^<]*)</a> \\((\\d+)\\)`, 'g'))].map((m) => `${decodeURIComponent(m[1]!)} ${m[2]} ${m[3]}`);
      const expected = async (sql: string): Promise<string[]> =>
        (await sqlRows(f.reader, sql, { a: String(row!.actor_id) })).map((r) => `${r.id} ${r.name ?? r.id} ${r.n}`);
      const environments = await expected('SELECT e.environment_id AS id, max(env.name) AS name, count(*) AS n FROM events e LEFT JOIN environments env ON env.id = e.environment_id WHERE e.actor_id = :a GROUP BY e.environment_id ORDER BY 3 DESC, 1');
      expect(environments.length).toBeGreaterThan(0);
      expect(listed('environment')).toEqual(environments);
      const spaces = await expected('SELECT e.space_id AS id, max(s.name) AS name, count(*) AS n FROM events e LEFT JOIN spaces s ON s.id = e.space_id WHERE e.actor_id = :a AND e.space_id IS NOT NULL GROUP BY e.space_id ORDER BY 3 DESC, 1');
      expect(spaces.length).toBeGreaterThan(0);
      expect(listed('space')).toEqual(spaces);
    });

    it('lists every environment with its counts and sync state, and the runs on /health', async () => {
      const f = fixture();
      const envs = await sqlRows(f.reader, 'SELECT id FROM environments ORDER BY id');
      const page = await get(f, '/environments');
      expect(page.status).toBe(200);
      expect([...page.text.matchAll(/data-environment-id="([^"]*)"/g)].map((m) => m[1]).sort()).toEqual(envs.map((e) => String(e.id)));
      const health = await get(f, '/health');
      expect(health.status).toBe(200);
      expect(health.text).toContain('class="state-ok"');
      expect(health.text).toMatch(/<td>account<\/td><td>[^<]*<\/td>.*class="state-ok">ok</s);
    });

    it('counts the timeline exactly: its buckets sum to the filtered count', async () => {
      const f = fixture();
      for (const query of ['', '?actor_type=user', `?environment=${TIE_ENV}`]) {
        const res = await get(f, `/timeline.json${query}`);
        const t = JSON.parse(res.text) as { total: number; buckets: string[]; series: Record<string, number[]> };
        const summed = Object.values(t.series).flat().reduce((a, n) => a + n, 0);
        expect(summed).toBe(t.total);
        const where = query === '' ? 'TRUE' : query.includes('actor_type') ? "actor_type = 'user'" : `environment_id = '${TIE_ENV}'`;
        const [count] = await sqlRows(f.reader, `SELECT count(*) AS n FROM audit_trail WHERE ${where}`);
        expect(t.total).toBe(Number(count!.n));
      }
    });

    it('reads a timeline of time, environment and actor type from the event counts, exact bucket by bucket where from/to cut an hour', async () => {
      const f = fixture();
      const [span] = await sqlRows(f.reader, 'SELECT min(created_at) AS first, max(created_at) AS last FROM audit_trail');
      const first = Date.parse(String(span!.first));
      const last = Date.parse(String(span!.last));
      const at = (ms: number) => new Date(ms).toISOString();
      const ranges: Array<Record<string, string>> = [
        // Cut hours at both ends (37 min 13.5 s past one, 23 min 1 s before another).
        { from: at(first + 2_233_500), to: at(last - 1_381_000) },
        { from: at(first + 2_233_500) },
        { to: at(last - 1_381_000) },
        // Within one hour, and on the hour at both ends.
        { from: at(first + 60_000), to: at(first + 120_000) },
        { from: at(Math.ceil(first / 3_600_000) * 3_600_000), to: at(Math.floor(last / 3_600_000) * 3_600_000) },
        // Hourly buckets: a range under three days.
        { from: at(last - 30 * 3_600_000 - 754_321), to: at(last - 5 * 3_600_000 + 1) },
      ];
      let compared = 0;
      for (const range of ranges) {
        for (const extra of [{}, { actor_type: 'user' }, { environment: TIE_ENV }] as Array<Record<string, string>>) {
          const params = new URLSearchParams({ ...range, ...extra });
          const t = JSON.parse((await get(f, `/timeline.json?${params}`)).text) as { bucket: 'hour' | 'day'; total: number; buckets: string[]; series: Record<string, number[]> };
          // The same timeline, counted from the trail's rows here.
          const where = ['TRUE'];
          const sqlParams: Record<string, string> = {};
          for (const [name, column, op] of [['from', 'created_at', '>='], ['to', 'created_at', '<'], ['actor_type', 'actor_type', '='], ['environment', 'environment_id', '=']] as const) {
            const value = params.get(name);
            if (value !== null) {
              where.push(`${column} ${op} :${name}`);
              sqlParams[name] = value;
            }
          }
          const rows = await sqlRows(f.reader, `SELECT created_at, actor_type FROM audit_trail WHERE ${where.join(' AND ')}`, sqlParams);
          const expected = new Map<string, number>();
          for (const r of rows) {
            const iso = new Date(String(r.created_at)).toISOString();
            const bucket = t.bucket === 'hour' ? `${iso.slice(0, 13)}:00:00.000Z` : `${iso.slice(0, 10)}T00:00:00.000Z`;
            const key = `${bucket} ${String(r.actor_type)}`;
            expected.set(key, (expected.get(key) ?? 0) + 1);
          }
          const drawn = new Map<string, number>();
          for (const [type, counts] of Object.entries(t.series)) counts.forEach((n, i) => n > 0 && drawn.set(`${t.buckets[i]} ${type}`, n));
          expect(new Map([...drawn].sort()), `${params}`).toEqual(new Map([...expected].sort()));
          expect(t.total).toBe(rows.length);
          expect(t.buckets).toEqual([...t.buckets].sort());
          compared += rows.length;
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  });
}
