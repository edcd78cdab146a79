/**
 * Reconciliation (src/sync/reconcile-environment.ts) in-process against the simulator over HTTP, on a
 * real SQLite file and a real PostgreSQL schema: an event that shows up upstream with a createdAt
 * older than the cursor less the lookback, after the incremental runs passed that time, is missed by
 * them; a reconcile stores it once, reports it as drift with its lateness and the lookback that would
 * have caught it, a second reconcile finds nothing, the chains verify and the forward cursor is as it was.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { lookbackSetting } from '../../src/duration.js';
import { connectFlatfile } from '../../src/flatfile/connect.js';
import { createLogger } from '../../src/log.js';
import { openReader, openStore, type StoreSettings } from '../../src/store/open-store.js';
import { reconcileAccount } from '../../src/sync/reconcile-account.js';
import { syncAccount } from '../../src/sync/sync-account.js';
import { syncOptionsFrom } from '../../src/sync/sync-options.js';
import { runVerify, verifyOk } from '../../src/cli/verify.js';
import { freshSchema, testDatabase } from '../helpers/postgres.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { LogSink } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const db = testDatabase();
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

const stores: Array<[string, () => Record<string, string>]> = [
  ['SQLite', () => ({ AUDIT_DB: tempDbPath() })],
  ['PostgreSQL', () => ({ AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: freshSchema() })],
];

describe.each(stores)('reconcile on %s', (_name, storeEnv) => {
  it('stores the event the incremental sync missed exactly once, reports its drift, then none; the chain verifies and the cursor stays', { timeout: 180_000 }, async () => {
    const { url, sim } = await simulator({ now: new Date(), historyDays: 10, account: { environments: 2, eventsPerEnvironment: 60 } });
    const [first, second] = sim.environments().map((e) => e.id) as [string, string];
    const config = loadConfig({ FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_PAGE_SIZE: '20', AUDIT_REQUEST_TIMEOUT: '5s', ...storeEnv() });
    const logs = new LogSink();
    const log = createLogger({ level: 'info', destination: logs });
    const store = await openStore(config);
    try {
      const incremental = async () => syncAccount({ http: await connectFlatfile(config, log), store, log }, syncOptionsFrom(config), 'test');
      const reconcile = async () => reconcileAccount(
        { http: await connectFlatfile(config, log), store, log, clock: () => new Date(), signal: new AbortController().signal },
        { ...syncOptionsFrom(config), windowMs: WEEK, trigger: 'test' },
      );
      await incremental();
      const highWater = (await store.readCursor(first))!.highWater!;
      // Visible upstream only now, created three hours before the newest event read: the lookback is 15 minutes.
      const lateAt = new Date(Date.parse(highWater) - 3 * HOUR).toISOString();
      const [late] = sim.addEvents(first, 1, { createdAt: lateAt }).map((e) => e.id);
      const missed = await incremental();
      expect(missed.environments.find((e) => e.environmentId === first)).toMatchObject({ status: 'ok', newEvents: 0 });
      expect(await storedIds(config, first)).not.toContain(late);
      // Two events of now: the next incremental run would read them; stored by the reconcile, they are new, not late.
      sim.addEvents(first, 2);
      const cursors = await store.listCursors();

      const reports = await reconcile();
      const drift = reports.find((r) => r.environmentId === first);
      expect(drift).toMatchObject({ status: 'ok', drift: { lateEvents: 1, newEvents: 3, oldestLateCreatedAt: lateAt, neededLookbackMs: 3 * HOUR, highWater, lookbackMs: 15 * 60_000 } });
      const found = drift!.status === 'ok' ? drift!.drift : undefined;
      expect(found!.maxLateMs).toBeGreaterThanOrEqual(3 * HOUR);
      expect(found!.medianLateMs).toBe(found!.maxLateMs);
      expect(lookbackSetting(found!.neededLookbackMs!)).toBe('3h');
      expect(reports.find((r) => r.environmentId === second)).toMatchObject({ status: 'ok', drift: { lateEvents: 0, newEvents: 0 } });
      expect(logs.text).toContain('AUDIT_LOOKBACK=3h would have caught them');
      expect(await store.listCursors()).toEqual(cursors);
      expect(await storedIds(config)).toEqual(sim.eventIds());

      const again = await reconcile();
      expect(again.map((r) => (r.status === 'ok' ? [r.drift.lateEvents, r.drift.newEvents] : r.status))).toEqual([[0, 0], [0, 0]]);
      expect(await store.listCursors()).toEqual(cursors);
      expect((await store.status({ futureDatedAfter: '2100-01-01T00:00:00.000Z' })).reconcile.map((d) => [d.environmentId, d.lateEvents]).sort()).toEqual([[first, 0], [second, 0]].sort());
      expect(verifyOk(await runVerify(config))).toBe(true);
      // The next incremental run goes on from its own cursor, finding nothing new to store.
      expect((await incremental()).environments.map((e) => e.newEvents)).toEqual([0, 0]);
    } finally {
      await store.close();
    }
  });
});

async function storedIds(settings: StoreSettings, environmentId?: string): Promise<string[]> {
  const reader = await openReader(settings);
  try {
    const cursor = await reader.openQuery(
      environmentId === undefined ? 'SELECT id FROM events ORDER BY id' : 'SELECT id FROM events WHERE environment_id = :env ORDER BY id',
      environmentId === undefined ? {} : { env: environmentId },
    );
    const ids: string[] = [];
    for (let rows = await cursor.read(500); rows.length > 0; rows = await cursor.read(500)) ids.push(...rows.map((r) => String(r.id)));
    await cursor.close();
    return ids;
  } finally {
    await reader.close();
  }
}
