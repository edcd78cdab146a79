/**
 * The PostgreSQL figures (issue 12), every ratio taken inside this run, in a database of its own
 * that is dropped at the end:
 * - backfill of the main account by `sync --once` into PostgreSQL, in rounds with a fetch-only
 *   client over the same pages and concurrency (the measured network bound) and one COPY of the
 *   same rows in one process (the raw bound); the ratio is wall / max(fetch-only, COPY);
 * - peak RSS of one worker process backfilling the main and the large account;
 * - the cookbook's PostgreSQL statements on the large account, with their plans;
 * - scaling out: one environment job at a time per worker, 1 worker against N, on a slower API.
 * Every store is checked exact: the simulator's ids, each once, and every hash chain verifying.
 */
import { loadConfig } from '../src/config.js';
import type { SimulatorOptions } from '../src/simulator/index.js';
import { REQUESTS_PER_LISTING } from '../src/sync/sync-events.js';
import type { BenchOptions } from './options.js';
import { compareStoreWithTruth, type PostgresExactness } from './postgres-exactness.js';
import { createBenchDatabase, type BenchDatabase } from './postgres-database.js';
import { timePostgresQueries, type PostgresQueryTiming } from './postgres-queries.js';
import { runJob } from './run-job.js';
import { startSimulatorProcess, type SimulatorHandle } from './simulator-handle.js';
import { round } from './timeline.js';
import { startWorkerFleet, type FleetRun } from './worker-fleet.js';

const TOKEN = 'sk_bench_pat_0123456789abcdef';

export interface PostgresBenchResult {
  server: string;
  backfill: {
    events: number;
    environments: number;
    pages: number;
    /** Requests in flight at once, for the computed bound. */
    concurrency: number;
    latencyMs: number;
    wallS: number;
    wallSamplesS: number[];
    measuredNetworkS: number;
    fetchOnlySamplesS: number[];
    copyS: number;
    copySamplesS: number[];
    computedNetworkBoundS: number;
    /** wall / max(fastest fetch-only, fastest COPY): the target. */
    ratioToMeasuredBound: number;
    ratioToComputedBound: number;
    boundBy: 'network' | 'copy';
    peakRssMb: number;
    cpuS: unknown;
    exact: boolean;
    exactness: PostgresExactness[];
  };
  /** Null with --postgres-backfill-only. */
  memory: {
    /** One worker process (default settings) backfilling the main and the large account. */
    workerPeakRssMb200k: number;
    workerPeakRssMb1m: number;
    growth: number;
    workerWallS200k: number;
    workerWallS1m: number;
    exact: boolean;
  } | null;
  queries: PostgresQueryTiming[];
  queryParameters: Record<string, string>;
  scaleOut: {
    environments: number;
    eventsPerEnvironment: number;
    latencyMs: number;
    jobsPerWorker: number;
    workers: number;
    oneWorkerS: number;
    oneWorkerSamplesS: number[];
    manyWorkersS: number;
    manyWorkersSamplesS: number[];
    speedup: number;
    exact: boolean;
  };
}

export async function runPostgresBench(options: BenchOptions, say: (line: string) => void): Promise<PostgresBenchResult> {
  const db = await createBenchDatabase(options.postgresUrl);
  say(`postgres: database ${db.name}`);
  // A bench stopped by a signal (Ctrl-C, a timeout) drops its database too.
  const interrupted = (signal: NodeJS.Signals): void => {
    void db.drop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await measure(options, db, say);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await db.drop();
    say(`postgres: dropped ${db.name}`);
  }
}

