/** What the store contract tests write and read: records, pages, and a store opened for one test. */
import { onTestFinished } from 'vitest';
import type { AuditReader, QueryRow } from '../../../src/store/audit-reader.js';
import type { AuditStore, CursorUpdate, PageWrite } from '../../../src/store/audit-store.js';
import { openReader, openStore, openSyncState, type StoreSettings } from '../../../src/store/open-store.js';
import type { SyncStateReader } from '../../../src/store/sync-state.js';
import type { EventRecord, GuestRecord, RejectedEvent, SpaceRecord, UserRecord } from '../../../src/records.js';

/** A store under test, fresh and empty, as a store's contract file hands it out. */
export interface ContractStore {
  /** Settings naming the store: the contract opens it through openStore / openReader / openSyncState, as the product does. */
  settings: StoreSettings;
  /** Runs statements straight on the store's database, past the store, as someone with write access to it would. */
  tamper(sql: string): Promise<void>;
  /**
   * Runs `sql` in a write transaction on a connection of its own and leaves it open: the returned
   * function commits it. `concurrent`: whether other writers go on meanwhile (PostgreSQL) or wait
   * for the lock (SQLite: one writer at a time).
   */
  hold(sql: string): Promise<() => Promise<void>>;
  concurrentWriters: boolean;
}

export type FreshStore = () => Promise<ContractStore>;

export const AT = '2026-11-01T00:00:00.000Z';

export function event(environmentId: string, n: number, overrides: Partial<EventRecord> = {}): EventRecord {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  return {
    id: `us_evt_${environmentId}_${n}`, environmentId, createdAt, topic: 'workbook:updated', domain: 'workbook', actorId: null,
    spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null,
    raw: JSON.stringify({ n, note: 'quotes " and ünïcode' }), ...overrides,
  };
}

/** An event the schema refuses (no topic): the store's transaction fails on it. */
export function brokenEvent(environmentId: string, n: number): EventRecord {
  return event(environmentId, n, { topic: null as unknown as string });
}

export function progress(nextPage: number, overrides: Partial<Extract<CursorUpdate, { kind: 'progress' }>['listing']> = {}): CursorUpdate {
  return { kind: 'progress', listing: { since: null, pageSize: 100, nextPage, maxCreatedAt: null, pageFill: 100, startedAt: AT, ...overrides } };
}

export function complete(highWater: string | null, completedAt = AT): CursorUpdate {
  return { kind: 'complete', highWater, completedAt };
}

export function page(environmentId: string, events: EventRecord[], cursor: CursorUpdate = progress(2), rejected: RejectedEvent[] = []): PageWrite {
  return { environmentId, events, rejected, cursor };
}

/** Events n = from..to of an environment. */
export function events(environmentId: string, from: number, to: number): EventRecord[] {
  return Array.from({ length: to - from + 1 }, (_v, i) => event(environmentId, from + i));
}

export function user(id: string, name: string, email = `${name.toLowerCase()}@example.com`): UserRecord {
  return { id, email, name, createdAt: AT, lastSeenAt: null, raw: JSON.stringify({ id, name }) };
}

export function space(id: string, environmentId: string): SpaceRecord {
  return { id, environmentId, name: `Space ${id}`, createdAt: AT, archivedAt: null, createdByUserId: null, raw: JSON.stringify({ id }) };
}

export function guest(id: string, environmentId: string, spaces: string[]): GuestRecord {
  return { id, environmentId, email: `${id}@guest.example`, name: id, spaces: spaces.map((spaceId) => ({ spaceId, lastAccessed: null })), raw: JSON.stringify({ id }) };
}

/** The store, opened for writing through the factory and closed when the test ends. */
export async function opened(store: ContractStore): Promise<AuditStore> {
  const opened = await openStore(store.settings);
  onTestFinished(() => opened.close());
  return opened;
}

/** A reader of the store (which must have been opened for writing once), closed when the test ends. */
export async function reader(store: ContractStore): Promise<AuditReader> {
  const opened = await openReader(store.settings);
  onTestFinished(() => opened.close());
  return opened;
}

export async function syncState(store: ContractStore): Promise<SyncStateReader> {
  const opened = await openSyncState(store.settings);
  onTestFinished(() => opened.close());
  return opened;
}

/** Every row of a read-only statement, read through the reader's cursor. */
export async function rows(from: AuditReader, sql: string, params: Record<string, string> = {}): Promise<QueryRow[]> {
  const cursor = await from.openQuery(sql, params);
  const all: QueryRow[] = [];
  try {
    for (let chunk = await cursor.read(100); chunk.length > 0; chunk = await cursor.read(100)) all.push(...chunk);
  } finally {
    await cursor.close();
  }
  return all;
}

/** Reads with a fresh reader each time, so every call sees the latest commit. */
export async function query(store: ContractStore, sql: string, params: Record<string, string> = {}): Promise<QueryRow[]> {
  const fresh = await openReader(store.settings);
  try {
    return await rows(fresh, sql, params);
  } finally {
    await fresh.close();
  }
}

/** A count as a number, whatever type the store's driver returns it in (PostgreSQL's COUNT is a bigint). */
export function count(value: unknown): number {
  return Number(value);
}
