/**
 * The correctness contract of a sync, end to end: the simulator over real HTTP, a real SQLite
 * file, and the same configuration path as the CLI.
 */
import { describe, expect, it } from 'vitest';
import { TokenRejectedError } from '../../src/errors.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { auditInvariants, LogSink, readDb, runSync, storedEventIds } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const small = { environments: 3, eventsPerEnvironment: 240, users: 8, spacesPerEnvironment: 3, guestsPerEnvironment: 4, agentsPerEnvironment: 2 };

describe('a first sync stores exactly the events the API has', () => {
  it.each([
    ['newest-first', 'newest-first' as const, 1000, '50'],
    ['oldest-first', 'oldest-first' as const, 1000, '50'],
    ['server caps pageSize below the request', 'newest-first' as const, 17, '50'],
  ])('%s', async (_name, eventOrder, pageSizeCap, pageSize) => {
    const { url, sim } = await simulator({ account: small, eventOrder, pageSizeCap, duplicateTimestampRatio: 0.5 });
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: pageSize } });
    expect(report.status).toBe('ok');
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(report.newEvents).toBe(sim.eventIds().length);
    expect(auditInvariants(dbPath)).toEqual({ events: 720, auditRows: 720, distinctAuditEvents: 720, cursorsAhead: 0 });
  });

  it('includes acknowledged events, which the API hides by default', async () => {
    const { url, sim } = await simulator({ account: small, acknowledgedRatio: 0.6 });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    const acknowledged = readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events WHERE acknowledged_at IS NOT NULL').pluck().get() as number);
    const expected = sim.environments().flatMap((e) => sim.events(e.id)).filter((e) => e.acknowledgedAt).length;
    expect(acknowledged).toBe(expected);
    expect(acknowledged).toBeGreaterThan(300);
  });

  it('starts at AUDIT_BACKFILL_SINCE when it is set', async () => {
    const { url, sim } = await simulator({ account: small });
    const since = '2026-10-20T00:00:00.000Z';
    const dbPath = tempDbPath();
    await runSync({ url, dbPath, env: { AUDIT_BACKFILL_SINCE: since } });
    const expected = sim.environments().flatMap((e) => sim.events(e.id)).filter((e) => e.createdAt >= since).map((e) => e.id).sort();
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(720);
    expect(storedEventIds(dbPath)).toEqual(expected);
  });
});

