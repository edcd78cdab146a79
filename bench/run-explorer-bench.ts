/**
 * The explorer benchmark on each store asked for: a synthetic trail written through the store, then
 * every page of PAGE_CASES timed over HTTP (explorer-pages.ts). SQLite in a temporary file, PostgreSQL
 * in a database of its own on `postgresUrl` (fa_bench_*), both removed afterwards. The load average
 * is read before and after each store's timing, since other work on the machine moves the figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreSettings } from '../src/store/open-store.js';
import { measureExplorerPages, type PageTiming } from './explorer-pages.js';
import { createBenchDatabase } from './postgres-database.js';
import { fillStore } from './synthetic-trail.js';

export interface ExplorerBenchOptions {
  events: number;
  environments: number;
  /** Timed requests per page, after one warm-up. */
  runs: number;
  stores: ReadonlyArray<'sqlite' | 'postgres'>;
  postgresUrl: string;
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
  const onStore = async (store: 'sqlite' | 'postgres', settings: StoreSettings): Promise<ExplorerStoreResult> => {
    const started = performance.now();
    await fillStore(settings, { events: options.events, environments: options.environments, days: 90, end: END });
    const fillS = Math.round((performance.now() - started) / 100) / 10;
    say(`explorer on ${store}: ${options.events} events written in ${fillS} s; timing pages (${options.runs} runs each)`);
    const loadBefore = loadAverage();
    const pages = await measureExplorerPages(settings, { runs: options.runs, end: END });
    const loadAfter = loadAverage();
    for (const p of pages) {
      say(`  ${p.page.padEnd(38)} median ${String(p.medianMs).padStart(7)} ms   p95 ${String(p.p95Ms).padStart(7)} ms   rows ${p.rows}${p.medianMs >= EXPLORER_TARGET_MS ? '   (over target)' : ''}`);
    }
    say(`  load average ${loadBefore.join(' ')} before, ${loadAfter.join(' ')} after`);
    return { store, fillS, loadBefore, loadAfter, pages };
  };
  const results: ExplorerStoreResult[] = [];
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
