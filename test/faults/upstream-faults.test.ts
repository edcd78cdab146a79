/**
 * Case 6: the API misbehaves under the real CLI. Transient faults (429 storms with Retry-After in
 * seconds or as an HTTP date, 5xx, connection resets, stalls past AUDIT_REQUEST_TIMEOUT, cut-off
 * JSON, a 200 with an HTML body) must be retried until the run ends exact. Invalid events go to
 * rejected_events while the rest is stored; an environment deleted between listing and syncing
 * fails alone (exit 1); a token revoked mid-run stops everything (exit 3) without touching what
 * was stored, and a run with a new token completes exactly.
 */
import { describe, expect, it } from 'vitest';
import type { Faults, RunningSimulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';
import { cliEnv, plainLines } from './helpers/cli-runs.js';
import { exactTally, tally, withReader } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';
import { parseLogs } from './helpers/worker-logs.js';

printSummaryAfterAll();

const account = { environments: 3, eventsPerEnvironment: 200 };
const settings = { AUDIT_PAGE_SIZE: '25' };

interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
  byStatus: Record<string, number>;
}

/** What the client itself counted, from the run's row (sync_runs.details). */
function clientStats(dbPath: string): HttpStats {
  const details = withReader(dbPath, (db) => db.prepare('SELECT details FROM sync_runs ORDER BY id DESC LIMIT 1').pluck().get() as string);
  return (JSON.parse(details) as { httpStats: HttpStats }).httpStats;
}

/** Every API request answers 429 from the `afterRequests`-th events request on, for `forMs`. */
function storm429(running: RunningSimulator, afterRequests: number, forMs: number): void {
  let seen = 0;
  running.sim.onEventsRequest = () => {
    if (++seen !== afterRequests) return;
    running.sim.setFaults({ rate429: 1 });
    setTimeout(() => running.sim.setFaults({ rate429: 0 }), forMs);
  };
}

