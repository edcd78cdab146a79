/**
 * The cookbook's PostgreSQL statements on a synced store, as an analyst's connection runs them
 * (read-only, the store's session settings): realistic parameters (the busiest user, the busiest
 * environment, the last day of data), the median of repeated runs after a warm-up, and the plan:
 * a `Seq Scan` node on `events` anywhere in it is reported, and the bench marks it missed.
 */
import type pg from 'pg';
import { COOKBOOK, cookbookSql } from '../src/cookbook.js';
import { benchParameters, entryParameters, PARAMETER_SQL } from './query-parameters.js';
import { toPositional } from '../src/store/postgres/named-parameters.js';
import type { BenchDatabase } from './postgres-database.js';
import { READER_SESSION } from '../src/store/postgres/postgres-reader.js';

const BUDGET_MS = 3000;

export interface PostgresQueryTiming {
  name: string;
  question: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  rows: number;
  /** True when the plan has a sequential scan of the events table (directly or through the audit_trail view). */
  seqScanOfEvents: boolean;
  plan: string[];
}

export interface PostgresQueryReport {
  queries: PostgresQueryTiming[];
  parameters: Record<string, string>;
}

export async function timePostgresQueries(db: BenchDatabase, schema: string, runs: number): Promise<PostgresQueryReport> {
  // What autovacuum does after a bulk load (inserted rows past its threshold), done now rather
  // than whenever it comes round: statistics for the planner, the visibility map for index-only scans.
  await db.withClient(schema, (client) => client.query('VACUUM (ANALYZE) events'));
  return db.withClient(schema, async (client) => {
    await client.query('SET default_transaction_read_only = on');
    for (const [name, value] of Object.entries(READER_SESSION)) await client.query(`SET ${name} = '${value}'`);
    const parameters = await chooseParameters(client);
    const queries: PostgresQueryTiming[] = [];
    for (const query of COOKBOOK) queries.push(await timeOne(client, query.name, query.question, cookbookSql(query, 'postgres'), entryParameters(query, parameters), runs));
    return { queries, parameters };
  });
}

async function chooseParameters(client: pg.Client): Promise<Record<string, string>> {
  const first = async <T extends pg.QueryResultRow>(sql: string): Promise<T | undefined> => (await client.query<T>(sql)).rows[0];
  return benchParameters({
    user: await first<{ id: string; email: string }>(PARAMETER_SQL.user),
    environment: (await first<{ environment_id: string }>(PARAMETER_SQL.environment))?.environment_id,
    newest: (await first<{ newest: string | null }>(PARAMETER_SQL.newest))?.newest,
    space: (await first<{ space_id: string }>(PARAMETER_SQL.space))?.space_id,
  });
}

async function timeOne(client: pg.Client, name: string, question: string, sql: string, used: Record<string, string>, runs: number): Promise<PostgresQueryTiming> {
  const { text, values } = toPositional(sql, used);
  const explained = (await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows[0]?.['QUERY PLAN'];
  const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values)).rows.map((r) => r['QUERY PLAN']);
  // A named prepared statement, as a BI tool's driver keeps one: parsed and planned once.
  const statement = { name: `cookbook_${name.replace(/\W/g, '_')}`, text, values };
  let rows = (await client.query(statement)).rowCount ?? 0; // warm-up: reads the pages into shared buffers
  const samples: number[] = [];
  const budgetEnds = performance.now() + BUDGET_MS;
  // Slow queries stop after three runs once their time budget is spent.
  for (let i = 0; i < runs && (i < 3 || performance.now() < budgetEnds); i++) {
    const started = performance.now();
    rows = (await client.query(statement)).rowCount ?? 0;
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    name,
    question,
    medianMs: round(samples[Math.floor(samples.length / 2)] ?? Number.NaN),
    minMs: round(samples[0] ?? Number.NaN),
    maxMs: round(samples.at(-1) ?? Number.NaN),
    runs: samples.length,
    rows,
    seqScanOfEvents: seqScansEvents(explained),
    plan,
  };
}

/** Whether a plan (EXPLAIN's JSON) has a `Seq Scan` node on the events table anywhere in it. */
export function seqScansEvents(plan: unknown): boolean {
  if (Array.isArray(plan)) return plan.some(seqScansEvents);
  if (plan === null || typeof plan !== 'object') return false;
  const node = plan as Record<string, unknown>;
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'events') return true;
  return Object.values(node).some((value) => typeof value === 'object' && seqScansEvents(value));
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