describe('incremental syncs', () => {
  it('re-read only the lookback window when nothing is new', async () => {
    const { url, sim } = await simulator({ account: small });
    const dbPath = tempDbPath();
    const env = { AUDIT_PAGE_SIZE: '20', AUDIT_LOOKBACK: '10m' };
    const first = await runSync({ url, dbPath, env });
    sim.resetStats();
    const second = await runSync({ url, dbPath, env });
    expect(second.newEvents).toBe(0);
    // Each environment re-reads the events of the last 10 minutes of its history: a page or two, not 12.
    const history = (id: string) => sim.events(id).filter((e) => e.createdAt >= new Date(Date.parse(sim.events(id).map((x) => x.createdAt).sort().at(-1)!) - 600_000).toISOString()).length;
    const lookbackPages = sim.environments().reduce((n, e) => n + Math.ceil(history(e.id) / 20) + 1, 0);
    // ... plus at most one page per environment requested ahead of the empty page that ends a listing.
    expect(sim.stats().byRoute['GET /events']).toBeGreaterThanOrEqual(lookbackPages);
    expect(sim.stats().byRoute['GET /events']).toBeLessThanOrEqual(lookbackPages + sim.environments().length);
    expect(second.pages).toBeLessThan(first.pages / 4);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('pick up new events, and events that become visible late within the lookback window', async () => {
    const { url, sim } = await simulator({ account: small });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath, env: { AUDIT_LOOKBACK: '10m' } });
    const [a, b] = sim.environments();
    const newest = sim.events(a!.id).map((e) => e.createdAt).sort().at(-1)!;
    sim.addEvents(a!.id, 5);
    // Created 8 minutes before the newest stored event, visible only now: inside the 10-minute lookback.
    sim.addEvents(b!.id, 3, { createdAt: new Date(Date.parse(newest) - 8 * 60_000) });
    const report = await runSync({ url, dbPath, env: { AUDIT_LOOKBACK: '10m' } });
    expect(report.newEvents).toBe(8);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('miss nothing when events arrive while a listing is being paged (caught by the next run)', async () => {
    const { url, sim } = await simulator({ account: small, eventOrder: 'newest-first' });
    const dbPath = tempDbPath();
    let added = 0;
    sim.onEventsRequest = (q) => {
      if (q.environmentId && q.pageNumber % 3 === 0 && added < 30) {
        sim.addEvents(q.environmentId, 2);
        added += 2;
      }
    };
    await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: '25' } });
    sim.onEventsRequest = undefined;
    expect(added).toBeGreaterThan(0);
    await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: '25' } });
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(auditInvariants(dbPath).cursorsAhead).toBe(0);
  });

  it.each([
    ['grows', 10, 40],
    ['shrinks', 40, 10],
  ])('miss nothing when the server page-size cap %s in the middle of a listing', async (_name, from, to) => {
    const { url, sim } = await simulator({ account: { ...small, environments: 1, eventsPerEnvironment: 300 }, pageSizeCap: from });
    let pages = 0;
    sim.onEventsRequest = () => {
      if (++pages === 8) sim.setPageSizeCap(to); // at page 8 of 10-item pages, a 40-item page 8 starts at 280
    };
    const dbPath = tempDbPath();
    const logs = new LogSink();
    const report = await runSync({ url, dbPath, logs, env: { AUDIT_PAGE_SIZE: '100', AUDIT_CONCURRENCY: '1' } });
    expect(report.status).toBe('ok');
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect(logs.text.includes('events listing restarted')).toBe(to > from);
  });

  it('handle many events sharing one timestamp across page boundaries', async () => {
    const { url, sim } = await simulator({ account: { ...small, environments: 1, eventsPerEnvironment: 10 } });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: '7' } });
    const env = sim.environments()[0]!.id;
    const at = new Date(Date.parse(sim.events(env).map((e) => e.createdAt).sort().at(-1)!) + 1000);
    sim.addEvents(env, 23, { createdAt: at });
    await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: '7' } });
    sim.addEvents(env, 9, { createdAt: at }); // the same millisecond again, after the cursor reached it
    await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: '7' } });
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });
});

