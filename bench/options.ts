/** The bench's command line: the reference set by default, `--quick` for a reduced one, sizes and knobs to explore. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Results go to `<outDir>/<name>.json` and `<outDir>/<name>.svg`. */
  name: string;
  outDir: string;
  quick: boolean;
  environments: number;
  /** The main backfill (the reference "200k"). */
  events: number;
  /** The large backfill (the reference "1M") for memory, incremental cost and query latency. */
  bigEvents: number;
  latencyMs: number;
  pageSizeCap: number;
  /** AUDIT_CONCURRENCY for our sync; undefined keeps the default of the configuration. */
  concurrency: number | undefined;
  /** Events added before each incremental sync. */
  newEvents: number;
  rate429: number;
  retryAfterS: number;
  rate5xx: number;
  /** Timed runs per query (after one warm-up). */
  queryRuns: number;
  /** Rounds of each timed comparison (backfill, raw loop, naive, write path); the fastest round counts. */
  repeats: number;
  /** Which stores to measure: SQLite (the reference set), PostgreSQL (issue 12), or both. */
  stores: ReadonlyArray<'sqlite' | 'postgres'>;
  /** PostgreSQL: only the backfill (with its bounds) and the scaling-out figures, not the worker memory or the queries, for A/B runs in one sitting. */
  postgresBackfillOnly: boolean;
  /** A server where the bench may create (and drop) a database of its own: BENCH_POSTGRES_URL. */
  postgresUrl: string;
  /** The Redis the PostgreSQL workers share: REDIS_URL. */
  redisUrl: string;
  /** Scaling out: 1 worker against `workers`, one environment job at a time each. */
  scale: { environments: number; events: number; latencyMs: number; workers: number };
  /** The explorer's server time per page (issue 15) on the same stores: `--explorer`, or `--explorer-only` without the sync figures. */
  explorer: { run: boolean; only: boolean; events: number; runs: number };
}

const USAGE = `usage: npm run bench -- [--quick] [--name latest] [--out-dir bench/results]
  [--environments 8] [--events 200000] [--big-events 1000000] [--latency 20] [--page-cap 100]
  [--concurrency N] [--new-events 100] [--rate-429 0.01] [--retry-after 1] [--rate-5xx 0.02]
  [--query-runs 21] [--repeats 3] [--stores sqlite,postgres] [--postgres-backfill-only]
  [--postgres-url postgres://postgres@127.0.0.1:5432/postgres (or BENCH_POSTGRES_URL)] [--redis-url redis://127.0.0.1:6379 (or REDIS_URL)]
  [--scale-environments 6] [--scale-events 36000] [--scale-latency 100] [--scale-workers 3]
  [--explorer | --explorer-only] [--explorer-events 1000000] [--explorer-runs 21]`;

export function parseBenchArgs(args: string[], env: Record<string, string | undefined> = process.env): BenchOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      name: { type: 'string', default: 'latest' },
      'out-dir': { type: 'string', default: 'bench/results' },
      environments: { type: 'string' },
      events: { type: 'string' },
      'big-events': { type: 'string' },
      latency: { type: 'string', default: '20' },
      'page-cap': { type: 'string', default: '100' },
      concurrency: { type: 'string' },
      'new-events': { type: 'string', default: '100' },
      'rate-429': { type: 'string', default: '0.01' },
      'retry-after': { type: 'string', default: '1' },
      'rate-5xx': { type: 'string', default: '0.02' },
      'query-runs': { type: 'string' },
      repeats: { type: 'string' },
      stores: { type: 'string', default: 'sqlite,postgres' },
      'postgres-backfill-only': { type: 'boolean', default: false },
      'postgres-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'scale-environments': { type: 'string' },
      'scale-events': { type: 'string' },
      'scale-latency': { type: 'string', default: '100' },
      'scale-workers': { type: 'string', default: '3' },
      explorer: { type: 'boolean', default: false },
      'explorer-only': { type: 'boolean', default: false },
      'explorer-events': { type: 'string' },
      'explorer-runs': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick;
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}, got "${text}"\n${USAGE}`);
    return value;
  };
  const rate = (name: string, text: string): number => {
    const value = Number(text);
    if (!(value >= 0 && value <= 1)) throw new Error(`--${name} must be between 0 and 1, got "${text}"\n${USAGE}`);
    return value;
  };
  if (!/^[\w.-]+$/.test(values.name)) throw new Error(`--name must be a plain file name, got "${values.name}"`);
  const environments = int('environments', values.environments, quick ? 4 : 8, 1);
  const stores = values.stores.split(',').map((store) => store.trim());
  if (stores.length === 0 || stores.some((store) => store !== 'sqlite' && store !== 'postgres')) {
    throw new Error(`--stores must list sqlite and/or postgres, comma-separated, got "${values.stores}"\n${USAGE}`);
  }
  const scaleEnvironments = int('scale-environments', values['scale-environments'], 6, 1);
  return {
    name: values.name,
    outDir: values['out-dir'],
    quick,
    environments,
    events: int('events', values.events, quick ? 8_000 : 200_000, environments),
    bigEvents: int('big-events', values['big-events'], quick ? 20_000 : 1_000_000, environments),
    latencyMs: int('latency', values.latency, 20, 0),
    pageSizeCap: int('page-cap', values['page-cap'], 100, 1),
    concurrency: values.concurrency === undefined ? undefined : int('concurrency', values.concurrency, 4, 1),
    newEvents: int('new-events', values['new-events'], 100, 1),
    rate429: rate('rate-429', values['rate-429']),
    retryAfterS: int('retry-after', values['retry-after'], 1, 0),
    rate5xx: rate('rate-5xx', values['rate-5xx']),
    queryRuns: int('query-runs', values['query-runs'], quick ? 5 : 21, 1),
    repeats: int('repeats', values.repeats, quick ? 1 : 3, 1),
    stores: stores as Array<'sqlite' | 'postgres'>,
    postgresBackfillOnly: values['postgres-backfill-only'],
    postgresUrl: values['postgres-url'] ?? env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values['redis-url'] ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    scale: {
      environments: scaleEnvironments,
      // 6 × 6,000 events: 60 pages of 100 ms per environment, so one worker needs ~36 s and three ~12 s.
      events: int('scale-events', values['scale-events'], quick ? scaleEnvironments * 500 : scaleEnvironments * 6000, scaleEnvironments),
      latencyMs: int('scale-latency', values['scale-latency'], 100, 0),
      workers: int('scale-workers', values['scale-workers'], 3, 2),
    },
    explorer: {
      run: values.explorer || values['explorer-only'],
      only: values['explorer-only'],
      events: int('explorer-events', values['explorer-events'], quick ? 20_000 : 1_000_000, environments),
      runs: int('explorer-runs', values['explorer-runs'], quick ? 3 : 21, 1),
    },
  };
}
