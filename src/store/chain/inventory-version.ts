/**
 * Who was who, at the time: each entry of the inventory change log (inventory-digests.ts) keeps,
 * beside its digest, the row's content as it was (`inventory_versions`), so the trail can name an
 * actor as they were when they acted and tell which guest could reach which space when. The same
 * in every store.
 *
 * - `content` is the exact JSON text the entry's row digest is the SHA-256 of ([kind, id, ...the
 *   LOGGED_COLUMNS], without activity: inventory-digests.ts), so a version is checked by its
 *   log entry, and the log by its chain.
 * - `valid_from`: a version holds from the record's own `updatedAt` where the API gives one (a rename
 *   at 10:00 that the 10:05 sync sees applies to events from 10:00 on), else from when it was first
 *   seen (the sync's time). An `updatedAt` is used only when it is newer than the version before and
 *   not after the sync saw it, so a row's versions never run backwards in time: a row that comes back
 *   unchanged after being removed, or whose `lastSeenAt` moved while its `updatedAt` did not, is new
 *   from when it was seen. A removal holds from when the sync found the row gone.
 * - Versions of one row are ordered by (valid_from, seq); the one at a time T is the last with
 *   valid_from <= T.
 * `role` is not among them: the API's users carry none (flatfile-api.md).
 */
import { LOGGED_COLUMNS, loggedContent, type LoggedKind, type LoggedRow } from './inventory-digests.js';

/** What a version keeps besides its log entry's seq and the row's kind and id. */
export interface InventoryVersion {
  environmentId: string | null;
  name: string | null;
  email: string | null;
  removedAt: string | null;
  validFrom: string;
  /** JSON [kind, id, ...columns]: the text the log entry's row digest is taken of. */
  content: string;
}

/** What the previous version of the same row said, if there is one. */
export interface PreviousVersion {
  validFrom: string;
}

/** ISO UTC with milliseconds, the form every stored time has; null for anything Date cannot read. */
export function normalisedTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function column(kind: LoggedKind, row: LoggedRow, name: string): string | number | null {
  const at = LOGGED_COLUMNS[kind].indexOf(name);
  return at < 0 ? null : (row[at + 1] ?? null);
}

function textOf(value: string | number | null): string | null {
  return value === null ? null : String(value);
}

/** The `updatedAt` of a row's raw payload, if it has a readable one. */
function updatedAtOf(kind: LoggedKind, row: LoggedRow): string | null {
  const raw = column(kind, row, 'raw');
  if (typeof raw !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? normalisedTime((parsed as Record<string, unknown>).updatedAt) : null;
  } catch {
    return null; // raw is always JSON the client wrote; a row edited behind the store's back is verify's business
  }
}

/** The version a log entry for `row` (as the digests take it) starts, seen at `seenAt`. */
export function inventoryVersion(kind: LoggedKind, row: LoggedRow, seenAt: string, previous: PreviousVersion | undefined): InventoryVersion {
  const seen = normalisedTime(seenAt) ?? seenAt;
  const removedAt = normalisedTime(column(kind, row, 'removed_at'));
  const updatedAt = removedAt === null ? updatedAtOf(kind, row) : null;
  const fromUpdate = updatedAt !== null && updatedAt <= seen && (previous === undefined || updatedAt > previous.validFrom);
  return {
    environmentId: kind === 'environments' ? (row[0] as string) : textOf(column(kind, row, 'environment_id')),
    name: textOf(column(kind, row, kind === 'agents' ? 'slug' : 'name')),
    email: textOf(column(kind, row, 'email')),
    removedAt,
    validFrom: fromUpdate ? updatedAt : seen,
    content: loggedContent(kind, row),
  };
}
