/**
 * An events listing against an API that does not behave (issue 11): an event dated in year 2999
 * must not poison the cursor; an API that ignores pageNumber or serves items without ids must fail
 * the environment instead of looping; a resumed position past the end must not complete past events
 * never read; and a failed listing leaves no request of its own running.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { LogSink, runSync, storedEventIds } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';
import { sleep } from '../helpers/wait.js';

const pages = { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20' };
const HOUR = 3_600_000;

describe('listing guards', () => {
  it('an event dated 2999 is stored and flagged, the cursor stays at the real newest event, and later events are still captured', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 120 } });
    const environmentId = sim.environments()[0]!.id;
    sim.addRawEvent(environmentId, { id: 'us_evt_from_the_future', topic: 'workbook:updated', createdAt: '2999-01-01T00:00:00.000Z', context: {} });
    const dbPath = tempDbPath();
    const logs = new LogSink();
    const first = await runSync({ url, dbPath, env: pages, logs });
    expect(first.status).toBe('ok');
    expect(first.environments[0]!.futureDated).toBe(1);
    const warning = logs.lines.map((l) => JSON.parse(l) as { level: string; msg: string; examples?: Array<{ id: string }> }).find((l) => l.msg.includes('dated beyond'));
    expect(warning?.level).toBe('warn');
    expect(warning?.examples?.[0]?.id).toBe('us_evt_from_the_future');
    const highWater = new Database(dbPath, { readonly: true }).prepare('SELECT high_water FROM sync_cursors').pluck().get() as string;
    expect(highWater < '2999').toBe(true);

    // Two hours on, well past the lookback: new events must still be read.
    sim.advanceClock(2 * HOUR);
    const added = sim.addEvents(environmentId, 15).map((e) => e.id);
    await runSync({ url, dbPath, env: pages });
    const stored = new Set(storedEventIds(dbPath));
    expect(added.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.has('us_evt_from_the_future')).toBe(true);

    // And `status` says so, on its own line.
    const status = await runCli(['status', '--no-queue'], { AUDIT_DB: dbPath, FLATFILE_TOKEN: TEST_PAT, FLATFILE_API_URL: url });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`warning: 1 event(s) of ${environmentId} dated in the future, newest 2999-01-01T00:00:00.000Z: stored, but kept out of the cursor (AUDIT_MAX_CLOCK_SKEW)`);
  });

  it('an API that ignores pageNumber fails the environment with a clear message, and once it behaves the next run is exact', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 100 } });
    const [broken, fine] = sim.environments().map((e) => e.id) as [string, string];
    let repeating = true;
    let brokenRequests = 0;
    sim.beforeAnswer = ({ path, query }) => {
      if (path !== '/events' || query.get('environmentId') !== broken) return undefined;
      brokenRequests += 1;
      if (!repeating) return undefined;
      // Page 1, whatever page was asked for.
      return { status: 200, body: { data: sim.eventsPage({ environmentId: broken, includeAcknowledged: true, pageNumber: 1, pageSize: 10 }) } };
    };
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath, env: pages });
    const failed = report.environments.find((e) => e.environmentId === broken)!;
    expect(failed.status).toBe('failed');
    expect(failed.errors.join(' ')).toMatch(/served 2 pages in a row with no event the page before did not have, up to page 3 \(it seems to ignore pageNumber/);
    expect(brokenRequests).toBe(3);
    expect(report.environments.find((e) => e.environmentId === fine)!.status).toBe('ok');

    repeating = false;
    const again = await runSync({ url, dbPath, env: pages });
    expect(again.status).toBe('ok');
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('pages of items without ids never keep a listing going', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 30 } });
    let served = 0;
    sim.beforeAnswer = ({ path }) => {
      if (path !== '/events') return undefined;
      served += 1;
      return { status: 200, body: { data: Array.from({ length: 10 }, () => ({ topic: 'workbook:updated', createdAt: '2026-10-01T00:00:00.000Z' })) } };
    };
    const report = await runSync({ url, dbPath: tempDbPath(), env: pages });
    expect(report.environments[0]!.status).toBe('failed');
    expect(report.environments[0]!.errors.join(' ')).toMatch(/served 2 pages in a row with no event the page before did not have, up to page 2/);
    expect(served).toBe(2);
  });

  it('a resumed listing whose saved position lies past the end starts over instead of completing past unread events', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 300 } });
    const environmentId = sim.environments()[0]!.id;
    const newest = sim.eventsPage({ environmentId, includeAcknowledged: true, pageNumber: 1, pageSize: 1000 }).map((e) => (e as { createdAt: string }).createdAt).sort().at(-1)!;
    const dbPath = tempDbPath();
    // What a run killed while the API repeated page 1 left behind: a position far past the end.
    await SqliteStore.open(dbPath).close();
    const db = new Database(dbPath);
    db.prepare(
      `INSERT INTO sync_cursors (environment_id, listing_since, listing_page_size, listing_next_page, listing_max_created_at, listing_page_fill, listing_started_at, updated_at)
       VALUES (?, NULL, 10, 32251, ?, 10, ?, ?)`,
    ).run(environmentId, newest, newest, newest);
    db.close();
    const report = await runSync({ url, dbPath, env: pages });
    expect(report.status).toBe('ok');
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('a listing that fails leaves no request of its own running', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 200 }, faults: { latencyMs: 5 } });
    const requests: number[] = [];
    sim.beforeAnswer = ({ path, query }) => {
      if (path !== '/events') return undefined;
      const page = Number(query.get('pageNumber'));
      requests.push(page);
      if (page === 3) return { status: 400, message: 'scripted: a request the API refuses' };
      if (page > 3) return { status: 503, message: 'scripted: retried for ever' };
      return undefined;
    };
    const report = await runSync({ url, dbPath: tempDbPath(), env: { ...pages, AUDIT_MAX_RETRIES: '50' } });
    expect(report.environments[0]!.status).toBe('failed');
    const atFailure = requests.length;
    await sleep(1_500);
    expect(requests.length).toBe(atFailure);
    expect(requests.filter((p) => p > 3)).toEqual([]);
  });
});