describe('faults', () => {
  it('end with the same data as a clean run under 429s, 5xx, resets, stalls, truncated and HTML answers', async () => {
    const clean = await simulator({ account: small, seed: 11 });
    const faulty = await simulator({
      account: small,
      seed: 11,
      faults: { rate429: 0.08, retryAfterS: 0, error5xxRate: 0.08, resetRate: 0.04, stallRate: 0.02, stallMs: 5_000, truncatedRate: 0.04, htmlRate: 0.04 },
    });
    const cleanDb = tempDbPath();
    const faultyDb = tempDbPath();
    await runSync({ url: clean.url, dbPath: cleanDb, env: { AUDIT_PAGE_SIZE: '40' } });
    const report = await runSync({ url: faulty.url, dbPath: faultyDb, env: { AUDIT_PAGE_SIZE: '40', AUDIT_REQUEST_TIMEOUT: '1s', AUDIT_MAX_RETRIES: '20' } });
    expect(report.status).toBe('ok');
    const stats = faulty.sim.stats();
    expect(Object.keys(stats.byStatus)).toEqual(expect.arrayContaining(['429', '200']));
    const serverErrors = ['500', '502', '503', '504'].reduce((n, code) => n + (stats.byStatus[code] ?? 0), 0);
    expect(serverErrors).toBeGreaterThan(0);
    expect(report.requests).toBeGreaterThan(stats.byStatus['200']!); // the faults were really met and retried
    expect(storedEventIds(faultyDb)).toEqual(storedEventIds(cleanDb));
    expect(storedEventIds(faultyDb)).toEqual(faulty.sim.eventIds());
    const tables = (path: string) => readDb(path, (db) => ['users', 'guests', 'spaces', 'agents', 'guest_spaces'].map((t) => db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get()));
    expect(tables(faultyDb)).toEqual(tables(cleanDb));
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const { url, sim } = await simulator({ account: { ...small, environments: 1, eventsPerEnvironment: 50 }, faults: { rate429: 0.25, retryAfterFormat: 'http-date', retryAfterS: 1 } });
    const dbPath = tempDbPath();
    const started = Date.now();
    const report = await runSync({ url, dbPath });
    expect(report.status).toBe('ok');
    const limited = sim.stats().byStatus['429'] ?? 0;
    expect(limited).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThan(500); // it waited rather than hammering the server
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('stop at once on a rejected token, without retrying and without touching stored data', async () => {
    const { url, sim } = await simulator({ account: small });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    const before = readDb(dbPath, (db) => db.prepare('SELECT * FROM events ORDER BY id').all());
    const cursorsBefore = readDb(dbPath, (db) => db.prepare('SELECT environment_id, high_water FROM sync_cursors ORDER BY 1').all());
    sim.addEvents(sim.environments()[0]!.id, 10);
    sim.revokeToken(TEST_PAT);
    sim.resetStats();
    const report = await runSync({ url, dbPath });
    expect(report.status).toBe('failed');
    expect(report.error).toBeInstanceOf(TokenRejectedError);
    expect(report.error!.message).toMatch(/rejected the token \(HTTP 401.*create a new Personal Access Token/);
    expect(sim.stats().requests).toBe(1);
    expect(readDb(dbPath, (db) => db.prepare('SELECT * FROM events ORDER BY id').all())).toEqual(before);
    expect(readDb(dbPath, (db) => db.prepare('SELECT environment_id, high_water FROM sync_cursors ORDER BY 1').all())).toEqual(cursorsBefore);
  });

  it('cancels the other environments when the token is revoked mid-run', async () => {
    const { url, sim } = await simulator({ account: { ...small, eventsPerEnvironment: 400 }, faults: { latencyMs: 5 } });
    const dbPath = tempDbPath();
    let pages = 0;
    sim.onEventsRequest = () => {
      if (++pages === 6) sim.revokeToken(TEST_PAT);
    };
    const report = await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '1' } });
    expect(report.error).toBeInstanceOf(TokenRejectedError);
    // Requests already on the wire may still be counted as they land; after that, nothing new may start.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const requestsAfterFailure = sim.stats().requests;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sim.stats().requests).toBe(requestsAfterFailure);
    expect(auditInvariants(dbPath).cursorsAhead).toBe(0);
  });

  it('keep invalid events in rejected_events with the reason, and store the rest', async () => {
    const { url, sim } = await simulator({ account: { ...small, environments: 2 } });
    const env = sim.environments()[0]!.id;
    sim.addRawEvent(env, { topic: 'workbook:updated', createdAt: '2026-10-15T00:00:00.000Z', context: {} });
    sim.addRawEvent(env, { id: 'us_evt_nodate', topic: 'workbook:updated' });
    sim.addRawEvent(env, { id: 'us_evt_baddate', topic: 'file:created', createdAt: 'not a date' });
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath });
    expect(report.status).toBe('ok');
    expect(report.rejected).toBe(3);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    const rejected = readDb(dbPath, (db) => db.prepare('SELECT event_id, reason, raw FROM rejected_events ORDER BY event_id').all() as Array<{ event_id: string | null; reason: string; raw: string }>);
    expect(rejected.map((r) => [r.event_id, r.reason.split(' (')[0]])).toEqual([
      [null, 'event has no id'],
      ['us_evt_baddate', 'event has no valid createdAt'],
      ['us_evt_nodate', 'event has no valid createdAt'],
    ]);
    expect(JSON.parse(rejected.find((r) => r.event_id === 'us_evt_baddate')!.raw)).toEqual({ id: 'us_evt_baddate', topic: 'file:created', createdAt: 'not a date' });
    // Re-reading them on the next run does not multiply them.
    await runSync({ url, dbPath });
    expect(readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM rejected_events').pluck().get())).toBe(3);
  });

  it('mark one environment failed when it is deleted between listing and syncing, and sync the others', async () => {
    const { url, sim } = await simulator({ account: small });
    const [first, second, gone] = sim.environments();
    // With concurrency 1 environments are synced in listing order: the last one is deleted while the first is paged.
    let deleted = false;
    sim.onEventsRequest = (q) => {
      if (!deleted && q.environmentId === first!.id && q.pageNumber === 1) {
        deleted = true;
        sim.deleteEnvironment(gone!.id);
      }
    };
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath, env: { AUDIT_CONCURRENCY: '1' } });
    expect(report.status).toBe('partial');
    const failedEnvironments = report.environments.filter((e) => e.status === 'failed');
    expect(failedEnvironments.map((e) => e.environmentId), JSON.stringify(failedEnvironments.map((e) => e.errors))).toEqual([gone!.id]);
    for (const e of [first!, second!]) expect(storedEventIds(dbPath, e.id)).toEqual(sim.eventIds(e.id));
    const lastError = readDb(dbPath, (db) => db.prepare('SELECT last_error FROM sync_cursors WHERE environment_id = ?').pluck().get(gone!.id) as string);
    expect(lastError).toMatch(/404/);
  });
});

