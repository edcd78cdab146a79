/**
 * `npm run bench:explorer -- [--events 1000000] [--environments 8] [--runs 21] [--store sqlite|postgres|both]`:
 * the explorer's server time per page over a synthetic trail, on SQLite and on PostgreSQL (a
 * database of its own on 127.0.0.1:5432, or BENCH_POSTGRES_ADMIN_URL, dropped afterwards).
 * Figures go to BENCHMARKS.md by hand, with the machine and its load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StoreSettings } from '../src/store/open-store.js';
import { fillStore, measureExplorerPages, type PageTiming } from './explorer-pages.js';
import { describeMachine } from './machine.js';
import { createBenchDatabase } from './postgres-database.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    environments: { type: 'string', default: '8' },
    runs: { type: 'string', default: '21' },
    store: { type: 'string', default: 'both' },
    out: { type: 'string', default: 'bench/results/explorer-latest.json' },
  },
});
const events = Number(values.events);
const environments = Number(values.environments);
const runs = Number(values.runs);
const end = new Date('2026-11-30T00:00:00.000Z');
const adminUrl = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function onStore(name: string, settings: StoreSettings): Promise<{ store: string; fillS: number; pages: PageTiming[] }> {
  const started = performance.now();
  await fillStore(settings, { events, environments, days: 90, end });
  const fillS = Math.round((performance.now() - started) / 100) / 10;
  console.error(`${name}: ${events} events written in ${fillS} s; timing pages (${runs} runs each)`);
  const pages = await measureExplorerPages(settings, { runs, end });
  console.error(pages.map((p) => `  ${p.page.padEnd(26)} median ${String(p.medianMs).padStart(7)} ms   p95 ${String(p.p95Ms).padStart(7)} ms   rows ${p.rows}`).join('\n'));
  return { store: name, fillS, pages };
}

const results = [];
if (values.store === 'sqlite' || values.store === 'both') {
  const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-bench-explorer-'));
  try {
    results.push(await onStore('sqlite', { dbPath: join(dir, 'audit.db') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (values.store === 'postgres' || values.store === 'both') {
  const database = await createBenchDatabase(adminUrl);
  try {
    results.push(await onStore('postgres', { dbPath: '/nonexistent/unused.db', postgres: database.settings('explorer') }));
  } finally {
    await database.drop();
  }
}
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), machine: describeMachine(), events, environments, runs, results }, null, 2)}\n`);
console.error(`written ${values.out}`);
