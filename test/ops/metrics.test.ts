/** The alerting gauges read the store's sync state, which every store answers asynchronously, at each scrape. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuditMetrics } from '../../src/ops/metrics.js';
import { openReader, openStore, openSyncState } from '../../src/store/open-store.js';
import { countFlags, hygieneCutoffs, readTokenHygiene } from '../../src/token-hygiene.js';
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

  it('counts the personal access tokens per hygiene flag at each scrape, from the store', async () => {
    const settings = { dbPath: tempDbPath() };
    const store = await openStore(settings);
    onTestFinished(() => store.close());
    const syncState = await openSyncState(settings);
    onTestFinished(() => syncState.close());
    const reader = await openReader(settings);
    onTestFinished(() => reader.close());
    const day = 86_400_000;
    const now = Date.now();
    const ago = (d: number) => new Date(now - d * day).toISOString();
    const pat = (id: string, created: number, used: number | null) => ({ id, name: id, createdAt: ago(created), lastUsedAt: used === null ? null : ago(used), raw: '{}' });
    const write = (records: ReturnType<typeof pat>[]) => store.writeInventory({ kind: 'personal_access_tokens', scope: null, records, seenAt: new Date().toISOString() });
    await write([pat('us_pat_old', 200, 100), pat('us_pat_idle', 100, 91), pat('us_pat_unused', 8, null), pat('us_pat_fine', 3, 1)]);
    const settingsNow = { staleAfterMs: 90 * day, maxAgeMs: 180 * day };
    const metrics = new AuditMetrics(store, { getJobCounts: async () => ({}) }, syncState, Date.now, async () => countFlags(await readTokenHygiene(reader, hygieneCutoffs(new Date(), settingsNow))));
    const value = async (flag: string) => metricValue(await metrics.registry.metrics(), 'flatfile_audit_pat_flagged', { flag });
    expect([await value('unused'), await value('never-used'), await value('too-old')]).toEqual([2, 1, 1]);
    // Deleted in Flatfile, gone from the next listing: no longer counted.
    await write([pat('us_pat_fine', 3, 1)]);
    expect([await value('unused'), await value('never-used'), await value('too-old')]).toEqual([0, 0, 0]);
  });
});