describe('inventories', () => {
  it('store users, guests (once each), spaces with archived ones, and agents; removed ones are marked, not deleted', async () => {
    const { url, sim } = await simulator({ account: small });
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    const counts = () => readDb(dbPath, (db) => ({
      users: db.prepare('SELECT COUNT(*) FROM users WHERE removed_at IS NULL').pluck().get(),
      guests: db.prepare('SELECT COUNT(*) FROM guests WHERE removed_at IS NULL').pluck().get(),
      spaces: db.prepare('SELECT COUNT(*) FROM spaces WHERE removed_at IS NULL').pluck().get(),
      archived: db.prepare('SELECT COUNT(*) FROM spaces WHERE archived_at IS NOT NULL').pluck().get(),
      agents: db.prepare('SELECT COUNT(*) FROM agents WHERE removed_at IS NULL').pluck().get(),
    }));
    const guestsWithSpaces = sim.guests().filter((g) => g.spaces.length > 0).length;
    expect(counts()).toEqual({
      users: sim.users().length,
      guests: guestsWithSpaces,
      spaces: sim.spaces().length,
      archived: sim.spaces().filter((s) => s.archivedAt).length,
      agents: sim.agents().length,
    });
    const user = sim.users()[0]!;
    sim.removeUser(user.id);
    await runSync({ url, dbPath });
    const row = readDb(dbPath, (db) => db.prepare('SELECT name, removed_at FROM users WHERE id = ?').get(user.id)) as { name: string; removed_at: string | null };
    expect(row.name).toBe(user.name);
    expect(row.removed_at).not.toBeNull();
  });
});

describe('secrets', () => {
  it('never reach the database or the logs, even at trace level', async () => {
    const { url, sim } = await simulator({ account: small });
    const dbPath = tempDbPath();
    const logs = new LogSink();
    await runSync({ url, dbPath, logs });
    const { readFileSync } = await import('node:fs');
    const files = [dbPath, `${dbPath}-wal`].map((p) => { try { return readFileSync(p).toString('latin1'); } catch { return ''; } }).join('');
    const secrets = sim.secrets();
    expect(secrets.length).toBeGreaterThan(5);
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(files.includes(secret), `database holds ${secret.slice(0, 6)}…`).toBe(false);
      expect(logs.text.includes(secret), `logs hold ${secret.slice(0, 6)}…`).toBe(false);
    }
  });
});
