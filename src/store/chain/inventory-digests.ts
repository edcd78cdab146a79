/**
 * Tamper evidence for the inventories, the names and memberships the audit trail shows, the same
 * in every store. Every change a sync makes to an inventory row is appended, in the same
 * transaction, to the inventory change log: the row's kind and id, the digest of its content, when
 * it was seen, and a hash chaining the entry to the one before (one chain for all kinds, `seq` 1,
 * 2, 3…). A row's current content must then match the digest of its latest entry: a row edited,
 * deleted or added outside a sync does not (verify-inventory-log.ts).
 *
 * Formats (pinned by test/store/hash-golden.test.ts; SQLite migration 0007 has a frozen copy):
 * - row digest = SHA-256(JSON array [kind, id, ...content columns in LOGGED_COLUMNS order]), each
 *   value as SQLite holds it: text as strings, integers (is_prod) as numbers, NULL as null; a
 *   token's `raw` without its `lastUsedAt` key (below)
 * - entry digest = SHA-256(JSON array [kind, id, row digest as hex, seen_at])
 * - chain hash = SHA-256(previous entry's chain hash ‖ entry digest); the first entry: SHA-256(entry digest)
 * - table digest = SHA-256 of the row digests sorted by id (bytewise)
 * `synced_at` (when a row was last seen) is left out: it changes on every sync, and no one reads it as evidence.
 *
 * A Personal Access Token's use is not a change of it (store rule 17). Flatfile moves a token's
 * `lastUsedAt` at every request made with it, and the syncs themselves make requests with one: with
 * `last_used_at` covered, every directory sync logged a change and a version of that token, and the
 * log of who made, renamed or deleted which token drowned in them. So a token row's digest (and the
 * version's content, which is the text digested) leaves out `last_used_at`, and the `lastUsedAt`
 * key of its `raw`; the row itself keeps both current, as listed. What the log pins of a token is
 * what says who it is: its name, when it was made, its other listed fields, when it was first seen
 * and whether it was deleted. The price: an edit of `last_used_at` behind the store's back is not
 * evidence verify can find; it lasts until the next sync writes the API's value over it, and the
 * API stays the authority on a token's use. (Stores holding entries digested under the earlier rule,
 * only ever made by the unreleased 0.1.0 main of 2026-11-30, get one new entry per token at their
 * next directory sync.)
 */
import { createHash } from 'node:crypto';
import type { InventoryKind } from '../audit-store.js';
import { linkHash } from './event-chain.js';

/** The logged tables: the inventories, and which spaces each guest can reach. */
export type LoggedKind = InventoryKind | 'guest_spaces';

/** A logged row as [id, ...LOGGED_COLUMNS[kind]]; guest_spaces' id is `guest_id + ' ' + space_id`. */
export type LoggedRow = ReadonlyArray<string | number | null>;

/** Each logged table's content columns, in digest order. */
export const LOGGED_COLUMNS: { readonly [K in LoggedKind]: readonly string[] } = {
  environments: ['account_id', 'name', 'is_prod', 'raw', 'first_synced_at', 'removed_at'],
  users: ['email', 'name', 'created_at', 'last_active_at', 'raw', 'first_synced_at', 'removed_at'],
  spaces: ['environment_id', 'name', 'created_at', 'archived_at', 'created_by_user_id', 'raw', 'first_synced_at', 'removed_at'],
  guests: ['environment_id', 'email', 'name', 'raw', 'first_synced_at', 'removed_at'],
  agents: ['environment_id', 'slug', 'topics', 'created_at', 'raw', 'first_synced_at', 'removed_at'],
  guest_spaces: ['environment_id', 'last_accessed', 'first_synced_at', 'removed_at'],
  personal_access_tokens: ['name', 'created_at', 'raw', 'first_seen_at', 'removed_at'],
};

/** Keys of a logged table's `raw` left out of its digest: what moves with use, not with a change (see above). */
const USE_KEYS: { readonly [K in LoggedKind]?: readonly string[] } = {
  personal_access_tokens: ['lastUsedAt'],
};

export const LOGGED_KINDS = Object.keys(LOGGED_COLUMNS) as LoggedKind[];

export interface TableDigest {
  rows: number;
  digest: string;
}

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

/** The text a row's digest is taken of: JSON [kind, id, ...LOGGED_COLUMNS], `raw` without its USE_KEYS. */
export function loggedContent(kind: LoggedKind, row: LoggedRow): string {
  const useKeys = USE_KEYS[kind];
  if (!useKeys) return JSON.stringify([kind, ...row]);
  const at = LOGGED_COLUMNS[kind].indexOf('raw') + 1;
  return JSON.stringify([kind, ...row.map((value, i) => (i === at ? withoutKeys(value, useKeys) : value))]);
}

/** `raw` without `keys` at its top level; as it was when it has none of them (or is not a JSON object: then verify tells). */
function withoutKeys(raw: string | number | null, keys: readonly string[]): string | number | null {
  if (typeof raw !== 'string') return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !keys.some((k) => Object.hasOwn(parsed as object, k))) return raw;
  const kept = { ...(parsed as Record<string, unknown>) };
  for (const key of keys) delete kept[key];
  return JSON.stringify(kept);
}

/** The digest of a row's content. */
export function inventoryRowDigest(kind: LoggedKind, row: LoggedRow): Buffer {
  return sha256(loggedContent(kind, row));
}

/** The chain hash of a log entry following `previous` (null for the first entry). */
export function inventoryChangeHash(previous: Buffer | null, kind: LoggedKind, id: string, rowDigest: Buffer, seenAt: string): Buffer {
  return linkHash(previous, sha256(JSON.stringify([kind, id, rowDigest.toString('hex'), seenAt])));
}

/** One digest for a set of rows, whatever order they are read in: SHA-256 of the row digests sorted by id (bytewise). */
export function inventoryTableDigest(rows: Iterable<readonly [id: string, digest: Buffer]>): Buffer {
  const sorted = [...rows].map(([id, digest]) => [Buffer.from(id, 'utf8'), digest] as const).sort((a, b) => Buffer.compare(a[0], b[0]));
  const hash = createHash('sha256');
  for (const [, digest] of sorted) hash.update(digest);
  return hash.digest();
}

/** Every logged table's rows as digests: per table its count and digest, and each row's [kind, id, digest]. */
export function digestTables(rowsOf: (kind: LoggedKind) => readonly LoggedRow[]): { tables: Record<LoggedKind, TableDigest>; rows: Array<[LoggedKind, string, Buffer]> } {
  const rows: Array<[LoggedKind, string, Buffer]> = [];
  const tables = {} as Record<LoggedKind, TableDigest>;
  for (const kind of LOGGED_KINDS) {
    const digests = rowsOf(kind).map((row) => [row[0] as string, inventoryRowDigest(kind, row)] as const);
    tables[kind] = { rows: digests.length, digest: inventoryTableDigest(digests).toString('hex') };
    for (const [id, digest] of digests) rows.push([kind, id, digest]);
  }
  return { tables, rows };
}
