/**
 * The bench harness must not rot: its quick mode, at tiny sizes, runs every phase end to end and
 * writes every figure the issue names, with the data exact everywhere. Times are not asserted.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/results.js';
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
    const args = ['--quick', '--environments', '2', '--events', '600', '--big-events', '1200', '--query-runs', '3', '--retry-after', '0', '--name', 'smoke', '--out-dir', outDir];
    await promisify(execFile)(process.execPath, [MAIN, ...args], { timeout: 60_000 });
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
  });
});
