/**
 * The explorer benchmark on each store asked for: a synthetic trail written through the store, then
 * every page of PAGE_CASES timed over HTTP (explorer-pages.ts). SQLite in a temporary file, PostgreSQL
 * in a database of its own on `postgresUrl` (fa_bench_*), both removed afterwards. The load average
 * is read before and after each store's timing, since other work on the machine moves the figures.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type StoreSettings } from '../src/store/open-store.js';
import pg from 'pg';
import { measureExplorerPages, PAGE_CASES, type PageTiming } from './explorer-pages.js';
import { createBenchDatabase } from './postgres-database.js';
import { fillStore } from './synthetic-trail.js';

export interface ExplorerBenchOptions {
  events: number;
  environments: number;
  /** Timed requests per page, after one warm-up. */
  runs: number;
  stores: ReadonlyArray<'sqlite' | 'postgres'>;
  postgresUrl: string;
  /**
   * Keep the trail between runs (to time pages again after a change without writing 1M events anew):
   * SQLite in `<keep>/audit-<events>.db`, PostgreSQL in the database fa_bench_keep_<events>; each is
   * written only when missing and never removed (drop it by hand).
   */
  keep?: string;
  /** Only the pages whose name matches (a regular expression). */
  pages?: RegExp;
}

export interface ExplorerStoreResult {
  store: 'sqlite' | 'postgres';
  fillS: number;
  /** /proc/loadavg (1, 5 and 15 minutes) before and after the pages were timed. */
  loadBefore: number[];
  loadAfter: number[];
  pages: PageTiming[];
}

export interface ExplorerBenchResult {
  events: number;
  environments: number;
  runs: number;
  /** The median every page should stay under (issue 15). */
  targetMs: number;
  results: ExplorerStoreResult[];
}

export const EXPLORER_TARGET_MS = 100;
const END = new Date('2026-11-30T00:00:00.000Z');

function loadAverage(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

export async function runExplorerBench(options: ExplorerBenchOptions, say: (line: string) => void): Promise<ExplorerBenchResult> {
  const cases = options.pages === undefined ? PAGE_CASES : PAGE_CASES.filter((c) => options.pages!.test(c.page));
  const onStore = async (store: 'sqlite' | 'postgres', settings: StoreSettings, kept = false): Promise<ExplorerStoreResult> => {
    const started = performance.now();
    if (!kept) await fillStore(settings, { events: options.events, environments: options.environments, days: 90, end: END });
    if (!kept && settings.postgres !== undefined) await vacuumAnalyze(settings.postgres.url);
    // A kept trail is brought to this code's schema first (opening the store migrates it).
    else await (await openStore(settings)).close();
    const fillS = kept ? 0 : Math.round((performance.now() - started) / 100) / 10;
    say(`explorer on ${store}: ${options.events} events ${kept ? 'kept from an earlier run' : `written in ${fillS} s`}; timing pages (${options.runs} runs each)`);
    const loadBefore = loadAverage();
    const pages = await measureExplorerPages(settings, { runs: options.runs, end: END, cases });
    const loadAfter = loadAverage();
    for (const p of pages) {
      say(`  ${p.page.padEnd(38)} median ${String(p.medianMs).padStart(7)} ms   p95 ${String(p.p95Ms).padStart(7)} ms   rows ${p.rows}${p.medianMs >= EXPLORER_TARGET_MS ? '   (over target)' : ''}`);
    }
    say(`  load average ${loadBefore.join(' ')} before, ${loadAfter.join(' ')} after`);
    return { store, fillS, loadBefore, loadAfter, pages };
  };
  const results: ExplorerStoreResult[] = [];
  if (options.keep !== undefined) {
    if (options.stores.includes('sqlite')) {
      mkdirSync(options.keep, { recursive: true });
      const dbPath = join(options.keep, `audit-${options.events}-${options.environments}.db`);
      results.push(await onStore('sqlite', { dbPath }, existsSync(dbPath)));
    }
    if (options.stores.includes('postgres')) {
      const { settings, existed } = await keptPostgres(options.postgresUrl, `fa_bench_keep_${options.events}_${options.environments}`);
      results.push(await onStore('postgres', { dbPath: '/nonexistent/unused.db', postgres: settings }, existed));
    }
    return { events: options.events, environments: options.environments, runs: options.runs, targetMs: EXPLORER_TARGET_MS, results };
  }
  if (options.stores.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-bench-explorer-'));
    try {
      results.push(await onStore('sqlite', { dbPath: join(dir, 'audit.db') }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (options.stores.includes('postgres')) {
    const database = await createBenchDatabase(options.postgresUrl);
    try {
      results.push(await onStore('postgres', { dbPath: '/nonexistent/unused.db', postgres: database.settings('explorer') }));
    } finally {
      await database.drop();
    }
  }
  return { events: options.events, environments: options.environments, runs: options.runs, targetMs: EXPLORER_TARGET_MS, results };
}

/** The kept PostgreSQL trail's database, made when missing; `existed` when it holds a trail already. */
async function keptPostgres(adminUrl: string, name: string): Promise<{ settings: NonNullable<StoreSettings['postgres']>; existed: boolean }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let existed: boolean;
  try {
    existed = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (!existed) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { settings: { url: url.href, schema: 'explorer', poolSize: 8, statementTimeoutMs: 600_000 }, existed };
}

/**
 * What autovacuum does after a bulk load (the inserted rows pass its threshold), done now rather than
 * whenever it comes round, as the cookbook bench does (postgres-queries.ts): statistics for the
 * planner and the visibility map for index-only scans. The bench database holds only this trail.
 */
async function vacuumAnalyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}
