/** The alerting gauges read the store's sync state, which every store answers asynchronously, at each scrape. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuditMetrics } from '../../src/ops/metrics.js';
import { openStore, openSyncState } from '../../src/store/open-store.js';
import { metricValue } from '../helpers/ops.js';
import { tempDbPath } from '../helpers/temp.js';

describe('alerting gauges', () => {
  it('a first scrape shows both from the store, the failing gauge included, though nothing was observed in memory', async () => {
    const settings = { dbPath: tempDbPath() };
    const store = await openStore(settings);
    onTestFinished(() => store.close());
    const at = '2026-11-01T00:00:00.000Z';
    await store.writePages([
      { environmentId: 'us_env_a', events: [], rejected: [], cursor: { kind: 'complete', highWater: null, completedAt: at } },
      { environmentId: 'us_env_b', events: [], rejected: [], cursor: { kind: 'complete', highWater: null, completedAt: at } },
    ]);
    await store.recordEnvironmentError('us_env_b', 'HTTP 503 from /events', at);
    const syncState = await openSyncState(settings);
    onTestFinished(() => syncState.close());
    // The queue is not what this is about: no jobs.
    const metrics = new AuditMetrics(store, { getJobCounts: async () => ({}) }, syncState);
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'flatfile_audit_last_success_timestamp_seconds', { environment: 'us_env_a' })).toBe(Date.parse(at) / 1000);
    expect(metricValue(text, 'flatfile_audit_environment_failing', { environment: 'us_env_a' })).toBe(0);
    expect(metricValue(text, 'flatfile_audit_environment_failing', { environment: 'us_env_b' })).toBe(1);
  });
});
