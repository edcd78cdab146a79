/**
 * Case 9: the same guarantees on many hosts. Three `flatfile-audit worker` processes, each in a
 * working directory of its own with nothing shared on disk (as on three hosts), on one Redis
 * (a queue prefix of their own) and one PostgreSQL database, against the simulator over HTTP.
 * The database is a server this file starts itself (helpers/private-postgres.ts) on a free port,
 * so that one case can restart it without touching the machine's.
 *   9a a scheduled run, then a `sync` from the command line: both exact, every environment listed
 *      once per run;
 *   9b one worker SIGKILLed mid-run: its stalled jobs are taken over, exact;
 *   9c PostgreSQL restarted mid-run: the workers reconnect by themselves, exact.
 * "Exact": every event once, actors resolved, inventories complete, no cursor ahead of its events,
 * every hash chain verifies (walked here, and by `flatfile-audit verify`).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Job } from 'bullmq';
import type { SyncJobData } from '../../jobs/queue.js';
import type { ApiRequestInfo, Simulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { PrivatePostgres } from '../helpers/private-postgres.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { followAccountSync, testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';
import { exactTally } from './helpers/ground-truth.js';
import { expectedInventories, pgStoredCount, pgTally, storedInventories } from './helpers/pg-ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';
import { environmentJobsInFlight, environmentsSynced, parseLogs } from './helpers/worker-logs.js';

printSummaryAfterAll();

const account = { environments: 6, eventsPerEnvironment: 250, users: 8, spacesPerEnvironment: 3, guestsPerEnvironment: 4, agentsPerEnvironment: 2 };
const pagesOf10 = { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20' };
const RUN_TIMEOUT_MS = 240_000;
/** Three processes starting at once on a loaded two-core machine: generous. */
const START_TIMEOUT_MS = 90_000;

let server: PrivatePostgres;
beforeAll(async () => {
  server = await PrivatePostgres.create();
});
afterAll(async () => {
  await server?.destroy();
});

/** A database of the test's own on the private server. */
async function database(): Promise<string> {
  return server.createDatabase(`fa_multihost_${randomBytes(5).toString('hex')}`);
}

/** A working directory of one "host": removed when the test ends. */
function hostDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-host-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Host {
  name: string;
  dir: string;
  worker: Awaited<ReturnType<typeof workerProcess>>;
}

/** Three workers, one per working directory; AUDIT_DB points into that directory, to show it is never used. */
async function startHosts(base: Record<string, string>, count = 3): Promise<Host[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const dir = hostDir();
      const worker = await workerProcess({ ...base, AUDIT_DB: join(dir, 'audit.db') }, { cwd: dir, startTimeoutMs: START_TIMEOUT_MS });
      return { name: `host${i + 1}`, dir, worker };
    }),
  );
}

/** Every API request the simulator answers, in order. */
function recordRequests(sim: Simulator): ApiRequestInfo[] {
  const calls: ApiRequestInfo[] = [];
  sim.beforeAnswer = (request) => {
    calls.push({ method: request.method, path: request.path, query: new URLSearchParams(request.query) });
    return undefined;
  };
  return calls;
}

/**
 * How often each listing was started in `calls`: the account's environments and users, and per
 * environment its events, spaces and agents, and its spaces' guests (a listing starts with its first
 * page); and every page asked for more than once. An events listing that ends past page 2 asks for
 * page 1 once more, to see that the page size did not grow meanwhile (sync-events.ts): that look
 * is part of the listing, not a second one, and is left out.
 */
