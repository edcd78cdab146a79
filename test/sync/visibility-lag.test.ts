/**
 * Visibility lag (rule 16 of src/store/audit-store.ts, src/store/visibility-lag.ts) end to end: the
 * simulator over HTTP with its clock moved forward instead of waiting, a real SQLite file, the real
 * CLI's `status`, the metrics registry and the run's log. Lags are chosen in the middle of their
 * buckets (visibility-lag.ts: eighths of a doubling), so the time a run takes on a loaded machine
 * (tens of seconds at most) cannot move them into another: the figures are exact.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuditMetrics } from '../../src/ops/metrics.js';
import { openStore, openSyncState } from '../../src/store/open-store.js';
import { lagWindowStart } from '../../src/store/visibility-lag.js';
import { runCli } from '../helpers/cli.js';
import { metricValue } from '../helpers/ops.js';
import { simulator } from '../helpers/simulator.js';
import { LogSink, readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const SECOND = 1000;
/** Bucket (939 s, 1024 s]: a lag of about 980 s reads as 1024 s. */
const FAST = 980 * SECOND;
/** Bucket (4096 s, 4467 s]: a lag of about 4280 s reads as 4467 s. */
const SLOW = 4280 * SECOND;

/** A synced environment (its backfill done), then 9 records:updated events seen FAST after their createdAt and 1 space:archived seen SLOW after. */
async function laggedAccount(env: Record<string, string>, logs?: LogSink) {
  const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 60 }, now: new Date() });
  const environmentId = sim.environments()[0]!.id;
  const dbPath = tempDbPath();
  const backfill = await runSync({ url, dbPath, env });
  expect(backfill.environments[0]).toMatchObject({ status: 'ok', newEvents: 60 });
  const start = sim.clock().getTime();
  sim.addEvents(environmentId, 1, { createdAt: new Date(start).toISOString(), topic: 'space:archived' });
  sim.addEvents(environmentId, 9, { createdAt: new Date(start + SLOW - FAST).toISOString(), topic: 'records:updated' });
  sim.advanceClock(SLOW);
  const incremental = await runSync({ url, dbPath, env, ...(logs ? { logs } : {}) });
  expect(incremental.environments[0]).toMatchObject({ status: 'ok', newEvents: 10 });
  return { environmentId, dbPath, sim };
}

describe('visibility lag', { timeout: 180_000 }, () => {
  it('counts what an incremental run first read, at its lag on the API server\'s clock, and nothing of the backfill', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 60 }, now: new Date() });
    const environmentId = sim.environments()[0]!.id;
    const dbPath = tempDbPath();
    await runSync({ url, dbPath });
    // The backfill read 60 events, all long visible: none is counted.
    expect(readDb(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM visibility_lag').pluck().get())).toBe(0);

    const start = sim.clock().getTime();
    sim.addEvents(environmentId, 1, { createdAt: new Date(start).toISOString(), topic: 'space:archived' });
    sim.addEvents(environmentId, 9, { createdAt: new Date(start + SLOW - FAST).toISOString(), topic: 'records:updated' });
    sim.advanceClock(SLOW);
    await runSync({ url, dbPath, env: { AUDIT_LOOKBACK: '3h' } });
    // A run that finds nothing new counts nothing again.
    await runSync({ url, dbPath, env: { AUDIT_LOOKBACK: '3h' } });

    const store = await openStore({ dbPath });
    onTestFinished(() => store.close());
    const lags = await store.visibilityLag(lagWindowStart(Date.now()));
    expect(lags).toEqual([
      { environmentId, topic: null, events: 10, p50Ms: 1_024_000, p99Ms: 4_466_720 },
      { environmentId, topic: 'records:updated', events: 9, p50Ms: 1_024_000, p99Ms: 1_024_000 },
      { environmentId, topic: 'space:archived', events: 1, p50Ms: 4_466_720, p99Ms: 4_466_720 },
    ]);
  });

  it('status prints p50 and p99 per environment and topic, and warns once p99 reaches half of AUDIT_LOOKBACK', async () => {
    const { environmentId, dbPath } = await laggedAccount({ AUDIT_LOOKBACK: '3h' });
    // p99 4467 s: under half of 3 h (5400 s), at least half of 2 h (3600 s).
    const calm = await runCli(['status', '--no-queue'], { AUDIT_DB: dbPath, AUDIT_LOOKBACK: '3h' });
    expect(calm.code).toBe(0);
    expect(calm.stdout).toContain(`(${environmentId}): p50 1024s, p99 4467s over 10 event(s)\n`);
    expect(calm.stdout).toContain('    records:updated: p50 1024s, p99 1024s over 9 event(s)\n');
    expect(calm.stdout).toContain('    space:archived: p50 4467s, p99 4467s over 1 event(s)\n');
    expect(calm.stdout).not.toContain('warning: visibility lag');
    const warned = await runCli(['status', '--no-queue'], { AUDIT_DB: dbPath, AUDIT_LOOKBACK: '2h' });
    expect(warned.stdout).toContain(`warning: visibility lag of ${environmentId}: p99 4467s is 62% of AUDIT_LOOKBACK (7200s)`);
    const json = JSON.parse((await runCli(['status', '--json', '--no-queue'], { AUDIT_DB: dbPath })).stdout) as { visibilityLag: unknown[] };
    expect(json.visibilityLag).toContainEqual({ environmentId, topic: null, events: 10, p50Ms: 1_024_000, p99Ms: 4_466_720 });
  });

  it('metrics export the quantiles per environment and topic, and the warning gauge the alert reads', async () => {
    const { environmentId, dbPath } = await laggedAccount({ AUDIT_LOOKBACK: '3h' });
    const store = await openStore({ dbPath });
    onTestFinished(() => store.close());
    const syncState = await openSyncState({ dbPath });
    onTestFinished(() => syncState.close());
    const metrics = new AuditMetrics(store, { getJobCounts: async () => ({}) }, syncState);
    metrics.observeLookback(3 * 3600 * SECOND);
    let text = await metrics.registry.metrics();
    expect(metricValue(text, 'flatfile_audit_visibility_lag_seconds', { environment: environmentId, quantile: '0.5' })).toBe(1024);
    expect(metricValue(text, 'flatfile_audit_visibility_lag_seconds', { environment: environmentId, quantile: '0.99' })).toBe(4466.72);
    expect(metricValue(text, 'flatfile_audit_visibility_lag_topic_seconds', { environment: environmentId, topic: 'space:archived', quantile: '0.99' })).toBe(4466.72);
    expect(metricValue(text, 'flatfile_audit_visibility_lag_events', { environment: environmentId })).toBe(10);
    expect(metricValue(text, 'flatfile_audit_visibility_lag_warning', { environment: environmentId })).toBe(0);
    metrics.observeLookback(2 * 3600 * SECOND);
    text = await metrics.registry.metrics();
    expect(metricValue(text, 'flatfile_audit_visibility_lag_warning', { environment: environmentId })).toBe(1);
  });

  it('the run that finds p99 at half of AUDIT_LOOKBACK or more logs a warning', async () => {
    const logs = new LogSink();
    const { environmentId } = await laggedAccount({ AUDIT_LOOKBACK: '2h' }, logs);
    const warnings = logs.lines.map((line) => JSON.parse(line) as { level: string; msg: string; envId?: string; p99Ms?: number }).filter((l) => l.msg.startsWith('warning: visibility lag'));
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', envId: environmentId, p99Ms: 4_466_720 })]);
  });
});
