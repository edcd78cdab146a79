/**
 * Query latency on a synced database, as an analyst's read-only connection sees it: the cookbook's
 * SQL with realistic parameters (the busiest user, the busiest environment, the last day of data,
 * the space most guests could reach),
 * the median of repeated runs after a warm-up, and whether the plan scans the events table.
 */
import { COOKBOOK, cookbookQuery } from '../src/cookbook.js';
import { benchParameters, entryParameters, PARAMETER_SQL } from './query-parameters.js';
import { openReadOnly, type SqliteDatabase } from '../src/store/sqlite/open.js';

/** The four the issue names: by actor in a time range, topics in the last day, an environment's latest, an actor's audit_trail page. */
export const REQUIRED_QUERIES = ['actor-time-range', 'topics-last-day', 'environment-latest', 'by-actor'] as const;

const BUDGET_MS = 3000;

export interface QueryTiming {
  name: string;
  question: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  rows: number;
  /** True when the plan walks the whole events table (or a whole index of it) instead of searching it. */
  fullScan: boolean;
  plan: string[];
}

export interface QueryReport {
  required: QueryTiming[];
  others: QueryTiming[];
  parameters: Record<string, string>;
}

export function timeQueries(dbPath: string, runs: number): QueryReport {
  const db = openReadOnly(dbPath);
  try {
    const parameters = chooseParameters(db);
    const time = (name: string): QueryTiming => timeOne(db, name, parameters, runs);
    return {
      required: REQUIRED_QUERIES.map(time),
      others: COOKBOOK.filter((q) => !(REQUIRED_QUERIES as readonly string[]).includes(q.name)).map((q) => time(q.name)),
      parameters,
    };
  } finally {
    db.close();
  }
}

/** Worst realistic cases: the user with the most events, the environment with the most, the newest day of data. */
function chooseParameters(db: SqliteDatabase): Record<string, string> {
  return benchParameters({
    user: db.prepare<[], { id: string; email: string }>(PARAMETER_SQL.user).get(),
    environment: db.prepare(PARAMETER_SQL.environment).pluck().get() as string | undefined,
    newest: db.prepare(PARAMETER_SQL.newest).pluck().get() as string | null,
    space: db.prepare(PARAMETER_SQL.space).pluck().get() as string | undefined,
  });
}

function timeOne(db: SqliteDatabase, name: string, parameters: Record<string, string>, runs: number): QueryTiming {
  const query = cookbookQuery(name);
  const sql = query.sql.sqlite;
  const statement = db.prepare(sql);
  const used = entryParameters(query, parameters);
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(used) as Array<{ detail: string }>).map((row) => row.detail);
  let rows = statement.all(used).length; // warm-up: the first run pays for reading pages into the cache
  const samples: number[] = [];
  const budgetEnds = performance.now() + BUDGET_MS;
  // Slow queries (whole-table reports) stop after three runs once their time budget is spent.
  for (let i = 0; i < runs && (i < 3 || performance.now() < budgetEnds); i++) {
    const started = performance.now();
    rows = statement.all(used).length;
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    name,
    question: query.question,
    medianMs: round(samples[Math.floor(samples.length / 2)] ?? Number.NaN),
    minMs: round(samples[0] ?? Number.NaN),
    maxMs: round(samples.at(-1) ?? Number.NaN),
    runs: samples.length,
    rows,
    fullScan: plan.some(scansEvents),
    plan,
  };
}

/** `SCAN events` / `SCAN e` (the view's alias), with or without an index: a pass over every event either way. */
export function scansEvents(detail: string): boolean {
  return /^SCAN (events|e)\b/.test(detail);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
