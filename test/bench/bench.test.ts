/**
 * The bench harness must not rot: its quick mode, at tiny sizes, runs every phase end to end and
 * writes every figure the issue names, with the data exact everywhere, on SQLite and on PostgreSQL
 * (real worker processes on Redis included). Times are not asserted.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/results.js';
import type { PostgresBenchResult } from '../../bench/run-postgres-bench.js';
import { PG_HOST, PG_PORT } from '../helpers/postgres.js';
import { COOKBOOK } from '../../src/cookbook.js';
import { tempDir } from '../helpers/temp.js';

const MAIN = fileURLToPath(new URL('../../dist/bench/main.js', import.meta.url));

const FIGURES = {
  machine: ['cpus', 'cpuModel', 'node'],
  backfill: ['events', 'environments', 'pages', 'concurrency', 'latencyMs', 'wallS', 'networkBoundS', 'rawWriteS', 'ratioToBound', 'eventsPerS', 'exact'],
  naive: ['events', 'wallS', 'eventsPerS', 'exact'],
  writePath: ['storeEventsPerS', 'rawEventsPerS', 'ratio'],
  memory: ['peakRssMb200k', 'peakRssMb1m'],
  incremental: ['newEvents', 'requests200k', 'requests1m', 'wallS200k', 'wallS1m'],
  faults: ['wallS', 'cleanWallS', 'exact'],
} as const;

describe('npm run bench -- --quick', () => {
  it('writes every figure, with the stored events exact everywhere', async () => {
    const outDir = tempDir();
    const args = ['--quick', '--stores', 'sqlite', '--environments', '2', '--events', '600', '--big-events', '1200', '--query-runs', '3', '--retry-after', '0', '--name', 'smoke', '--out-dir', outDir];
    await promisify(execFile)(process.execPath, [MAIN, ...args], { timeout: 290_000 });
    const result = JSON.parse(readFileSync(join(outDir, 'smoke.json'), 'utf8')) as BenchResult;
    const sections = result as unknown as Record<string, Record<string, unknown> | undefined>;

    for (const [section, names] of Object.entries(FIGURES)) {
      for (const name of names) {
        const value = sections[section]?.[name];
        if (name === 'exact') expect(value, `${section}.${name}`).toBe(true);
        else if (name === 'cpuModel' || name === 'node') expect(typeof value, `${section}.${name}`).toBe('string');
        else expect(Number.isFinite(value), `${section}.${name} = ${String(value)}`).toBe(true);
      }
    }
    expect(Number.isFinite(result.speedupVsNaive)).toBe(true);
    expect(result.backfill.events).toBe(600);
    expect(result.naive.events).toBe(600);
    expect(result.backfill1m).toMatchObject({ events: 1200, exact: true });
    expect(result.incremental).toMatchObject({ newEvents: 100, stored200k: 100, stored1m: 100, exact: true });

    expect(result.queries.map((q) => q.name)).toEqual(['actor-time-range', 'topics-last-day', 'environment-latest', 'by-actor']);
    for (const query of result.queries) {
      expect(Number.isFinite(query.medianMs), query.name).toBe(true);
      expect(query.fullScan, `${query.name}: ${JSON.stringify(query.plan)}`).toBe(false);
    }
    expect(readFileSync(join(outDir, 'smoke.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  }, 300_000);

  it('measures PostgreSQL in a database of its own, dropped afterwards, with every store exact and every plan checked', async () => {
    const outDir = tempDir();
    const args = ['--quick', '--stores', 'postgres', '--environments', '2', '--events', '400', '--big-events', '800', '--query-runs', '2'];
    args.push('--latency', '0', '--scale-environments', '3', '--scale-events', '60', '--scale-latency', '0', '--scale-workers', '2', '--name', 'pg', '--out-dir', outDir);
    const { stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args], {
      timeout: 590_000,
      env: { ...process.env, BENCH_POSTGRES_URL: `postgres://postgres@${PG_HOST}:${PG_PORT}/postgres` },
    });
    const result = JSON.parse(readFileSync(join(outDir, 'pg.json'), 'utf8')) as { postgres: PostgresBenchResult };
    const r = result.postgres;

    expect(r.backfill).toMatchObject({ events: 400, exact: true });
    expect(r.backfill.exactness.map((e) => [e.stored, e.chainRows, e.chainOk])).toEqual([[400, 400, true]]);
    for (const name of ['wallS', 'measuredNetworkS', 'copyS', 'ratioToMeasuredBound', 'ratioToComputedBound', 'peakRssMb'] as const) {
      expect(Number.isFinite(r.backfill[name]), `backfill.${name}`).toBe(true);
    }
    expect(r.memory?.exact).toBe(true);
    expect(r.memory?.workerPeakRssMb200k).toBeGreaterThan(10);
    expect(r.memory?.workerPeakRssMb1m).toBeGreaterThan(10);
    expect(r.scaleOut).toMatchObject({ environments: 3, eventsPerEnvironment: 20, workers: 2, jobsPerWorker: 1, exact: true });
    expect(Number.isFinite(r.scaleOut.speedup)).toBe(true);

    expect(r.queries.map((q) => q.name)).toEqual(COOKBOOK.map((q) => q.name));
    for (const query of r.queries) {
      expect(Number.isFinite(query.medianMs), query.name).toBe(true);
      expect(typeof query.seqScanOfEvents, query.name).toBe('boolean');
      expect(query.plan.length, query.name).toBeGreaterThan(0);
    }

    // The database the run named is gone.
    const name = /postgres: database (fa_bench_[0-9a-f]+)/.exec(stderr)?.[1];
    expect(name).toBeDefined();
    const admin = new pg.Client({ host: PG_HOST, port: PG_PORT, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      expect((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  }, 600_000);
});
