/**
 * Scheduled (cron:*) events, which the simulator serves in the shape the SDK gives them (see
 * src/simulator/topics.ts and test/contract/simulator-wire.test.ts): a sync over HTTP stores each,
 * none rejected, and audit_trail shows them as the platform's (no actor, no space).
 */
import { describe, expect, it } from 'vitest';
import { simulator } from '../helpers/simulator.js';
import { readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

describe('scheduled (cron) events', { timeout: 120_000 }, () => {
  it('are stored and shown by audit_trail like any event, with no actor', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 10 } });
    const environmentId = sim.environments()[0]!.id;
    const topics = ['cron:5-minutes', 'cron:hourly', 'cron:daily', 'cron:weekly'];
    const ids = topics.map((topic) => sim.addEvents(environmentId, 1, { topic })[0]!.id);
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath });
    expect(report.environments[0]).toMatchObject({ status: 'ok', rejected: 0 });
    const trail = readDb(dbPath, (db) =>
      db.prepare(`SELECT event_id, topic, domain, actor_id, actor_type, space_id FROM audit_trail WHERE event_id IN (${ids.map(() => '?').join(', ')}) ORDER BY topic`).all(...ids),
    );
    expect(trail).toEqual(
      topics
        .map((topic, i) => ({ event_id: ids[i], topic, domain: 'cron', actor_id: null, actor_type: 'unknown', space_id: null }))
        .sort((a, b) => (a.topic < b.topic ? -1 : 1)),
    );
  });
});