async function measure(options: BenchOptions, db: BenchDatabase, say: (line: string) => void): Promise<PostgresBenchResult> {
  const defaults = loadConfig({});
  const concurrency = options.concurrency ?? defaults.concurrency;
  const syncEnv: Record<string, string> = options.concurrency === undefined ? {} : { AUDIT_CONCURRENCY: String(options.concurrency) };
  const inFlight = Math.min(concurrency, options.environments) * REQUESTS_PER_LISTING;
  const simulatorOptions = (environments: number, events: number, latencyMs: number): SimulatorOptions => ({
    pats: [TOKEN],
    pageSizeCap: options.pageSizeCap,
    faults: { latencyMs },
    account: { environments, eventsPerEnvironment: Math.floor(events / environments) },
  });
  const fleetRun = async (sim: SimulatorHandle, schema: string, workers: number, jobsPerWorker: number): Promise<{ run: FleetRun; exact: PostgresExactness }> => {
    const fleet = await startWorkerFleet({ workers, jobsPerWorker, url: sim.url, token: TOKEN, postgres: db.settings(schema), redisUrl: options.redisUrl });
    let run: FleetRun;
    try {
      run = await fleet.syncAccount();
    } finally {
      await fleet.stop();
    }
    const exact = await compareStoreWithTruth(db, schema, await sim.truthIds());
    await db.dropSchema(schema);
    return { run, exact };
  };

  say(`postgres: simulator: ${options.environments} environments, ${options.events} events, ${options.latencyMs} ms per request`);
  const sim = await startSimulatorProcess(simulatorOptions(options.environments, options.events, options.latencyMs));
  let backfill: PostgresBenchResult['backfill'];
  let small;
  try {
    const truth = await sim.truthIds();
    const syncs = [];
    const exactness: PostgresExactness[] = [];
    const fetchS: number[] = [];
    const copyS: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const schema = `backfill_${r}`;
      say(`postgres round ${r + 1}/${options.repeats}: backfill with our sync (sync --once) ...`);
      const sync = await runJob({ kind: 'sync', url: sim.url, token: TOKEN, dbPath: '/nonexistent/unused.db', env: syncEnv, postgres: db.settings(schema) });
      const exact = await compareStoreWithTruth(db, schema, truth);
      syncs.push(sync);
      exactness.push(exact);
      say(`  ${sync.events} events in ${sync.wallS.toFixed(2)} s, exact: ${exact.exact} (chain ${exact.chainOk ? 'verified' : 'BROKEN'})`);

      say('  fetch-only client over the same pages (the measured network bound) ...');
      const fetched = await runJob({ kind: 'fetch-only', url: sim.url, token: TOKEN, env: syncEnv });
      fetchS.push(fetched.seconds);
      say(`  ${fetched.pages} pages in ${fetched.seconds.toFixed(2)} s`);

      say('  one COPY of the same rows, one process (the raw bound) ...');
      const copied = await runJob({ kind: 'copy-write', source: db.settings('backfill_0'), target: db.settings(`copy_${r}`) });
      await db.dropSchema(`copy_${r}`);
      if (copied.rows !== truth.length) throw new Error(`COPY loaded ${copied.rows} rows, expected ${truth.length}`);
      copyS.push(copied.seconds);
      say(`  ${copied.seconds.toFixed(2)} s`);
      if (r > 0) await db.dropSchema(schema);
    }
    await db.dropSchema('backfill_0');
    const best = syncs.reduce((a, b) => (b.wallS < a.wallS ? b : a));
    const measuredNetworkS = Math.min(...fetchS);
    const bestCopyS = Math.min(...copyS);
    const computed = Math.ceil(best.pages / inFlight) * (options.latencyMs / 1000);
    backfill = {
      events: best.events,
      environments: options.environments,
      pages: best.pages,
      concurrency: inFlight,
      latencyMs: options.latencyMs,
      wallS: round(best.wallS, 3),
      wallSamplesS: syncs.map((s) => round(s.wallS, 3)),
      measuredNetworkS: round(measuredNetworkS, 3),
      fetchOnlySamplesS: fetchS.map((s) => round(s, 3)),
      copyS: round(bestCopyS, 3),
      copySamplesS: copyS.map((s) => round(s, 3)),
      computedNetworkBoundS: round(computed, 3),
      ratioToMeasuredBound: round(best.wallS / Math.max(measuredNetworkS, bestCopyS), 3),
      ratioToComputedBound: round(best.wallS / Math.max(computed, bestCopyS), 3),
      boundBy: measuredNetworkS >= bestCopyS ? 'network' : 'copy',
      peakRssMb: Math.max(...syncs.map((s) => s.peakRssMb)),
      cpuS: (best.details as { cpuS?: unknown } | undefined)?.cpuS ?? null,
      exact: exactness.every((e) => e.exact),
      exactness,
    };

    if (!options.postgresBackfillOnly) {
      say('postgres: one worker process backfills the main account (peak RSS) ...');
      small = await fleetRun(sim, 'worker_small', 1, defaults.worker.concurrency);
      say(`  ${small.run.wallS.toFixed(2)} s, peak RSS ${small.run.peakRssMb[0]} MB, exact: ${small.exact.exact}`);
    }
  } finally {
    await sim.close();
  }

  const workerFigures = small === undefined ? null : await measureWorker(options, db, small, simulatorOptions, say);
  const scaleOut = await measureScaleOut(options, fleetRun, simulatorOptions, say);
  return {
    server: await db.withClient('public', async (client) => (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown'),
    backfill,
    memory: workerFigures?.memory ?? null,
    queries: workerFigures?.queries ?? [],
    queryParameters: workerFigures?.queryParameters ?? {},
    scaleOut,
  };
}

type FleetRunOn = (sim: SimulatorHandle, schema: string, workers: number, jobsPerWorker: number) => Promise<{ run: FleetRun; exact: PostgresExactness }>;
type SimulatorOptionsFor = (environments: number, events: number, latencyMs: number) => SimulatorOptions;

/** One worker's peak RSS on the large account against the main one, and the cookbook on the large store. */
async function measureWorker(
  options: BenchOptions,
  db: BenchDatabase,
  small: { run: FleetRun; exact: PostgresExactness },
  simulatorOptions: SimulatorOptionsFor,
  say: (line: string) => void,
): Promise<Pick<PostgresBenchResult, 'memory' | 'queries' | 'queryParameters'>> {
  const defaults = loadConfig({});
  say(`postgres: large account, ${options.bigEvents} events: one worker process backfills it ...`);
  const bigSim = await startSimulatorProcess(simulatorOptions(options.environments, options.bigEvents, options.latencyMs));
  let big;
  let queries;
  try {
    const schema = 'worker_big';
    const fleet = await startWorkerFleet({ workers: 1, jobsPerWorker: defaults.worker.concurrency, url: bigSim.url, token: TOKEN, postgres: db.settings(schema), redisUrl: options.redisUrl });
    let run: FleetRun;
    try {
      run = await fleet.syncAccount();
    } finally {
      await fleet.stop();
    }
    const exact = await compareStoreWithTruth(db, schema, await bigSim.truthIds());
    big = { run, exact };
    say(`  ${run.wallS.toFixed(2)} s, peak RSS ${run.peakRssMb[0]} MB, exact: ${exact.exact}`);
    say('postgres: cookbook queries ...');
    queries = await timePostgresQueries(db, schema, options.queryRuns);
    for (const q of queries.queries) say(`  ${q.name}: ${q.medianMs.toFixed(2)} ms, ${q.rows} rows, seq scan of events: ${q.seqScanOfEvents}`);
    await db.dropSchema(schema);
  } finally {
    await bigSim.close();
  }
  const rss200k = small.run.peakRssMb[0] ?? Number.NaN;
  const rss1m = big.run.peakRssMb[0] ?? Number.NaN;
  return {
    memory: {
      workerPeakRssMb200k: rss200k,
      workerPeakRssMb1m: rss1m,
      growth: round(rss1m / rss200k, 3),
      workerWallS200k: round(small.run.wallS, 3),
      workerWallS1m: round(big.run.wallS, 3),
      exact: small.exact.exact && big.exact.exact,
    },
    queries: queries.queries,
    queryParameters: queries.parameters,
  };
}

/** One environment job at a time per worker: 1 worker against N on a slower API. */
async function measureScaleOut(options: BenchOptions, fleetRun: FleetRunOn, simulatorOptions: SimulatorOptionsFor, say: (line: string) => void): Promise<PostgresBenchResult['scaleOut']> {
  const scale = options.scale;
  say(`postgres: scaling out: ${scale.environments} environments × ${Math.floor(scale.events / scale.environments)} events, ${scale.latencyMs} ms per request, 1 job per worker, 1 vs ${scale.workers} workers ...`);
  const scaleSim = await startSimulatorProcess(simulatorOptions(scale.environments, scale.events, scale.latencyMs));
  const one: FleetRun[] = [];
  const many: FleetRun[] = [];
  let scaleExact = true;
  try {
    for (let r = 0; r < options.repeats; r++) {
      for (const [workers, runs] of [[1, one], [scale.workers, many]] as const) {
        const { run, exact } = await fleetRun(scaleSim, `scale_${workers}_${r}`, workers, 1);
        runs.push(run);
        scaleExact &&= exact.exact;
        say(`  ${workers} worker(s): ${run.wallS.toFixed(2)} s, exact: ${exact.exact}`);
      }
    }
  } finally {
    await scaleSim.close();
  }
  const oneS = Math.min(...one.map((r) => r.wallS));
  const manyS = Math.min(...many.map((r) => r.wallS));
  return {
    environments: scale.environments,
    eventsPerEnvironment: Math.floor(scale.events / scale.environments),
    latencyMs: scale.latencyMs,
    jobsPerWorker: 1,
    workers: scale.workers,
    oneWorkerS: round(oneS, 3),
    oneWorkerSamplesS: one.map((r) => round(r.wallS, 3)),
    manyWorkersS: round(manyS, 3),
    manyWorkersSamplesS: many.map((r) => round(r.wallS, 3)),
    speedup: round(oneS / manyS, 3),
    exact: scaleExact,
  };
}
