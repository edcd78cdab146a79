/**
 * Case: forwarding to a receiver that fails (5xx), rate limits (429 with Retry-After), stalls (never
 * answers: the forwarder times out) and restarts (closed, then opened again on the same port) while
 * a worker syncs and forwards. Nothing is lost (every stored event id reaches the receiver at least
 * once), the forwarder's position never passes an event the receiver had not acknowledged, and the
 * sync finishes meanwhile, the receiver down.
 */
import { describe, expect, it } from 'vitest';
import { receiver } from '../helpers/receiver.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';
import { exactTally, tally, withReader } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';

printSummaryAfterAll();

const ids = (bodies: string[]) => new Set(bodies.flatMap((b) => b.split('\n').filter(Boolean).map((l) => String((JSON.parse(l) as { event_id: string }).event_id))));

describe('forwarding to a receiver that fails, stalls and restarts', () => {
  it('nothing lost, the position never ahead of what was acknowledged, the sync done meanwhile', async () => {
    const record = faultCase('forward: receiver 5xx, 429, stall, restart during a sync');
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 300 }, faults: { latencyMs: 20 } });
    const r = await receiver();
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const worker = await workerProcess(
      workerEnv({
        apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix,
        extra: {
          AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20',
          AUDIT_FORWARD_URL: r.url, AUDIT_FORWARD_BATCH: '40', AUDIT_FORWARD_TIMEOUT: '1s',
          AUDIT_FORWARD_INTERVAL: '2s', AUDIT_FORWARD_MAX_BACKOFF: '2s',
        },
      }),
    );
    r.script.push({ status: 500 }, { status: 502 }, { status: 429, headers: { 'retry-after': '1' } }, 'stall', { status: 503, headers: { 'retry-after': '1' } }, 'stall');

    // Every moment the position was read: all it covers must have been acknowledged by then.
    const violations: string[] = [];
    let sampling = true;
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        const position = withReader(dbPath, (db) => {
          try {
            return (db.prepare('SELECT position FROM forward_positions').pluck().get() as string | undefined) ?? '0';
          } catch {
            return '0'; // not migrated yet
          }
        });
        const at = Date.now();
        const covered = withReader(dbPath, (db) => db.prepare('SELECT id FROM events WHERE rowid <= ?').pluck().all(Number(position)) as string[]);
        const acknowledged = ids(r.acknowledgedBy(at));
        const missing = covered.filter((id) => !acknowledged.has(id));
        if (missing.length > 0) violations.push(`position ${position} covers ${missing.length} unacknowledged event(s), e.g. ${missing[0]}`);
        samples += 1;
        await sleep(100);
      }
    })();

    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    const sync = triggerAccountSync(queue, events, 240_000);
    record.runs += 1;
    await waitFor('some events forwarded', () => ids(r.acknowledged).size >= 100, 120_000);
    await r.stop(); // the receiver goes away while the sync still runs
    const stoppedAt = ids(r.acknowledged).size;
    await sync;
    const atSyncEnd = ids(r.acknowledged).size;
    await sleep(3000); // the forwarder meets a closed port meanwhile
    await r.start(); // the same port
    await waitFor('every stored event at the receiver', () => ids(r.acknowledged).size >= sim.eventCount(), 180_000);
    sampling = false;
    await sampler;

    const stored = withReader(dbPath, (db) => db.prepare('SELECT id FROM events').pluck().all() as string[]);
    const received = ids(r.acknowledged);
    record.tally = tally(dbPath, sim);
    const sent = r.acknowledged.reduce((n, b) => n + b.split('\n').filter(Boolean).length, 0);
    const failures = r.requests.filter((q) => q.status === undefined || q.status >= 300).length;
    record.note = `all ${stored.length} events received (${sent - received.size} twice), ${failures} failed or stalled POSTs, receiver down from ${stoppedAt} to ${atSyncEnd} received while the sync finished; position never ahead (${samples} samples)`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
    expect(stored.filter((id) => !received.has(id))).toEqual([]);
    expect(violations).toEqual([]);
    expect(atSyncEnd).toBeLessThan(sim.eventCount()); // the sync did not wait for the receiver
    expect(r.requests.some((q) => q.status === undefined)).toBe(true); // stalls happened
    expect(worker.child.exitCode).toBeNull();
  });
});