describe('upstream faults', () => {
  it.each([
    ['seconds' as const, 1],
    ['http-date' as const, 1],
  ])('a 429 storm with Retry-After as %s: the client waits as told, no hammering, and the run ends exact', async (format, retryAfterS) => {
    const record = faultCase(`6 429 storm, Retry-After ${format}`);
    const running = await simulator({ account, faults: { latencyMs: 5, retryAfterFormat: format, retryAfterS } });
    const { url, sim } = running;
    const dbPath = tempDbPath();
    const STORM_MS = 3_000;
    storm429(running, 4, STORM_MS);
    const started = Date.now();
    const result = await runCli(['sync', '--once'], cliEnv(url, dbPath, settings));
    record.runs += 1;
    const tookMs = Date.now() - started;
    expect(result.code, result.stderr).toBe(0);
    const limited = sim.stats().byStatus['429'] ?? 0;
    // Every request in flight met the storm and waited about Retry-After each time: a few 429s per
    // request, not the thousands a client that retried at once would collect in 3 s.
    const inFlight = 4 * 2 + 4; // AUDIT_CONCURRENCY listings x pages kept ahead, plus inventory requests
    expect(limited).toBeGreaterThanOrEqual(3);
    expect(limited).toBeLessThanOrEqual(inFlight * (STORM_MS / 1000 / retryAfterS + 2));
    expect(tookMs).toBeGreaterThan(STORM_MS);
    expect(clientStats(dbPath).rateLimited).toBe(limited);
    record.tally = tally(dbPath, sim);
    record.note = `exact; ${limited} x 429 over a ${STORM_MS / 1000} s storm, run took ${(tookMs / 1000).toFixed(1)} s, exit 0`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  it('a 429 storm against the worker: the queue pauses, no job fails or burns an attempt, the run ends exact', async () => {
    const record = faultCase('6 429 storm, worker (queue rate limit)');
    const running = await simulator({ account: { environments: 4, eventsPerEnvironment: 300 }, faults: { latencyMs: 10, retryAfterS: 1 } });
    const { url, sim } = running;
    const STORM_MS = 4_000;
    storm429(running, 10, STORM_MS);
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const worker = await workerProcess(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20' } }));
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const started = Date.now();
    await triggerAccountSync(queue, events, 120_000);
    record.runs += 1;
    const tookMs = Date.now() - started;
    const limited = sim.stats().byStatus['429'] ?? 0;
    const pauses = parseLogs(worker.logs()).filter((l) => l.msg === 'Flatfile API rate limit: pausing the queue').length;
    const jobs = await queue.getJobs(['completed', 'failed']);
    expect(await queue.getFailedCount()).toBe(0);
    expect(jobs.map((j) => j.attemptsMade).every((n) => n <= 1), JSON.stringify(jobs.map((j) => [j.name, j.attemptsMade]))).toBe(true);
    expect(pauses).toBeGreaterThanOrEqual(1);
    expect(limited).toBeLessThanOrEqual(16 * (STORM_MS / 1000 + 2)); // each paused job retried about once a second
    expect(tookMs).toBeGreaterThan(STORM_MS);
    record.tally = tally(dbPath, sim);
    record.note = `exact; ${limited} x 429 in a ${STORM_MS / 1000} s storm, ${pauses} queue pauses, 0 failed jobs, ${(tookMs / 1000).toFixed(1)} s`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  it.each([
    ['5xx (500/502/503/504)', { error5xxRate: 0.25 }, {}, (s: HttpStats) => ['500', '502', '503', '504'].every((code) => (s.byStatus[code] ?? 0) > 0)],
    ['connection resets', { resetRate: 0.2 }, {}, (s: HttpStats) => (s.byStatus.network ?? 0) > 0],
    ['stalls past AUDIT_REQUEST_TIMEOUT', { stallRate: 0.1, stallMs: 4_000 }, { AUDIT_REQUEST_TIMEOUT: '1s' }, (s: HttpStats) => (s.byStatus.network ?? 0) > 0],
    ['truncated JSON', { truncatedRate: 0.2 }, {}, (s: HttpStats) => s.retries > 0],
    ['200 with an HTML body', { htmlRate: 0.2 }, {}, (s: HttpStats) => s.retries > 0],
  ] as Array<[string, Partial<Faults>, Record<string, string>, (s: HttpStats) => boolean]>)(
    '%s: retried until the run ends exact',
    async (name, faults, extra, met) => {
      const record = faultCase(`6 ${name}`);
      const { url, sim } = await simulator({ account, faults: { latencyMs: 2, ...faults } });
      const dbPath = tempDbPath();
      const result = await runCli(['sync', '--once'], cliEnv(url, dbPath, { ...settings, ...extra }));
      record.runs += 1;
      expect(result.code, result.stderr).toBe(0);
      const stats = clientStats(dbPath);
      record.tally = tally(dbPath, sim);
      record.note = `exact; ${stats.retries} retries over ${stats.requests} requests, exit 0`;
      expect(met(stats), `the fault was met: ${JSON.stringify(stats)}`).toBe(true);
      expect(stats.retries).toBeGreaterThan(0);
      expect(record.tally).toEqual(exactTally(sim.eventCount()));
    },
  );

  it('events without id or createdAt go to rejected_events; the rest is stored, once, across runs', async () => {
    const record = faultCase('6 events missing id / createdAt');
    const { url, sim } = await simulator({ account });
    const [a, b] = sim.environments();
    sim.addRawEvent(a!.id, { topic: 'workbook:updated', createdAt: '2026-10-15T00:00:00.000Z', context: {} });
    sim.addRawEvent(a!.id, { id: 'us_evt_faultnodate01', topic: 'records:created', context: {} });
    sim.addRawEvent(b!.id, { id: 'us_evt_faultbaddate1', topic: 'file:created', createdAt: 'yesterday-ish' });
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, settings);
    for (let run = 0; run < 2; run += 1) {
      const result = await runCli(['sync', '--once'], env);
      record.runs += 1;
      expect(result.code, result.stderr).toBe(0);
    }
    const rejected = withReader(dbPath, (db) => db.prepare('SELECT environment_id, event_id, reason, times_seen FROM rejected_events ORDER BY event_id').all() as Array<{ environment_id: string; event_id: string | null; reason: string; times_seen: number }>);
    expect(rejected.map((r) => [r.environment_id, r.event_id, r.reason.split(' (')[0]])).toEqual([
      [a!.id, null, 'event has no id'],
      [b!.id, 'us_evt_faultbaddate1', 'event has no valid createdAt'],
      [a!.id, 'us_evt_faultnodate01', 'event has no valid createdAt'],
    ]);
    record.tally = tally(dbPath, sim);
    record.note = `exact; 3 rejected rows kept once each (times_seen ${rejected.map((r) => r.times_seen).join('/')}), exit 0 twice`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  it('an environment deleted between listing and syncing fails alone with a 404; the others are exact; exit 1', async () => {
    const record = faultCase('6 environment deleted mid-run (404)');
    const { url, sim } = await simulator({ account, faults: { latencyMs: 2 } });
    const [first, , gone] = sim.environments();
    // One environment at a time, in listing order: the last is deleted while the first is paged.
    sim.onEventsRequest = (q) => {
      if (q.environmentId === first!.id && q.pageNumber === 1) sim.deleteEnvironment(gone!.id);
    };
    const dbPath = tempDbPath();
    const result = await runCli(['sync', '--once'], cliEnv(url, dbPath, { ...settings, AUDIT_CONCURRENCY: '1' }));
    record.runs += 1;
    expect(result.code).toBe(1);
    const failedRow = result.stdout.split('\n').find((line) => line.includes(gone!.id)) ?? '';
    expect(failedRow).toMatch(/FAILED: events: GET \/events answered 404/);
    const lastError = withReader(dbPath, (db) => db.prepare('SELECT last_error FROM sync_cursors WHERE environment_id = ?').pluck().get(gone!.id) as string);
    expect(lastError).toMatch(/404/);
    const storedForGone = withReader(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events WHERE environment_id = ?').pluck().get(gone!.id) as number);
    expect(storedForGone).toBe(0);
    record.tally = tally(dbPath, sim); // the environments the API still has
    const failure = /FAILED: (.*)$/.exec(failedRow)?.[1] ?? '';
    record.note = `the 2 others exact; exit 1, summary "FAILED: ${failure.slice(0, 40)}…", ${plainLines(result.stderr).length} line(s) on stderr`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  it('a token revoked mid-run: exit 3 with one clear line, nothing stored touched, no cursor ahead; a new token completes it', async () => {
    const record = faultCase('6 token revoked mid-run');
    const NEW_PAT = 'sk_test_pat_rotated_fedcba9876543210';
    const { url, sim } = await simulator({ account, pats: [TEST_PAT, NEW_PAT], faults: { latencyMs: 5 } });
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, { ...settings, AUDIT_WRITE_BATCH: '1' });
    const first = await runCli(['sync', '--once'], env);
    record.runs += 1;
    expect(first.code, first.stderr).toBe(0);
    const snapshot = () => withReader(dbPath, (db) => ({
      events: db.prepare('SELECT * FROM events ORDER BY id').all() as Array<{ id: string }>,
      highWater: db.prepare('SELECT environment_id, high_water FROM sync_cursors ORDER BY 1').all(),
      // synced_at is when a listing last saw the row: listings that succeeded before the 401 may refresh it.
      inventories: ['environments', 'users', 'spaces', 'guests', 'agents', 'guest_spaces'].map((t) =>
        (db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all() as Array<Record<string, unknown>>).map(({ synced_at: _seen, ...row }) => row)),
    }));
    const before = snapshot();

    for (const e of sim.environments()) sim.addEvents(e.id, 100);
    let pages = 0;
    sim.onEventsRequest = () => {
      if (++pages === 4) sim.revokeToken(TEST_PAT);
    };
    sim.resetStats();
    const revoked = await runCli(['sync', '--once'], env);
    record.runs += 1;
    sim.onEventsRequest = undefined;
    const lines = plainLines(revoked.stderr);
    expect(revoked.code).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^flatfile-audit: Flatfile rejected the token \(HTTP 401: token has been revoked\); create a new Personal Access Token/);
    expect(revoked.stderr).not.toContain(TEST_PAT);
    const rejectedAnswers = sim.stats().byStatus['401'] ?? 0;
    expect(rejectedAnswers).toBeLessThanOrEqual(12); // the requests already in flight, no retry loop
    // Nothing stored before was changed; pages that arrived before the 401 may have been added.
    const after = snapshot();
    const afterById = new Map(after.events.map((e) => [e.id, e]));
    expect(before.events.map((e) => afterById.get(e.id))).toEqual(before.events);
    expect(after.highWater).toEqual(before.highWater);
    expect(after.inventories).toEqual(before.inventories);
    const partial = tally(dbPath, sim);
    expect({ cursorsAhead: partial.cursorsAhead, duplicated: partial.duplicated, extra: partial.extra, integrity: partial.integrity }).toEqual({ cursorsAhead: 0, duplicated: 0, extra: 0, integrity: 'ok' });

    const rotated = await runCli(['sync', '--once'], { ...env, FLATFILE_TOKEN: NEW_PAT });
    record.runs += 1;
    expect(rotated.code, rotated.stderr).toBe(0);
    record.tally = tally(dbPath, sim);
    record.note = `exact with the new token; revoked run exit 3 after ${rejectedAnswers} x 401, ${after.events.length - before.events.length} new events kept, old rows untouched`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });

  // An interrupted listing is resumed by page number, but the API caps pageSize as it likes:
  // offsets are page x the cap *in force*. If the cap rises between the interruption and the
  // resume, the resumed page starts past events never read (or past the end). The sync remembers
  // the page size the server applied (listing_page_fill) and starts the listing over when a page,
  // or page 1 looked at again before the listing ends, holds more. Two simulators with one seed
  // give one account under two caps.
  it("the API's page-size cap rises between an interrupted listing and its resume: nothing is skipped", async () => {
    const record = faultCase('6 page-size cap rises before a resume');
    const ROTATED = 'sk_test_pat_rotated_0123456789abcd';
    const size = { account: { environments: 1, eventsPerEnvironment: 300 }, pats: [TEST_PAT, ROTATED] };
    const before = await simulator({ ...size, pageSizeCap: 10 });
    const after = await simulator({ ...size, pageSizeCap: 50 });
    const dbPath = tempDbPath();
    let pages = 0;
    before.sim.onEventsRequest = () => {
      if (++pages === 6) before.sim.revokeToken(TEST_PAT); // a deterministic interruption after 5 pages of 10
    };
    const interrupted = await runCli(['sync', '--once'], cliEnv(before.url, dbPath, { AUDIT_PAGE_SIZE: '100', AUDIT_WRITE_BATCH: '1' }));
    record.runs += 1;
    const resumeAt = withReader(dbPath, (db) => db.prepare('SELECT listing_next_page FROM sync_cursors').pluck().get() as number | null);
    const codes: Array<number | null> = [];
    for (let run = 0; run < 2; run += 1) {
      codes.push((await runCli(['sync', '--once'], cliEnv(after.url, dbPath, { AUDIT_PAGE_SIZE: '100', FLATFILE_TOKEN: ROTATED }))).code);
      record.runs += 1;
    }
    // The setup must hold: one account under both caps, a listing left at page > 1, runs that end ok.
    const setupHolds = JSON.stringify(after.sim.eventIds()) === JSON.stringify(before.sim.eventIds()) && interrupted.code === 3 && (resumeAt ?? 0) > 1 && codes.every((c) => c === 0);
    expect(setupHolds).toBe(true);
    record.tally = tally(dbPath, after.sim);
    record.note = `${record.tally.missing} of ${record.tally.expected} events skipped for good: resumed at page ${resumeAt} under the new cap; later runs exit ${codes.join(', ')}`;
    expect(record.tally).toEqual(exactTally(after.sim.eventCount()));
  });
});
