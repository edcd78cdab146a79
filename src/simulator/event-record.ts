/** The compact in-memory form of an event, shared by the event log and the event factory. */
import type { WorkbookData } from './account.js';

/** What an event needs from its environment to be rendered; one shared object per environment. */
export interface EnvironmentContext {
  accountId: string;
  environmentId: string;
  workbooksBySpace: ReadonlyMap<string, WorkbookData[]>;
}

/**
 * A stored event. A million of these must fit in a few hundred MB, so only what listing and
 * filtering need is kept; the rest of the wire Event is derived from `seed` when served.
 */
export interface EventRecord {
  id: string;
  /** createdAt in ms. */
  t: number;
  topic: string;
  spaceId: string | undefined;
  actorId: string | undefined;
  /** Set when the event was acknowledged: it is then hidden unless includeAcknowledged=true. */
  ackBy: string | undefined;
  /** Drives everything else about the event (payload, workbook, sheet), so it renders identically. */
  seed: number;
  env: EnvironmentContext;
  /** For addRawEvent: this exact JSON is served; undefined for well-formed events. */
  raw: unknown;
  /** Who an event is about, besides who caused it: the guest of space:guestAdded / guestRemoved. */
  subjectId?: string;
}

/** Sort order of records: createdAt, then id as the stable tie-breaker. */
export function compareRecords(a: EventRecord, b: EventRecord): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
