/**
 * BatchWriter over a real SqliteStore, with a gate in front of its commits so the order of
 * events is decided by the test, not by timing: full batches go to the store at once while
 * listings go on, up to IN_FLIGHT of them; each environment has batches of its own; a completing
 * page waits for its environment's commits and no other's; and after a failed commit nothing later
 * is committed.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/records.js';
import type { AuditStore, PageBatch, PageWrite, WriteResult } from '../../src/store/audit-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { BatchWriter, IN_FLIGHT } from '../../src/sync/batch-writer.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const ENV = 'us_env_a';
const OTHER = 'us_env_b';

function page(n: number, kind: 'progress' | 'complete' = 'progress', topic = 'workbook:updated', environmentId = ENV): PageWrite {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  const event: EventRecord = {
    id: `us_evt_${n}`, environmentId, createdAt, topic, domain: 'workbook', actorId: null, spaceId: null,
    workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: '{}',
  };
  const listing = { since: null, pageSize: 1, nextPage: n + 1, maxCreatedAt: createdAt, pageFill: 1, startedAt: createdAt };
  return {
    environmentId, events: kind === 'progress' ? [event] : [], rejected: [],
    cursor: kind === 'progress' ? { kind, listing } : { kind, highWater: createdAt, completedAt: createdAt },
  };
}

/** The store, with each commit held until the test opens it. */
function gatedStore(path: string) {
  const store = SqliteStore.open(path);
  const held: Array<{ environments: Set<string>; open: () => void }> = [];
  /** Rows of each commit, in order (every 'progress' page here holds one event). */
  const batches: number[] = [];
  /** The environments of each commit, in order. */
  const environments: string[][] = [];
  const gated: AuditStore = Object.create(store, {
    openBatch: {
      value: (): PageBatch => {
        const batch = store.openBatch();
        let rows = 0;
        const of = new Set<string>();
        return {
          add: (added: PageWrite) => {
            if (added.cursor.kind === 'progress') rows += 1;
            of.add(added.environmentId);
            batch.add(added);
          },
          get size() {
            return batch.size;
          },
          commit: async (): Promise<WriteResult> => {
            batches.push(rows);
            environments.push([...of]);
            await new Promise<void>((open) => held.push({ environments: of, open }));
            return batch.commit();
          },
        };
      },
    },
  });
  /** Lets the oldest held commit go (of `environmentId`, if given), once one is held. */
  const release = async (environmentId?: string): Promise<void> => {
    const oldest = () => held.findIndex((h) => environmentId === undefined || h.environments.has(environmentId));
    while (oldest() < 0) await new Promise((resolve) => setImmediate(resolve));
    held.splice(oldest(), 1)[0]!.open();
  };
  return { store, gated, release, batches, environments };
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

const storedIds = (path: string) => readDb(path, (db) => db.prepare('SELECT id FROM events ORDER BY id').pluck().all());

describe('BatchWriter', () => {
  it('hands full batches to the store without waiting, up to IN_FLIGHT; the next full one waits for the oldest', async () => {
    const path = tempDbPath();
    const { store, gated, release, batches } = gatedStore(path);
    const writer = new BatchWriter(gated, 2);
    let n = 0;
    for (let batch = 0; batch < IN_FLIGHT; batch += 1) {
      await writer.write(page(++n));
      expect(await settled(writer.write(page(++n))), `full batch ${batch + 1}: handed over without waiting`).toBe(true);
    }
    await writer.write(page(++n));
    const full = writer.write(page(++n));
    expect(await settled(full), 'one more full batch waits for the oldest commit').toBe(false);
    await release();
    await full;
    for (let i = 0; i < IN_FLIGHT; i += 1) await release();
    await writer.flush();
    expect(batches).toEqual(Array(IN_FLIGHT + 1).fill(2));
    expect(storedIds(path)).toHaveLength(n);
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

  it('keeps one batch per environment: pages of environments fetched side by side are never committed together', async () => {
    const path = tempDbPath();
    const { store, gated, release, batches, environments } = gatedStore(path);
    const writer = new BatchWriter(gated, 2);
    await writer.write(page(1));
    await writer.write(page(2, 'progress', 'workbook:updated', OTHER));
    await writer.write(page(3)); // fills ENV's batch
    await writer.write(page(4, 'progress', 'workbook:updated', OTHER)); // fills OTHER's
    await writer.write(page(5));
    expect(environments).toEqual([[ENV], [OTHER]]);
    const flushed = writer.flush();
    for (let i = 0; i < 3; i += 1) await release();
    await flushed;
    expect(environments).toEqual([[ENV], [OTHER], [ENV]]);
    expect(batches).toEqual([2, 2, 1]);
    expect(storedIds(path)).toEqual(['us_evt_1', 'us_evt_2', 'us_evt_3', 'us_evt_4', 'us_evt_5']);
    await store.close();
  });

  it("resolves a completing page once its own environment is committed, while another environment's commit still waits", async () => {
    const path = tempDbPath();
    const { store, gated, release } = gatedStore(path);
    const writer = new BatchWriter(gated, 1);
    await writer.write(page(1)); // ENV's batch, handed over and held
    await writer.write(page(2, 'progress', 'workbook:updated', OTHER)); // OTHER's, held
    const complete = writer.write(page(3, 'complete', 'workbook:updated', OTHER));
    expect(await settled(complete), 'waits for its own environment').toBe(false);
    await release(OTHER);
    await release(OTHER);
    await complete;
    expect(storedIds(path)).toEqual(['us_evt_2']);
    expect((await store.readCursor(OTHER))?.highWater).toBe('2026-10-01T00:00:03.000Z');
    const all = writer.flush();
    expect(await settled(all), 'a flush of everything waits for ENV too').toBe(false);
    await release(ENV);
    await all;
    expect(storedIds(path)).toEqual(['us_evt_1', 'us_evt_2']);
    await store.close();
  });

  it('commits nothing after a failed batch, and says so on the next write', async () => {
    const path = tempDbPath();
    const store = SqliteStore.open(path);
    const writer = new BatchWriter(store, 1);
    await writer.write(page(1, 'progress', null as unknown as string)); // breaks NOT NULL when committed
    // Handed over while the failing batch is still under way.
    for (let n = 2; n <= IN_FLIGHT; n += 1) await writer.write(page(n));
    await expect(writer.write(page(IN_FLIGHT + 1)), 'waits for the oldest commit, which failed').rejects.toThrow(/NOT NULL/);
    await expect(writer.flush()).rejects.toThrow(/NOT NULL/);
    await expect(writer.write(page(IN_FLIGHT + 2))).rejects.toThrow(/NOT NULL/);
    await expect(writer.write(page(IN_FLIGHT + 3, 'progress', 'workbook:updated', OTHER)), 'nor of another environment').rejects.toThrow(/NOT NULL/);
    expect(storedIds(path)).toEqual([]);
    expect(await store.readCursor(ENV)).toBeUndefined();
    await store.close();
  });
});