function listings(calls: readonly ApiRequestInfo[], sim: Simulator) {
  const pageOf = (c: ApiRequestInfo) => Number(c.query.get('pageNumber') ?? '1');
  const pageSizeChecks = new Set<ApiRequestInfo>();
  for (const e of sim.environments()) {
    const pages = calls.filter((c) => c.path === '/events' && c.query.get('environmentId') === e.id);
    pages.forEach((c, i) => {
      if (i > 0 && pageOf(c) === 1 && pageOf(pages[i - 1]!) > 2 && (i === pages.length - 1 || pageOf(pages[i + 1]!) !== 2)) pageSizeChecks.add(c);
    });
  }
  const listingCalls = calls.filter((c) => c.method === 'GET' && !pageSizeChecks.has(c));
  const envOfSpace = new Map(sim.spaces().map((s) => [s.id, s.environmentId]));
  const starts = (path: string, environmentId?: string) =>
    listingCalls.filter((c) => c.path === path && pageOf(c) === 1 && (environmentId === undefined || (c.query.get('environmentId') ?? envOfSpace.get(c.query.get('spaceId') ?? '')) === environmentId)).length;
  const perEnvironment = Object.fromEntries(
    sim.environments().map((e) => [e.id, { events: starts('/events', e.id), spaces: starts('/spaces', e.id), agents: starts('/agents', e.id), guestListings: starts('/guests', e.id) }]),
  );
  const seen = new Map<string, number>();
  for (const c of listingCalls) {
    const key = `${c.method} ${c.path}?${[...c.query].sort().map(([k, v]) => `${k}=${v}`).join('&')}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return {
    environments: starts('/environments'),
    users: starts('/users'),
    perEnvironment,
    pagesAskedTwice: [...seen].filter(([, n]) => n > 1).map(([key]) => key),
  };
}

/** Each environment's events, spaces and agents listed once, and the guests of each of its spaces once. */
function listedOnce(sim: Simulator) {
  return Object.fromEntries(sim.environments().map((e) => [e.id, { events: 1, spaces: 1, agents: 1, guestListings: sim.spaces(e.id).length }]));
}

/** Everything "exact" means, computed from the database and the simulator. */
async function exactness(url: string, sim: Simulator, env: Record<string, string>) {
  const dir = hostDir();
  const verify = await runCli(['verify'], { ...env, AUDIT_DB: join(dir, 'audit.db') }, { cwd: dir });
  return {
    tally: await pgTally(url, sim),
    inventories: await storedInventories(url),
    verify: { code: verify.code, stderr: verify.code === 0 ? '' : verify.stderr.slice(-500) },
  };
}

function exactly(sim: Simulator) {
  return { tally: exactTally(sim.eventCount()), inventories: expectedInventories(sim), verify: { code: 0, stderr: '' } };
}

/** sync_runs per environment and trigger: [scope, trigger, status, runs]. */
async function environmentRuns(url: string) {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ scope: string; trigger: string; status: string; runs: number }>(
      `SELECT scope, trigger, status, COUNT(*)::int AS runs FROM sync_runs WHERE scope <> 'account' AND scope <> 'directory' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** `run`, unless one of `hosts`' workers exits first: then fail at once, with what it printed. */
function unlessAWorkerDies<T>(run: Promise<T>, hosts: readonly Host[]): Promise<T> {
  const deaths = hosts.map((h) =>
    h.worker.done.then((exit) => {
      throw new Error(`the worker of ${h.name} exited (code ${exit.code}, signal ${exit.signal}): ${exit.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n').slice(0, 1500)}`);
    }),
  );
  return Promise.race([run, ...deaths]);
}

/** A cron (6 fields, UTC) that fires once, at `at` (whole seconds), and next a day later. */
function onceAt(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

describe('three worker processes on three "hosts", one Redis, one PostgreSQL database', () => {
  it('a scheduled run and a sync from the command line both end exact, each environment listed once per run', async () => {
    const record = faultCase('9a 3 hosts on PostgreSQL: schedule + CLI sync');
    const { url: apiUrl, sim } = await simulator({ account, faults: { latencyMs: 10 } });
    const url = await database();
    const prefix = uniquePrefix();
    // Fires once, after the three processes have started (they register it as they start).
    const fireAt = new Date(Math.ceil((Date.now() + START_TIMEOUT_MS + 5_000) / 1000) * 1000);
    const base = workerEnv({
      apiUrl, dbPath: '', redisUrl: SHARED_REDIS_URL, prefix,
      extra: { ...pagesOf10, AUDIT_DATABASE_URL: url, AUDIT_WORKER_CONCURRENCY: '1', AUDIT_SYNC_CRON: onceAt(fireAt), AUDIT_SYNC_TZ: 'UTC', AUDIT_RECONCILE_CRON: 'off' },
    });
    const calls = recordRequests(sim);
    const hosts = await startHosts(base);
    const startedIn = Date.now() - (fireAt.getTime() - START_TIMEOUT_MS - 5_000);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const scheduled = (await queue.getDelayed()) as Array<Job<SyncJobData>>;
    expect(scheduled.map((j) => [j.name, j.data, j.timestamp + j.opts.delay!])).toEqual([['account-sync', { trigger: 'schedule' }, fireAt.getTime()]]);

    await unlessAWorkerDies(followAccountSync(queue, events, scheduled[0]!, RUN_TIMEOUT_MS), hosts);
    record.runs += 1;
    const firstRun = listings(calls.splice(0), sim);
    expect(await exactness(url, sim, base)).toEqual(exactly(sim));
    expect(firstRun).toEqual({ environments: 1, users: 1, perEnvironment: listedOnce(sim), pagesAskedTwice: [] });

    // New events, a user gone: the command-line run has work of its own.
    for (const e of sim.environments()) sim.addEvents(e.id, 15);
    sim.removeUser(sim.users()[0]!.id);
    const cli = await runCli(['sync'], { ...base, AUDIT_DB: join(hostDir(), 'audit.db') }, { cwd: hostDir() });
    record.runs += 1;
    expect(cli.code, cli.stderr).toBe(0);
    for (const e of sim.environments()) expect(cli.stdout).toMatch(new RegExp(`ok\\s+${e.name} \\(${e.id}\\): 15 new events`));
    const secondRun = listings(calls.splice(0), sim);
    const result = await exactness(url, sim, base);
    record.tally = result.tally;
    expect(result).toEqual(exactly(sim));
    expect(secondRun).toEqual({ environments: 1, users: 1, perEnvironment: listedOnce(sim), pagesAskedTwice: [] });
    expect(await environmentRuns(url)).toEqual(
      sim.environments().map((e) => e.id).sort().flatMap((scope) => [
        { scope, trigger: 'manual', status: 'ok', runs: 1 },
        { scope, trigger: 'schedule', status: 'ok', runs: 1 },
      ]),
    );
    // The jobs were shared out over the three hosts, and none of them wrote a file.
    const syncedBy = hosts.map((h) => environmentsSynced(h.worker.logs()).length);
    record.note = `exact twice; envs synced per host ${syncedBy.join('/')}; each listed once per run; hosts up in ${(startedIn / 1000).toFixed(0)} s`;
    expect(syncedBy.every((n) => n > 0)).toBe(true);
    expect(hosts.map((h) => readdirSync(h.dir))).toEqual([[], [], []]);
    expect(hosts.map((h) => h.worker.child.exitCode)).toEqual([null, null, null]);
  });

  it('a worker SIGKILLed mid-run: its stalled jobs are taken over by another, exact', async () => {
    const record = faultCase('9b 3 hosts on PostgreSQL: SIGKILL one mid-run');
    const { url: apiUrl, sim } = await simulator({ account, faults: { latencyMs: 20 } });
    const url = await database();
    const prefix = uniquePrefix();
    const base = workerEnv({ apiUrl, dbPath: '', redisUrl: SHARED_REDIS_URL, prefix, extra: { ...pagesOf10, AUDIT_DATABASE_URL: url, AUDIT_WORKER_CONCURRENCY: '2', AUDIT_JOB_LOCK: '3s' } });
    const [victim, ...survivors] = await startHosts(base);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const run = triggerAccountSync(queue, events, RUN_TIMEOUT_MS);
    record.runs += 1;
    run.catch(() => undefined); // awaited below

    const held = await waitFor('the victim to hold environment jobs mid-listing', async () => {
      const inFlight = environmentJobsInFlight(victim!.worker.logs());
      return inFlight.length > 0 && (await pgStoredCount(url)) >= 150 ? inFlight : null;
    }, 60_000, 20);
    victim!.worker.child.kill('SIGKILL');
    await victim!.worker.done;
    const storedAtKill = await pgStoredCount(url);

    await unlessAWorkerDies(run, survivors);
    const result = await exactness(url, sim, base);
    record.tally = result.tally;
    const taken = survivors.flatMap((h) => environmentsSynced(h.worker.logs()));
    const stalled = survivors.flatMap((h) => parseLogs(h.worker.logs())).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('job stalled')).length;
    record.note = `exact; killed holding ${held.length} env job(s) at ${storedAtKill} events, ${stalled} stalled-job notice(s)`;
    expect(result).toEqual(exactly(sim));
    expect(held.every((h) => taken.includes(h.envId))).toBe(true);
    expect(stalled).toBeGreaterThanOrEqual(1);
    expect(survivors.map((h) => h.worker.child.exitCode)).toEqual([null, null]);
  });

  it('PostgreSQL restarted mid-run: the workers reconnect by themselves, exact', async () => {
    const record = faultCase('9c 3 hosts on PostgreSQL: server restart mid-run');
    const { url: apiUrl, sim } = await simulator({ account, faults: { latencyMs: 20 } });
    const url = await database();
    const prefix = uniquePrefix();
    const base = workerEnv({ apiUrl, dbPath: '', redisUrl: SHARED_REDIS_URL, prefix, extra: { ...pagesOf10, AUDIT_DATABASE_URL: url, AUDIT_WORKER_CONCURRENCY: '2' } });
    const hosts = await startHosts(base);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const run = triggerAccountSync(queue, events, RUN_TIMEOUT_MS);
    record.runs += 1;
    run.catch(() => undefined); // awaited below

    const storedAtStop = await waitFor('environment jobs mid-listing', async () => {
      const inFlight = hosts.flatMap((h) => environmentJobsInFlight(h.worker.logs()));
      const stored = await pgStoredCount(url);
      return inFlight.length >= 3 && stored >= 200 ? stored : null;
    }, 60_000, 20);
    // A restart as an operator (or a managed service's maintenance) does it: every session ended,
    // then nothing listening for a moment.
    await server.stop('fast');
    await sleep(2_000);
    await server.start();

    await unlessAWorkerDies(run, hosts);
    const result = await exactness(url, sim, base);
    record.tally = result.tally;
    const logs = hosts.flatMap((h) => parseLogs(h.worker.logs()));
    const failedAttempts = logs.filter((l) => l.msg === 'job failed').length;
    record.note = `exact; restarted at about ${storedAtStop} events; ${failedAttempts} failed job attempt(s); workers alive`;
    expect(result).toEqual(exactly(sim));
    expect(hosts.map((h) => h.worker.child.exitCode)).toEqual([null, null, null]);
  });
});
