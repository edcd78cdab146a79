/**
 * Query latency on a synced database, as an analyst's read-only connection sees it: the cookbook's
 * SQL with realistic parameters (the busiest user, the busiest environment, the last day of data,
 * the space most guests could reach),
 * the median of repeated runs after a warm-up, and whether the plan scans the events table.
 */
import { COOKBOOK, cookbookParams, cookbookQuery } from '../src/cookbook.js';
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
  const user = db
    .prepare<[], { id: string; email: string }>(
      `SELECT u.id, u.email FROM users u JOIN events e ON e.actor_id = u.id GROUP BY u.id ORDER BY COUNT(*) DESC LIMIT 1`,
    )
    .get();
  const environment = db.prepare('SELECT environment_id FROM events GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1').pluck().get() as string | undefined;
  const newest = db.prepare('SELECT MAX(created_at) FROM events').pluck().get() as string | null;
  const space = db.prepare('SELECT space_id FROM guest_spaces GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1').pluck().get() as string | undefined;
  const to = new Date(Date.parse(newest ?? new Date().toISOString()) + 1);
  return {
    actor: user?.id ?? '',
    email: user?.email ?? '',
    environment: environment ?? '',
    from: new Date(to.getTime() - 86_400_000).toISOString(),
    to: to.toISOString(),
    space: space ?? '',
    at: to.toISOString(),
  };
}

function timeOne(db: SqliteDatabase, name: string, parameters: Record<string, string>, runs: number): QueryTiming {
  const query = cookbookQuery(name);
  const sql = query.sql.sqlite;
  const statement = db.prepare(sql);
  const given = Object.fromEntries(Object.entries(parameters).filter(([key]) => query.params.some((p) => p.name === key)));
  const used = cookbookParams(query, given, { now: new Date(), tokens: { staleAfterMs: 90 * 86_400_000, maxAgeMs: 180 * 86_400_000 } });
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
