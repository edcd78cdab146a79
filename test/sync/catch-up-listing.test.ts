/**
 * The catch-up listing (src/sync/catch-up-listing.ts) in-process against the simulator over HTTP and
 * a real SQLite file: it stores what is missing from `since` on, and an interrupted incremental
 * listing is left exactly as it was, so the next run resumes it where it stopped.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { connectFlatfile } from '../../src/flatfile/connect.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { BatchWriter } from '../../src/sync/batch-writer.js';
import { catchUpEvents } from '../../src/sync/catch-up-listing.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { LogSink, readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

describe('catchUpEvents', { timeout: 120_000 }, () => {
  it('stores the missed events from since on and leaves an interrupted listing and the high-water mark as they were', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 80 } });
    const environmentId = sim.environments()[0]!.id;
    const dbPath = tempDbPath();
    const env = { AUDIT_PAGE_SIZE: '20' };
    await runSync({ url, dbPath, env });
    const store = SqliteStore.open(dbPath);
    try {
      const highWater = (await store.readCursor(environmentId))!.highWater!;
      const lateAt = new Date(Date.parse(highWater) - 3 * 3_600_000).toISOString();
      const late = sim.addEvents(environmentId, 5, { createdAt: lateAt }).map((e) => e.id);
      // An incremental listing stopped at page 3 (as a killed run leaves it).
      const interrupted = { since: new Date(Date.parse(highWater) - 15 * 60_000).toISOString(), pageSize: 20, nextPage: 3, maxCreatedAt: highWater, pageFill: 20, startedAt: new Date().toISOString() };
      await store.writePages([{ environmentId, events: [], rejected: [], cursor: { kind: 'progress', listing: interrupted } }]);
      const before = await store.readCursor(environmentId);

      const config = loadConfig({ FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, ...env });
      const log = createLogger({ level: 'silent', destination: new LogSink() });
      const writer = new BatchWriter(store, 1000);
      const result = await catchUpEvents(
        { http: await connectFlatfile(config, log), writer, clock: () => new Date(), signal: new AbortController().signal, maxClockSkewMs: config.maxClockSkewMs },
        environmentId, new Date(Date.parse(lateAt) - 60_000).toISOString(), 20,
      );
      expect(writer.insertedFor(environmentId)).toBe(5);
      expect(result.served).toBeGreaterThan(5);
      expect(await store.readCursor(environmentId)).toEqual(before);
      expect(readDb(dbPath, (db) => db.prepare('SELECT id FROM events ORDER BY id').all().map((r) => (r as { id: string }).id))).toEqual(sim.eventIds());
      expect(late.every((id) => sim.eventIds().includes(id))).toBe(true);
    } finally {
      await store.close();
    }
    // The next run resumes the interrupted listing at its page, as it would have without the catch-up.
    const next = await runSync({ url, dbPath, env });
    expect(next.environments[0]).toMatchObject({ status: 'ok', resumedAtPage: 3, newEvents: 0 });
  });
});
