/**
 * A connection the server ends while the store, the reader or the health reader holds it (a server
 * restart, a failover, an administrator's pg_terminate_backend): the operation under way fails with
 * one line, the process lives on, and the next operation gets a fresh connection. node-postgres
 * reports such an end as an 'error' event on the client; on a client checked out of the pool
 * nothing listened, so Node threw it and the process died (found by test/faults/multi-host.test.ts).
 */
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AuditStore, PageWrite } from '../../../src/store/audit-store.js';
import { openReader, openStore, openSyncState } from '../../../src/store/open-store.js';
import { freshSchema, pgSettings, testDatabase } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/wait.js';

const db = testDatabase();
const ENV = 'us_env_a';
const AT = '2026-11-01T00:00:00.000Z';

function page(n: number): PageWrite {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  return {
    environmentId: ENV, rejected: [],
    events: [{ id: `us_evt_${n}`, environmentId: ENV, createdAt, topic: 'workbook:updated', domain: 'workbook', actorId: null, spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: JSON.stringify({ n }) }],
    cursor: { kind: 'progress', listing: { since: null, pageSize: 100, nextPage: n + 1, maxCreatedAt: createdAt, pageFill: 1, startedAt: AT } },
  };
}

/** An administrator's session on the test's schema. */
async function admin(schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url, options: `-c search_path=${schema}` });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

/**
 * Runs `operation` while every table it could touch is locked, so that it waits inside its
 * transaction on a connection of its pool; ends that session from the server's side; then lets
 * go of the tables. Returns how the operation ended.
 */
async function endSessionUnder<T>(schema: string, operation: () => Promise<T>): Promise<PromiseSettledResult<T>> {
  const locker = await admin(schema);
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE events, event_chains, sync_cursors, sync_runs, environments IN ACCESS EXCLUSIVE MODE');
  const pending = operation().then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  );
  const waiting = await waitFor('the operation to wait for the lock inside its transaction', async () => {
    const { rows } = await locker.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    );
    return rows[0]?.pid;
  });
  await locker.query('SELECT pg_terminate_backend($1)', [waiting]);
  const outcome = await pending;
  await locker.query('ROLLBACK');
  return outcome;
}

describe('a connection the server ends mid-operation', () => {
  it('the store: the write fails with one line naming the cause, and the next write reconnects', async () => {
    const settings = { dbPath: '', postgres: pgSettings(db, freshSchema()) };
    const store: AuditStore = await openStore(settings);
    onTestFinished(() => store.close());
    await store.writePages([page(1)]);

    const outcome = await endSessionUnder(settings.postgres.schema, () => store.writePages([page(2)]));
    expect(outcome.status).toBe('rejected');
    expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/^AuditError: cannot use the audit database postgres:\/\/postgres@127\.0\.0\.1:5432\/fa_test_\w+ \(schema \w+\): terminating connection due to administrator command \(57P01\)/);

    await store.writePages([page(2)]);
    expect(await store.readCursor(ENV)).toMatchObject({ listing: { nextPage: 3 } });
  });

  it('the reader and the health reader: the read fails, the next read reconnects', async () => {
    const settings = { dbPath: '', postgres: pgSettings(db, freshSchema()) };
    const store = await openStore(settings);
    onTestFinished(() => store.close());
    await store.writePages([page(1)]);
    const reader = await openReader(settings);
    onTestFinished(() => reader.close());
    const syncState = await openSyncState(settings);
    onTestFinished(() => syncState.close());

    const reads: Array<() => Promise<unknown>> = [() => reader.status({ futureDatedAfter: '9999-01-01T00:00:00.000Z' }), () => syncState.environments()];
    // Each read once first: its connection is open and idle in the pool, as in a running process.
    for (const read of reads) await read();
    for (const read of reads) {
      const outcome = await endSessionUnder(settings.postgres.schema, read);
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/57P01/);
      await expect(read()).resolves.toBeDefined();
    }
  });
});
