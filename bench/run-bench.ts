/**
 * The whole reference set, in an order that keeps every comparison inside one run: the main
 * account (backfill, raw-write bound, naive baseline, write path, faults, then the incremental
 * run, which changes the account), then the large account (backfill, queries, incremental).
 * The simulator and each sync run in processes of their own.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import type { SimulatorOptions } from '../src/simulator/index.js';
import { REQUESTS_PER_LISTING } from '../src/sync/sync-events.js';
import { compareWithTruth } from './exactness.js';
import type { ResultOf, SyncJob } from './jobs.js';
import { describeMachine } from './machine.js';
import type { BenchOptions } from './options.js';
import { timeQueries } from './queries.js';
import type { BenchResult } from './results.js';
import { runJob } from './run-job.js';
import { startSimulatorProcess, type SimulatorHandle } from './simulator-handle.js';
import { storageFigures } from './storage.js';
import { downsample, round } from './timeline.js';
import { savePageBodies } from './write-path.js';

const TOKEN = 'sk_bench_pat_0123456789abcdef';

export async function runBench(options: BenchOptions, workDir: string, say: (line: string) => void): Promise<BenchResult> {
  const started = performance.now();
  const defaults = loadConfig({});
  const settings = {
    concurrency: options.concurrency ?? defaults.concurrency,
    writeBatchRows: defaults.writeBatchRows,
    pageSize: defaults.pageSize,
  };
  const syncEnv: Record<string, string> = options.concurrency === undefined ? {} : { AUDIT_CONCURRENCY: String(options.concurrency) };
  // Requests the sync can keep in flight: one per environment listed at once, and never more environments than there are.
  const inFlight = Math.min(settings.concurrency, options.environments) * REQUESTS_PER_LISTING;
  const db = (name: string): string => join(workDir, `${name}.db`);
  const drop = (name: string): void => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db(name)}${suffix}`, { force: true });
  };
  const sync = (sim: SimulatorHandle, name: string): Promise<ResultOf<SyncJob>> => runJob({ kind: 'sync', url: sim.url, token: TOKEN, dbPath: db(name), env: syncEnv });
  const simulatorOptions = (events: number): SimulatorOptions => ({
    pats: [TOKEN],
    pageSizeCap: options.pageSizeCap,
    faults: { latencyMs: options.latencyMs },
    account: { environments: options.environments, eventsPerEnvironment: Math.floor(events / options.environments) },
  });
  /** The raw loop on the rows of the backfilled database, in a fresh process and a fresh file. */
  const rawWriteSeconds = async (): Promise<number> => {
    const raw = await runJob({ kind: 'raw-write', sourceDb: db('backfill'), dbPath: db('raw') });
    drop('raw');
    return raw.seconds;
  };
  const networkBound = (pages: number): number => Math.ceil(pages / inFlight) * (options.latencyMs / 1000);

  say(`simulator: ${options.environments} environments, ${options.events} events, ${options.latencyMs} ms per request, page cap ${options.pageSizeCap}`);
  const sim = await startSimulatorProcess(simulatorOptions(options.events));
  let small;
  try {
    const truth = await sim.truthIds();
    // Rounds of backfill, raw loop and naive baseline, interleaved so that a noisy spell on the
    // machine hits them alike; each figure is the fastest of its rounds (the least disturbed).
    const backfills: Array<ResultOf<SyncJob>> = [];
    const rawS: number[] = [];
    const fetchS: number[] = [];
    const naives: Array<ResultOf<SyncJob>> = [];
    let backfillExact = true;
    let naiveExact = true;
    for (let round = 0; round < options.repeats; round++) {
      const name = round === 0 ? 'backfill' : 'backfill-again';
      say(`round ${round + 1}/${options.repeats}: backfill with our sync ...`);
      const backfill = await sync(sim, name);
      const exact = compareWithTruth(db(name), truth).exact;
      if (round > 0) drop(name);
      backfills.push(backfill);
      backfillExact &&= exact;
      say(`  ${backfill.events} events in ${backfill.wallS.toFixed(2)} s, exact: ${exact}`);

      say('  fetch-only client over the same pages (the measured network bound) ...');
      const fetched = await runJob({ kind: 'fetch-only', url: sim.url, token: TOKEN, env: syncEnv });
      fetchS.push(fetched.seconds);
      say(`  ${fetched.pages} pages in ${fetched.seconds.toFixed(2)} s`);

      say('  raw better-sqlite3 loop on the same rows ...');
      rawS.push(await rawWriteSeconds());
      say(`  ${rawS.at(-1)?.toFixed(2)} s`);

      say('  naive baseline ...');
      const naive = await runJob({ kind: 'naive', url: sim.url, token: TOKEN, dbPath: db('naive'), pageSize: settings.pageSize });
      const naiveIsExact = compareWithTruth(db('naive'), truth).exact;
      drop('naive');
      naives.push(naive);
      naiveExact &&= naiveIsExact;
      say(`  ${naive.events} events in ${naive.wallS.toFixed(2)} s, exact: ${naiveIsExact}`);
    }
    const backfill = fastest(backfills);
    const naive = fastest(naives);

    say('write path: our listing code and store vs the raw loop, no network ...');
    await sim.setFaults({ latencyMs: 0 });
    const pagesFile = join(workDir, 'pages.jsonl');
    await savePageBodies(pagesFile, sim.url, TOKEN, await sim.environmentIds(), settings.pageSize);
    await sim.setFaults({ latencyMs: options.latencyMs });
    // Store and raw runs alternate, so each pair shares the machine's mood; the ratio compares the
    // fastest of each, over the same number of runs.
    const storeS: number[] = [];
    const pairedRawS: number[] = [];
    for (let round = 0; round < options.repeats; round++) {
      const store = await runJob({ kind: 'store-write', pagesFile, dbPath: db('store'), settings });
      drop('store');
      if (store.rows !== truth.length) throw new Error(`the write path stored ${store.rows} events, expected ${truth.length}`);
      storeS.push(store.seconds);
      pairedRawS.push(await rawWriteSeconds());
      say(`  store ${store.seconds.toFixed(2)} s, raw ${pairedRawS.at(-1)?.toFixed(2)} s`);
    }
    rmSync(pagesFile, { force: true });
    const storage = storageFigures(db('backfill'));

    say(`faults: ${options.rate429 * 100}% 429 (Retry-After ${options.retryAfterS} s), ${options.rate5xx * 100}% 5xx ...`);
    await sim.setFaults({ rate429: options.rate429, retryAfterS: options.retryAfterS, error5xxRate: options.rate5xx });
    const faulted = await sync(sim, 'faults');
    await sim.setFaults({ rate429: 0, error5xxRate: 0 });
    const faultsExact = compareWithTruth(db('faults'), truth);
    drop('faults');
    say(`  ${faulted.wallS.toFixed(2)} s, exact: ${faultsExact.exact}`);

    say(`incremental: ${options.newEvents} new events on top of ${truth.length} ...`);
    const incremental = await incrementalRun(sim, options.newEvents, () => sync(sim, 'backfill'), db('backfill'));
    say(`  ${incremental.requests} requests, ${incremental.wallS.toFixed(2)} s, exact: ${incremental.exact}`);
    small = { truth: truth.length, backfill, backfills, backfillExact, rawS, fetchS, naive, naives, naiveExact, storeS, pairedRawS, storage, faulted, faultsExact, incremental };
  } finally {
    await sim.close();
  }
  drop('backfill');

  say(`large account: ${options.bigEvents} events ...`);
  const bigSim = await startSimulatorProcess(simulatorOptions(options.bigEvents));
  let big;
  try {
    const truth = await bigSim.truthIds();
    const backfill = await sync(bigSim, 'big');
    const exact = compareWithTruth(db('big'), truth);
    say(`  ${backfill.events} events in ${backfill.wallS.toFixed(2)} s, peak RSS ${backfill.peakRssMb} MB, exact: ${exact.exact}`);
    say('queries ...');
    const queries = timeQueries(db('big'), options.queryRuns);
    const fileBytes = storageFigures(db('big')).fileBytes;
    say(`incremental: ${options.newEvents} new events on top of ${truth.length} ...`);
    const incremental = await incrementalRun(bigSim, options.newEvents, () => sync(bigSim, 'big'), db('big'));
    say(`  ${incremental.requests} requests, ${incremental.wallS.toFixed(2)} s, exact: ${incremental.exact}`);
    big = { truth: truth.length, backfill, exact, queries, fileBytes, incremental };
  } finally {
    await bigSim.close();
  }
  drop('big');

  // The disk bound is the fastest raw run of all: the tightest bound the run measured.
  const rawWriteS = Math.min(...small.rawS, ...small.pairedRawS);
  const storeBestS = Math.min(...small.storeS);
  const pairedRawBestS = Math.min(...small.pairedRawS);
  const networkBoundS = networkBound(small.backfill.pages);
  // Measured in the same rounds as the backfill: the fastest fetch-only run.
  const measuredNetworkS = Math.min(...small.fetchS);
  const eventsPerS = small.backfill.events / small.backfill.wallS;
  const naivePerS = small.naive.events / small.naive.wallS;
  return {
    machine: describeMachine(),
    settings: {
      quick: options.quick,
      environments: options.environments,
      latencyMs: options.latencyMs,
      pageSizeCap: options.pageSizeCap,
      pageSize: settings.pageSize,
      environmentsAtOnce: settings.concurrency,
      requestsPerListing: REQUESTS_PER_LISTING,
      writeBatchRows: settings.writeBatchRows,
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    },
    sizes: { small: small.truth, big: big.truth },
    backfill: {
      events: small.backfill.events,
      environments: options.environments,
      pages: small.backfill.pages,
      concurrency: inFlight,
      latencyMs: options.latencyMs,
      wallS: round(small.backfill.wallS, 3),
      networkBoundS: round(networkBoundS, 3),
      rawWriteS: round(rawWriteS, 3),
      ratioToBound: round(small.backfill.wallS / Math.max(networkBoundS, rawWriteS), 3),
      measuredNetworkS: round(measuredNetworkS, 3),
      fetchOnlySamplesS: small.fetchS.map((s) => round(s, 3)),
      ratioToMeasuredBound: round(small.backfill.wallS / Math.max(measuredNetworkS, rawWriteS), 3),
      eventsPerS: Math.round(eventsPerS),
      exact: small.backfillExact,
      requests: small.backfill.requests,
      wallSamplesS: small.backfills.map((b) => round(b.wallS, 3)),
      rawWriteSamplesS: [...small.rawS, ...small.pairedRawS].map((s) => round(s, 3)),
      boundBy: networkBoundS >= rawWriteS ? 'network' : 'disk',
      cpuS: (small.backfill.details as { cpuS?: { user: number; system: number } } | undefined)?.cpuS ?? null,
    },
    naive: {
      events: small.naive.events,
      wallS: round(small.naive.wallS, 3),
      eventsPerS: Math.round(naivePerS),
      exact: small.naiveExact,
      wallSamplesS: small.naives.map((b) => round(b.wallS, 3)),
      pages: small.naive.pages,
      requests: small.naive.requests,
    },
    speedupVsNaive: round(eventsPerS / naivePerS, 2),
    writePath: {
      storeEventsPerS: Math.round(small.truth / storeBestS),
      rawEventsPerS: Math.round(small.truth / pairedRawBestS),
      ratio: round(pairedRawBestS / storeBestS, 3),
      storeS: small.storeS.map((s) => round(s, 3)),
      rawS: small.pairedRawS.map((s) => round(s, 3)),
      storage: small.storage,
    },
    memory: {
      peakRssMb200k: Math.max(...small.backfills.map((b) => b.peakRssMb)),
      peakRssMb1m: big.backfill.peakRssMb,
      growth: round(big.backfill.peakRssMb / Math.max(...small.backfills.map((b) => b.peakRssMb)), 3),
      startRssMb: small.backfill.startRssMb,
    },
    incremental: {
      newEvents: options.newEvents,
      requests200k: small.incremental.requests,
      requests1m: big.incremental.requests,
      wallS200k: round(small.incremental.wallS, 3),
      wallS1m: round(big.incremental.wallS, 3),
      eventsRequests200k: small.incremental.eventsRequests,
      eventsRequests1m: big.incremental.eventsRequests,
      stored200k: small.incremental.stored,
      stored1m: big.incremental.stored,
      exact: small.incremental.exact && big.incremental.exact,
    },
    backfill1m: {
      events: big.backfill.events,
      pages: big.backfill.pages,
      wallS: round(big.backfill.wallS, 3),
      eventsPerS: Math.round(big.backfill.events / big.backfill.wallS),
      networkBoundS: round(networkBound(big.backfill.pages), 3),
      exact: big.exact.exact,
      storage: { fileBytes: big.fileBytes, bytesPerEvent: Math.round(big.fileBytes / big.truth) },
    },
    queries: big.queries.required,
    otherQueries: big.queries.others,
    queryParameters: big.queries.parameters,
    faults: {
      wallS: round(small.faulted.wallS, 3),
      cleanWallS: round(small.backfill.wallS, 3),
      exact: small.faultsExact.exact,
      slowdown: round(small.faulted.wallS / small.backfill.wallS, 3),
      rate429: options.rate429,
      retryAfterS: options.retryAfterS,
      rate5xx: options.rate5xx,
      requests: small.faulted.requests,
      ...httpCounts(small.faulted),
    },
    timelines: {
      backfill: downsample(small.backfill.timeline),
      naive: downsample(small.naive.timeline),
      faults: downsample(small.faulted.timeline),
      backfill1m: downsample(big.backfill.timeline),
    },
    totalS: round((performance.now() - started) / 1000, 1),
  };
}

