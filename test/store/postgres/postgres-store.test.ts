/** The PostgreSQL store keeps every promise of the SQLite store (test/store/sqlite-store.test.ts), on a real server. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { EventRecord, GuestRecord, UserRecord } from '../../../src/records.js';
import type { PageWrite } from '../../../src/store/audit-store.js';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/open-store.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { LATEST_VERSION } from '../../../src/store/postgres/migrations/index.js';
import { lockKeys } from '../../../src/store/postgres/locks.js';
import { inventoryChangeHash, inventoryRowDigest } from '../../../src/store/chain/inventory-digests.js';
import { openPgStore, pgQuery, testDatabase, walkChains } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/wait.js';

const db = testDatabase();

const ENV = 'us_env_a';
const AT = '2026-11-01T00:00:00.000Z';
const FAR_FUTURE = { futureDatedAfter: '9999-01-01T00:00:00.000Z' };

function event(n: number, actorId: string | null = null, environmentId = ENV): EventRecord {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  return {
    id: `us_evt_${n}`, environmentId, createdAt, topic: 'workbook:updated', domain: 'workbook', actorId,
    spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null,
    raw: JSON.stringify({ id: `us_evt_${n}`, createdAt }),
  };
}

function page(events: EventRecord[], nextPage: number, environmentId = ENV): PageWrite {
  return {
    environmentId, events, rejected: [],
    cursor: { kind: 'progress', listing: { since: null, pageSize: 100, nextPage, maxCreatedAt: events.at(-1)?.createdAt ?? null, pageFill: 100, startedAt: AT } },
  };
}

const complete = (highWater: string | null, completedAt = AT): PageWrite => ({ environmentId: ENV, events: [], rejected: [], cursor: { kind: 'complete', highWater, completedAt } });

function user(id: string, name: string): UserRecord {
  return { id, email: `${name}@example.com`, name, createdAt: AT, lastSeenAt: null, raw: JSON.stringify({ id, name }) };
}

function guest(id: string, spaces: string[]): GuestRecord {
  return { id, environmentId: ENV, email: `${id}@guest.example`, name: id, spaces: spaces.map((spaceId) => ({ spaceId, lastAccessed: null })), raw: '{}' };
}

const ids = async (schema: string) => (await pgQuery<{ id: string }>(db, schema, 'SELECT id FROM events ORDER BY id')).map((r) => r.id);

describe('choosing the store', () => {
  it('AUDIT_DATABASE_URL selects PostgreSQL; without it the SQLite file is used', async () => {
    const store = await openStore(loadConfig({ AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: 'chosen' }));
    try {
      expect(store).toBeInstanceOf(PostgresStore);
      expect((store as PostgresStore).target).toBe(`postgres://postgres@127.0.0.1:5432/${db.name} (schema chosen)`);
    } finally {
      await store.close();
    }
    expect(openStore(loadConfig({ AUDIT_DB: ':memory:' }))).not.toBeInstanceOf(PostgresStore);
  });
});

describe('PostgresStore.writePages', () => {
  it('stores events once however often they are written, and counts only new ones', async () => {
    const { store } = openPgStore(db);
    const first = await store.writePages([page([event(1), event(2)], 2)]);
    const again = await store.writePages([page([event(2), event(3)], 3), page([event(3), event(1)], 4)]);
    expect(first.insertedByEnvironment.get(ENV)).toBe(2);
    expect(again.insertedByEnvironment.get(ENV)).toBe(1);
    expect((await store.status(FAR_FUTURE)).totals.events).toBe(3);
    expect(await walkChains(store)).toMatchObject({ rows: 3, problems: [], environments: { [ENV]: { rows: 3, headSeq: 3 } } });
  });

  it('keeps the columns, with times as timestamptz that read back as the ISO strings written', async () => {
    const { store, schema } = openPgStore(db);
    const e = { ...event(1, 'us_usr_ann'), acknowledgedAt: '2026-10-02T03:04:05.006Z', spaceId: 'us_sp_1' };
    await store.writePages([page([e], 2)]);
    const [row] = await pgQuery(db, schema, `SELECT id, created_at, acknowledged_at, actor_id, space_id, raw, raw_text, pg_typeof(created_at)::text AS type FROM events`);
    expect(row).toEqual({
      id: e.id, created_at: e.createdAt, acknowledged_at: '2026-10-02T03:04:05.006Z', actor_id: 'us_usr_ann', space_id: 'us_sp_1',
      raw: JSON.parse(e.raw), raw_text: e.raw, type: 'timestamp with time zone',
    });
  });

  it('commits events and cursor together: a failing batch leaves neither', async () => {
    const { store, schema } = openPgStore(db);
    await store.writePages([page([event(1)], 2)]);
    const broken = { ...event(3), topic: null as unknown as string }; // violates NOT NULL inside the transaction
    const failure = store.writePages([page([event(2)], 3), page([broken], 4)]);
    await expect(failure).rejects.toThrow(/null value in column "topic".*\(23502\)/);
    await expect(failure).rejects.toThrow(`postgres://postgres@127.0.0.1:5432/${db.name} (schema ${schema})`);
    expect(await ids(schema)).toEqual(['us_evt_1']);
    expect((await store.readCursor(ENV))?.listing?.nextPage).toBe(2);
    expect(await store.chainHead(ENV)).toMatchObject({ seq: 1 });
    expect((await walkChains(store)).problems).toEqual([]);
  });

  it('refuses a write made while an earlier one was pending, once that one fails', async () => {
    const { store, schema } = openPgStore(db);
    await store.ready();
    const broken = { ...event(1), topic: null as unknown as string };
    const first = store.writePages([page([broken], 2)]);
    const behind = store.writePages([page([event(2)], 3)]); // made before the first was answered
    await expect(first).rejects.toThrow(/null value/);
    await expect(behind).rejects.toThrow(/an earlier write of the same environment failed/);
    expect(await ids(schema)).toEqual([]);
    // A write made after the failure was reported is a new start.
    expect((await store.writePages([page([event(3)], 4)])).insertedByEnvironment.get(ENV)).toBe(1);
  });

  it('applies writes in the order they were made', async () => {
    const { store, schema } = openPgStore(db);
    const writes = [1, 2, 3, 4, 5].map((n) => store.writePages([page([event(n)], n + 1)]));
    await Promise.all(writes);
    expect((await store.readCursor(ENV))?.listing?.nextPage).toBe(6);
    const walk = await walkChains(store);
    expect(walk.problems).toEqual([]);
    const bySeq = await pgQuery<{ id: string }>(db, schema, 'SELECT id FROM events ORDER BY chain_seq');
    expect(bySeq.map((r) => r.id)).toEqual(['us_evt_1', 'us_evt_2', 'us_evt_3', 'us_evt_4', 'us_evt_5']);
  });

  it('writes batches of other environments side by side: one held up on the server does not hold up the other (rule 3)', async () => {
    const { store, schema } = openPgStore(db);
    await store.writePages([page([event(1)], 2)]);
    // Another session holds A's chain head, as a writer of A on another host would.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query(`SET search_path TO "${schema}"`);
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM event_chains WHERE environment_id = $1 FOR UPDATE', [ENV]);
      const heldUp = store.writePages([page([event(2)], 3)]);
      let heldUpDone = false;
      void heldUp.then(() => (heldUpDone = true), () => (heldUpDone = true));
      await waitFor('the write of A to wait for the head lock', async () => {
        const waiting = await pgQuery<{ n: string }>(db, schema, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        return Number(waiting[0]!.n) > 0 || undefined;
      });
      // Made after A's write, with no environment in common: it commits while A's still waits.
      const B = 'us_env_b';
      const beside = await Promise.race([
        store.writePages([page([event(100, null, B)], 2, B)]).then((r) => r.insertedByEnvironment.get(B)),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 15 s'), 15_000)),
      ]);
      expect(beside).toBe(1);
      expect(heldUpDone).toBe(false);
      await other.query('COMMIT');
      expect((await heldUp).insertedByEnvironment.get(ENV)).toBe(1);
    } finally {
      await other.end();
    }
    expect(await ids(schema)).toEqual(['us_evt_1', 'us_evt_100', 'us_evt_2']);
    expect((await walkChains(store)).problems).toEqual([]);
    await store.close();
  });

  it('close() lets the writes already under way commit first, and refuses later ones', async () => {
    const { store, schema } = openPgStore(db);
    const writes = [1, 2, 3].map((n) => store.writePages([page([event(n)], n + 1)]));
    await store.close();
    await Promise.all(writes);
    expect(await ids(schema)).toEqual(['us_evt_1', 'us_evt_2', 'us_evt_3']);
    await expect(store.writePages([page([event(4)], 5)])).rejects.toThrow(/closed/);
    await expect(store.readCursor(ENV)).rejects.toThrow(/closed/);
  });

  it('completing a listing moves the high-water mark forward only and clears the listing', async () => {
    const { store } = openPgStore(db);
    await store.writePages([page([event(5)], 2)]);
    await store.writePages([complete('2026-10-05T00:00:00.000Z')]);
    await store.writePages([complete('2026-10-02T00:00:00.000Z')]);
    await store.writePages([complete(null)]);
    expect(await store.readCursor(ENV)).toEqual({ environmentId: ENV, highWater: '2026-10-05T00:00:00.000Z', listing: null, lastSuccessAt: AT, lastError: null });
    expect(await store.listCursors()).toHaveLength(1);
  });

  it('keeps each page\'s cursor in order within a batch: progress, completion, then a new listing', async () => {
    const { store } = openPgStore(db);
    await store.writePages([page([event(1)], 2), page([event(2)], 3), complete('2026-10-01T00:00:02.000Z'), page([event(3)], 7)]);
    expect(await store.readCursor(ENV)).toMatchObject({
      highWater: '2026-10-01T00:00:02.000Z',
      lastSuccessAt: AT,
      listing: { since: null, pageSize: 100, nextPage: 7, maxCreatedAt: event(3).createdAt, pageFill: 100, startedAt: AT },
    });
  });

  it('keeps each distinct rejected event once, counting how often it was seen', async () => {
    const { store, schema } = openPgStore(db);
    const rejected = { environmentId: ENV, eventId: null, reason: 'event has no id', raw: '{"topic":"x"}' };
    await store.writePages([{ ...page([], 2), rejected: [rejected] }]);
    await store.writePages([{ ...page([], 3), rejected: [rejected, { ...rejected, reason: 'other' }] }, { ...page([], 4), rejected: [rejected] }]);
    expect(await pgQuery(db, schema, 'SELECT reason, times_seen, raw, raw_text FROM rejected_events')).toEqual([
      { reason: 'event has no id', times_seen: 4, raw: { topic: 'x' }, raw_text: '{"topic":"x"}' },
    ]);
    expect((await store.status(FAR_FUTURE)).totals.rejected).toBe(1);
  });

  it('records an environment\'s error on its cursor, leaving its position alone, until a listing completes', async () => {
    const { store } = openPgStore(db);
    await store.writePages([page([event(1)], 2)]);
    await store.recordEnvironmentError(ENV, 'HTTP 500 five times', '2026-11-01T01:00:00.000Z');
    expect(await store.readCursor(ENV)).toMatchObject({ lastError: 'HTTP 500 five times', listing: { nextPage: 2 } });
    await store.recordEnvironmentError('us_env_new', 'no such environment', '2026-11-01T01:00:00.000Z');
    expect(await store.readCursor('us_env_new')).toMatchObject({ lastError: 'no such environment', highWater: null, listing: null });
    await store.writePages([complete('2026-10-01T00:00:01.000Z')]);
    expect(await store.readCursor(ENV)).toMatchObject({ lastError: null });
  });

  it('checkWritable passes on a writable store and fails naming the target when the server refuses writes', async () => {
    const { store, schema } = openPgStore(db);
    await store.checkWritable();
    // Options in the URL reach the server: here, every transaction read-only, as on a standby.
    const url = `${db.url}?options=${encodeURIComponent('-c default_transaction_read_only=on')}`;
    const readOnly = PostgresStore.open({ url, schema, poolSize: 1, statementTimeoutMs: 30_000 }, { env: {} });
    try {
      const failure = readOnly.checkWritable();
      await expect(failure).rejects.toThrow(/read-only transaction \(25006\); the server is read-only/);
      await expect(failure).rejects.toThrow(`(schema ${schema})`);
    } finally {
      await readOnly.close();
    }
  });
});

describe('runs', () => {
  it('are opened and closed with their summary; a run of the same scope left running is closed as failed', async () => {
    const { store, schema } = openPgStore(db);
    const orphan = await store.startRun({ startedAt: AT, trigger: 'schedule', scope: ENV, jobId: 'job-1' });
    const other = await store.startRun({ startedAt: AT, trigger: 'schedule', scope: 'us_env_b' });
    const run = await store.startRun({ startedAt: '2026-11-01T00:05:00.000Z', trigger: 'cli', scope: ENV });
    await store.finishRun(run, {
      status: 'partial', finishedAt: '2026-11-01T00:06:00.000Z', newEvents: 7, rejected: 1, pages: 3, requests: 4,
      environmentsOk: 1, environmentsFailed: 1, error: 'one failed', details: { environments: [{ id: ENV, events: 7 }] },
    });
    const rows = await pgQuery(db, schema, 'SELECT id, scope, status, finished_at, error, details, job_id FROM sync_runs ORDER BY id');
    expect(rows).toEqual([
      { id: orphan, scope: ENV, status: 'failed', finished_at: '2026-11-01T00:05:00.000Z', error: 'interrupted: the process running it stopped before it finished', details: null, job_id: 'job-1' },
      { id: other, scope: 'us_env_b', status: 'running', finished_at: null, error: null, details: null, job_id: null },
      { id: run, scope: ENV, status: 'partial', finished_at: '2026-11-01T00:06:00.000Z', error: 'one failed', details: { environments: [{ id: ENV, events: 7 }] }, job_id: null },
    ]);
    expect((await store.status(FAR_FUTURE)).lastRun).toEqual({ id: run, scope: ENV, startedAt: '2026-11-01T00:05:00.000Z', finishedAt: '2026-11-01T00:06:00.000Z', status: 'partial', newEvents: 7, error: 'one failed' });
  });
});

describe('status', () => {
  it('reports each environment, the totals, and events dated past the cutoff', async () => {
    const { store } = openPgStore(db);
    await store.writeInventory({ kind: 'environments', scope: null, records: [{ id: ENV, accountId: 'us_acc_1', name: 'Prod', isProd: true, raw: '{}' }], seenAt: AT });
    await store.writePages([page([event(1), event(2)], 2), page([event(3, null, 'us_env_b'), { ...event(4, null, 'us_env_b'), createdAt: '2027-01-01T00:00:00.000Z' }], 2, 'us_env_b')]);
    await store.writePages([complete('2026-10-01T00:00:02.000Z')]);
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: AT });
    const status = await store.status({ futureDatedAfter: '2026-12-01T00:00:00.000Z' });
    expect(status.environments).toEqual([
      { environmentId: 'us_env_b', name: null, removedAt: null, highWater: null, listingInProgress: true, lastSuccessAt: null, lastError: null, lastErrorAt: null, events: 2 },
      { environmentId: ENV, name: 'Prod', removedAt: null, highWater: '2026-10-01T00:00:02.000Z', listingInProgress: false, lastSuccessAt: AT, lastError: null, lastErrorAt: null, events: 2 },
    ]);
    expect(status.futureDated).toEqual([{ environmentId: 'us_env_b', count: 1, newestCreatedAt: '2027-01-01T00:00:00.000Z' }]);
    expect(status.totals).toEqual({ events: 4, rejected: 0, users: 2, guests: 0, spaces: 0, agents: 0 });
    expect(status.lastRun).toBeNull();
  });
});

describe('inventories and the audit_trail view', () => {
  it('resolves an actor fetched after its events were stored, and keeps resolving after it vanishes', async () => {
    const { store, schema } = openPgStore(db);
    await store.writePages([page([event(1, 'us_usr_ann'), event(2, 'us_usr_ann'), event(3, 'us_key_x'), event(4)], 2)]);
    const trail = () => pgQuery(db, schema, 'SELECT event_id, actor_type, actor_name, actor_removed_at FROM audit_trail ORDER BY event_id');
    expect(await trail()).toEqual([
      { event_id: 'us_evt_1', actor_type: 'user', actor_name: null, actor_removed_at: null },
      { event_id: 'us_evt_2', actor_type: 'user', actor_name: null, actor_removed_at: null },
      { event_id: 'us_evt_3', actor_type: 'api_key', actor_name: null, actor_removed_at: null },
      { event_id: 'us_evt_4', actor_type: 'unknown', actor_name: null, actor_removed_at: null },
    ]);
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: AT });
    expect((await trail())[0]).toMatchObject({ actor_name: 'Ann' });
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_bob', 'Bob')], seenAt: '2026-11-02T00:00:00.000Z' });
    expect((await trail())[0]).toEqual({ event_id: 'us_evt_1', actor_type: 'user', actor_name: 'Ann', actor_removed_at: '2026-11-02T00:00:00.000Z' });
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann B.')], seenAt: '2026-11-03T00:00:00.000Z' });
    // Renamed after the event: the event keeps the name she had then; today's is beside it.
    expect((await trail())[0]).toMatchObject({ actor_name: 'Ann', actor_removed_at: null });
    expect(await pgQuery(db, schema, "SELECT actor_current_name FROM audit_trail WHERE event_id = 'us_evt_1'")).toEqual([{ actor_current_name: 'Ann B.' }]);
  });

  it('has the same columns as SQLite\'s audit_trail', async () => {
    const { store, schema } = openPgStore(db);
    await store.ready();
    const columns = await pgQuery<{ column_name: string }>(db, schema, `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'audit_trail' ORDER BY ordinal_position`, [schema]);
    expect(columns.map((c) => c.column_name)).toEqual([
      'event_id', 'created_at', 'environment_id', 'environment_name', 'topic', 'domain', 'space_id', 'actor_id', 'actor_type',
      'actor_name', 'actor_email', 'actor_removed_at', 'workbook_id', 'sheet_id', 'job_id', 'acknowledged_at',
      'actor_current_name', 'actor_current_email', 'file_id', 'document_id', 'app_id', 'action_name', 'origin_id', 'acknowledged_by',
      'outcome', 'is_prod', 'space_name', 'deleted_at', 'ingested_at',
    ]);
  });

  it('keeps a guest in several spaces as one guest: one audit row per event', async () => {
    const { store, schema } = openPgStore(db);
    await store.writePages([page([event(1, 'us_g_1')], 2)]);
    await store.writeInventory({ kind: 'guests', scope: ENV, records: [guest('us_g_1', ['us_sp_1', 'us_sp_2', 'us_sp_3'])], seenAt: AT });
    expect(await pgQuery(db, schema, `SELECT (SELECT COUNT(*)::int FROM audit_trail) AS trail, (SELECT COUNT(*)::int FROM guest_spaces WHERE removed_at IS NULL) AS memberships, (SELECT actor_name FROM audit_trail) AS name`)).toEqual([
      { trail: 1, memberships: 3, name: 'us_g_1' },
    ]);
    await store.writeInventory({ kind: 'guests', scope: ENV, records: [guest('us_g_1', ['us_sp_2'])], seenAt: '2026-11-02T00:00:00.000Z' });
    expect(await pgQuery(db, schema, 'SELECT space_id FROM guest_spaces WHERE removed_at IS NULL')).toEqual([{ space_id: 'us_sp_2' }]);
  });

  it('marks removals only within the listing scope', async () => {
    const { store, schema } = openPgStore(db);
    const space = (id: string, environmentId: string) => ({ id, environmentId, name: id, createdAt: AT, archivedAt: null, createdByUserId: null, raw: '{}' });
    await store.writeInventory({ kind: 'spaces', scope: 'us_env_a', records: [space('us_sp_a', 'us_env_a')], seenAt: AT });
    await store.writeInventory({ kind: 'spaces', scope: 'us_env_b', records: [space('us_sp_b', 'us_env_b')], seenAt: AT });
    await store.writeInventory({ kind: 'spaces', scope: 'us_env_b', records: [], seenAt: '2026-11-02T00:00:00.000Z' });
    expect(await pgQuery(db, schema, 'SELECT id, removed_at FROM spaces ORDER BY id')).toEqual([
      { id: 'us_sp_a', removed_at: null },
      { id: 'us_sp_b', removed_at: '2026-11-02T00:00:00.000Z' },
    ]);
  });

  it('keeps agents\' topics as a jsonb array and environments\' is_prod as a boolean', async () => {
    const { store, schema } = openPgStore(db);
    await store.writeInventory({ kind: 'environments', scope: null, records: [{ id: ENV, accountId: null, name: 'Prod', isProd: true, raw: '{"id":"us_env_a"}' }], seenAt: AT });
    await store.writeInventory({ kind: 'agents', scope: ENV, records: [{ id: 'us_ag_1', environmentId: ENV, slug: 'bot', topics: ['file:created', 'job:ready'], createdAt: null, raw: '{}' }], seenAt: AT });
    expect(await pgQuery(db, schema, `SELECT is_prod, raw->>'id' AS raw_id FROM environments`)).toEqual([{ is_prod: true, raw_id: ENV }]);
    expect(await pgQuery(db, schema, `SELECT topics, topics ? 'job:ready' AS listens FROM agents`)).toEqual([{ topics: ['file:created', 'job:ready'], listens: true }]);
  });
});

describe('the inventory change log', () => {
  it('logs a row when a sync first writes it and again only when its content changes, in the SQLite store\'s format', async () => {
    const { store, schema } = openPgStore(db);
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: '2026-11-01T00:00:00.000Z' });
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann'), user('us_usr_bob', 'Bob')], seenAt: '2026-11-02T00:00:00.000Z' });
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann B.')], seenAt: '2026-11-03T00:00:00.000Z' });
    const entries = await pgQuery<{ seq: number; kind: string; id: string; seen_at: string; row_digest: Buffer; chain_hash: Buffer }>(db, schema, 'SELECT seq, kind, id, seen_at, row_digest, chain_hash FROM inventory_changes ORDER BY seq');
    expect(entries.map(({ seq, kind, id, seen_at }) => ({ seq, kind, id, seen_at }))).toEqual([
      { seq: 1, kind: 'users', id: 'us_usr_ann', seen_at: '2026-11-01T00:00:00.000Z' },
      { seq: 2, kind: 'users', id: 'us_usr_bob', seen_at: '2026-11-01T00:00:00.000Z' },
      { seq: 3, kind: 'users', id: 'us_usr_ann', seen_at: '2026-11-03T00:00:00.000Z' },
      { seq: 4, kind: 'users', id: 'us_usr_bob', seen_at: '2026-11-03T00:00:00.000Z' },
    ]);
    // Each entry links to the one before, and the latest entry of each row is the digest of the row as stored now.
    let previous: Buffer | null = null;
    for (const e of entries) {
      expect(inventoryChangeHash(previous, 'users', e.id, e.row_digest, e.seen_at).equals(e.chain_hash)).toBe(true);
      previous = e.chain_hash;
    }
    const rows = await pgQuery<{ id: string; email: string; name: string; created_at: string; last_active_at: null; raw_text: string; first_synced_at: string; removed_at: string | null }>(
      db, schema, 'SELECT id, email, name, created_at, last_active_at, raw_text, first_synced_at, removed_at FROM users ORDER BY id',
    );
    expect(rows.map((r) => inventoryRowDigest('users', [r.id, r.email, r.name, r.created_at, r.last_active_at, r.raw_text, r.first_synced_at, r.removed_at]))).toEqual([entries[2]!.row_digest, entries[3]!.row_digest]);
  });

  it('covers guests\' memberships and every kind, one chain for all', async () => {
    const { store, schema } = openPgStore(db);
    await store.writeInventory({ kind: 'environments', scope: null, records: [{ id: ENV, accountId: null, name: 'A', isProd: false, raw: '{}' }], seenAt: AT });
    await store.writeInventory({ kind: 'guests', scope: ENV, records: [guest('us_g_1', ['us_sp_1', 'us_sp_2'])], seenAt: AT });
    await store.writeInventory({ kind: 'agents', scope: ENV, records: [{ id: 'us_ag_1', environmentId: ENV, slug: 'bot', topics: ['x:y'], createdAt: null, raw: '{}' }], seenAt: AT });
    expect(await pgQuery(db, schema, 'SELECT seq, kind, id FROM inventory_changes ORDER BY seq')).toEqual([
      { seq: 1, kind: 'environments', id: ENV },
      { seq: 2, kind: 'guest_spaces', id: 'us_g_1 us_sp_1' },
      { seq: 3, kind: 'guest_spaces', id: 'us_g_1 us_sp_2' },
      { seq: 4, kind: 'guests', id: 'us_g_1' },
      { seq: 5, kind: 'agents', id: 'us_ag_1' },
    ]);
  });

  it('stays one chain when two stores write inventories at once', async () => {
    const { store, schema } = openPgStore(db);
    const other = PostgresStore.open({ url: db.url, schema, poolSize: 2, statementTimeoutMs: 30_000 }, { env: {} });
    try {
      await Promise.all([store.ready(), other.ready()]);
      await Promise.all(
        [store, other].flatMap((s, w) =>
          [0, 1, 2, 3, 4].map((n) => s.writeInventory({ kind: 'spaces', scope: `us_env_${w}_${n}`, records: [{ id: `us_sp_${w}_${n}`, environmentId: `us_env_${w}_${n}`, name: 'S', createdAt: null, archivedAt: null, createdByUserId: null, raw: '{}' }], seenAt: AT })),
        ),
      );
    } finally {
      await other.close();
    }
    const entries = await pgQuery<{ seq: number; kind: string; id: string; seen_at: string; row_digest: Buffer; chain_hash: Buffer }>(db, schema, 'SELECT seq, kind, id, seen_at, row_digest, chain_hash FROM inventory_changes ORDER BY seq');
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    let previous: Buffer | null = null;
    for (const e of entries) {
      expect(inventoryChangeHash(previous, 'spaces', e.id, e.row_digest, e.seen_at).equals(e.chain_hash)).toBe(true);
      previous = e.chain_hash;
    }
  });
});

describe('checkpoints', () => {
  it('read every chain head, count, inventory digest and the schema', async () => {
    const { store, schema } = openPgStore(db);
    await store.writePages([page([event(1), event(2)], 2)]);
    await store.writeInventory({ kind: 'users', scope: null, records: [user('us_usr_ann', 'Ann')], seenAt: AT });
    const head = await store.chainHead(ENV);
    const state = await store.checkpoint((s) => s);
    expect(state).toMatchObject({
      environments: { [ENV]: { seq: 2, hash: head!.hash, events: 2 } },
      inventory: { changes: { seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }, tables: { users: { rows: 1 }, guests: { rows: 0 } } },
      schema: { version: LATEST_VERSION, digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(await store.checkpoint((s) => s)).toEqual(state);
    await pgQuery(db, schema, 'CREATE INDEX sneaky ON events (job_id)');
    expect((await store.checkpoint((s) => s)).schema.digest).not.toBe(state.schema.digest);
  });

  it('wait for writes under way, and writes wait for them, on any host', async () => {
    const { store, schema } = openPgStore(db);
    await store.ready();
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    const waitingOnAdvisory = (what: string) =>
      waitFor(what, async () => {
        const { rows } = await holder.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'advisory'", [db.name]);
        return rows[0]!.n === 1;
      });
    try {
      // Another host mid-write (holding the store lock shared, as every event and inventory write does).
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock_shared($1, $2)', lockKeys(schema, 'store'));
      const checkpoint = store.checkpoint((s) => s.environments);
      await waitingOnAdvisory('the checkpoint to wait for the write');
      await holder.query('COMMIT');
      expect(await checkpoint).toEqual({});
      // Another host's checkpoint (exclusive): an event write waits for it.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, $2)', lockKeys(schema, 'store'));
      const write = store.writePages([page([event(1)], 2)]);
      await waitingOnAdvisory('the write to wait for the checkpoint');
      await holder.query('COMMIT');
      expect((await write).insertedByEnvironment.get(ENV)).toBe(1);
    } finally {
      await holder.end();
    }
  });
});
