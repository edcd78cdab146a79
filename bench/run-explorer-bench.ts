/**
 * The explorer benchmark on each store asked for: a synthetic trail written through the store, then
 * every page of PAGE_CASES timed over HTTP (explorer-pages.ts). SQLite in a temporary file, PostgreSQL
 * in a database of its own on `postgresUrl` (fa_bench_*), both removed afterwards. The load average
 * is read before and after each store's timing, since other work on the machine moves the figures.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreSettings } from '../src/store/open-store.js';
import { openStore } from '../src/store/open-store.js';
import { measureExplorerPages, PAGE_CASES, type PageTiming } from './explorer-pages.js';
import { createBenchDatabase, openBenchDatabase } from './postgres-database.js';
import { fillStore } from './synthetic-trail.js';

export interface ExplorerBenchOptions {
  events: number;
  environments: number;
  /** Timed requests per page, after one warm-up. */
  runs: number;
  stores: ReadonlyArray<'sqlite' | 'postgres'>;
  postgresUrl: string;
  /** Only the pages whose name matches (all when absent). */
  pages?: RegExp;
  /**
   * Keep the trail between runs: a SQLite file (written when it does not exist, reused when it does)
   * and a PostgreSQL database name (likewise). Neither is removed at the end.
   */
  keepSqlite?: string;
  keepPostgres?: string;
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
  const onStore = async (store: 'sqlite' | 'postgres', settings: StoreSettings, fresh: boolean): Promise<ExplorerStoreResult> => {
    const started = performance.now();
    if (fresh) await fillStore(settings, { events: options.events, environments: options.environments, days: 90, end: END });
    else await (await openStore(settings)).close(); // migrated to this code's schema, as a sync would
    const fillS = Math.round((performance.now() - started) / 100) / 10;
    say(`explorer on ${store}: ${fresh ? `${options.events} events written` : 'kept trail opened'} in ${fillS} s; timing pages (${options.runs} runs each)`);
    const loadBefore = loadAverage();
    const cases = options.pages === undefined ? undefined : PAGE_CASES.filter((c) => options.pages!.test(c.page));
    const pages = await measureExplorerPages(settings, { runs: options.runs, end: END, cases });
    const loadAfter = loadAverage();
    for (const p of pages) {
      say(`  ${p.page.padEnd(38)} median ${String(p.medianMs).padStart(7)} ms   p95 ${String(p.p95Ms).padStart(7)} ms   rows ${p.rows}${p.medianMs >= EXPLORER_TARGET_MS ? '   (over target)' : ''}`);
    }
    say(`  load average ${loadBefore.join(' ')} before, ${loadAfter.join(' ')} after`);
    return { store, fillS, loadBefore, loadAfter, pages };
  };
  const results: ExplorerStoreResult[] = [];
  if (options.stores.includes('sqlite') && options.keepSqlite !== undefined) {
    results.push(await onStore('sqlite', { dbPath: options.keepSqlite }, !existsSync(options.keepSqlite)));
  } else if (options.stores.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-bench-explorer-'));
    try {
      results.push(await onStore('sqlite', { dbPath: join(dir, 'audit.db') }, true));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (options.stores.includes('postgres') && options.keepPostgres !== undefined) {
    const { database, created } = await openBenchDatabase(options.postgresUrl, options.keepPostgres);
    results.push(await onStore('postgres', { dbPath: '/nonexistent/unused.db', postgres: database.settings('explorer') }, created));
  } else if (options.stores.includes('postgres')) {
    const database = await createBenchDatabase(options.postgresUrl);
    try {
      results.push(await onStore('postgres', { dbPath: '/nonexistent/unused.db', postgres: database.settings('explorer') }, true));
    } finally {
      await database.drop();
    }
  }
  return { events: options.events, environments: options.environments, runs: options.runs, targetMs: EXPLORER_TARGET_MS, results };
}