/** Adds `count` events spread over the environments, then syncs the backfilled database again. */
async function incrementalRun(sim: SimulatorHandle, count: number, syncAgain: () => Promise<ResultOf<SyncJob>>, dbPath: string) {
  const environments = await sim.environmentIds();
  for (const [index, environmentId] of environments.entries()) {
    const share = Math.floor(count / environments.length) + (index < count % environments.length ? 1 : 0);
    if (share > 0) await sim.addEvents(environmentId, share);
  }
  await sim.resetStats();
  const result = await syncAgain();
  const stats = await sim.stats();
  const exact = compareWithTruth(dbPath, await sim.truthIds()).exact;
  return { requests: result.requests, eventsRequests: stats.byRoute['GET /events'] ?? 0, wallS: result.wallS, stored: result.events, exact };
}

function fastest(runs: Array<ResultOf<SyncJob>>): ResultOf<SyncJob> {
  return runs.reduce((best, run) => (run.wallS < best.wallS ? run : best));
}

function httpCounts(result: ResultOf<SyncJob>): { retries: number; rateLimited: number } {
  const http = (result.details as { http?: { retries?: number; rateLimited?: number } } | undefined)?.http;
  return { retries: http?.retries ?? 0, rateLimited: http?.rateLimited ?? 0 };
}
