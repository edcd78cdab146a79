/**
 * BatchWriter over a real SqliteStore, with a gate in front of its commits so the order of
 * events is decided by the test, not by timing: a listing that fills a batch goes on while that
 * batch commits, a completing page waits for its commit, and after a failed commit nothing later
 * is committed.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/records.js';
import type { AuditStore, PageWrite, WriteResult } from '../../src/store/audit-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { BatchWriter } from '../../src/sync/batch-writer.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const ENV = 'us_env_a';

function page(n: number, kind: 'progress' | 'complete' = 'progress', topic = 'workbook:updated'): PageWrite {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  const event: EventRecord = {
    id: `us_evt_${n}`, environmentId: ENV, createdAt, topic, domain: 'workbook', actorId: null, spaceId: null,
    workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: '{}',
  };
  const listing = { since: null, pageSize: 1, nextPage: n + 1, maxCreatedAt: createdAt, pageFill: 1, startedAt: createdAt };
  return {
    environmentId: ENV, events: kind === 'progress' ? [event] : [], rejected: [],
    cursor: kind === 'progress' ? { kind, listing } : { kind, highWater: createdAt, completedAt: createdAt },
  };
}

/** The store, with each commit held until the test opens it. */
function gatedStore(path: string) {
  const store = SqliteStore.open(path);
  const held: Array<() => void> = [];
  const gated: AuditStore = Object.create(store, {
    writePages: {
      value: async (pages: readonly PageWrite[]): Promise<WriteResult> => {
        await new Promise<void>((open) => held.push(open));
        return store.writePages(pages);
      },
    },
  });
  /** Lets the oldest held commit go, once one is held. */
  const release = async (): Promise<void> => {
    while (held.length === 0) await new Promise((resolve) => setImmediate(resolve));
    held.shift()!();
  };
  return { store, gated, release, held };
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

const storedIds = (path: string) => readDb(path, (db) => db.prepare('SELECT id FROM events ORDER BY id').pluck().all());

describe('BatchWriter', () => {
  it('lets a listing go on while the batch it filled commits, and waits only for the commit before', async () => {
    const path = tempDbPath();
    const { store, gated, release } = gatedStore(path);
    const writer = new BatchWriter(gated, 2);
    await writer.write(page(1));
    expect(await settled(writer.write(page(2))), 'the first full batch waits for nothing').toBe(true);
    await writer.write(page(3));
    const fourth = writer.write(page(4)); // fills the second batch while the first is still held
    expect(await settled(fourth), 'the second full batch waits for the first commit').toBe(false);
    await release();
    await fourth;
    await release();
    await writer.flush();
    expect(storedIds(path)).toEqual(['us_evt_1', 'us_evt_2', 'us_evt_3', 'us_evt_4']);
    await store.close();
  });

  it('resolves a completing page only once it is committed', async () => {
    const path = tempDbPath();
    const { store, gated, release } = gatedStore(path);
    const writer = new BatchWriter(gated, 100);
    await writer.write(page(1));
    const complete = writer.write(page(2, 'complete'));
    expect(await settled(complete)).toBe(false);
    await release();
    await complete;
    expect(storedIds(path)).toEqual(['us_evt_1']);
    expect((await store.readCursor(ENV))?.highWater).toBe('2026-10-01T00:00:02.000Z');
    await store.close();
  });

  it('commits nothing after a failed batch, and says so on the next write', async () => {
    const path = tempDbPath();
    const { store, gated, release } = gatedStore(path);
    const writer = new BatchWriter(gated, 1);
    await writer.write(page(1, 'progress', null as unknown as string)); // breaks NOT NULL when committed
    const second = writer.write(page(2)); // its batch is queued behind the failing one, and waits for it
    await release();
    await expect(second).rejects.toThrow(/NOT NULL/);
    await expect(writer.flush()).rejects.toThrow(/NOT NULL/);
    await expect(writer.write(page(3))).rejects.toThrow(/NOT NULL/);
    expect(storedIds(path)).toEqual([]);
    await store.close();
  });
});
