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
 *   value as SQLite holds it: text as strings, integers (is_prod) as numbers, NULL as null; without
 *   what moves with activity (ACTIVITY, below)
 * - entry digest = SHA-256(JSON array [kind, id, row digest as hex, seen_at])
 * - chain hash = SHA-256(previous entry's chain hash ‖ entry digest); the first entry: SHA-256(entry digest)
 * - table digest = SHA-256 of the row digests sorted by id (bytewise)
 * `synced_at` (when a row was last seen) is left out: it changes on every sync, and no one reads it as evidence.
 *
 * Activity is not a change (store rule 17). Flatfile moves some fields whenever someone merely uses
 * what the row describes: a token's `lastUsedAt` at every request made with it (the syncs' own
 * included), a user's `lastSeenAt`, a guest's `spaces[].lastAccessed`, a space's `lastActivityAt`
 * (flatfile-api.md). With them covered, every directory sync logged a change and a version of every
 * token, user, guest and space in use, and the log of who was renamed, removed, added or given
 * access drowned in them. So a row's digest (and its version's content, which is the text
 * digested) leaves them out: ACTIVITY's columns count as null, in place, and its paths are removed
 * from `raw`; the row itself keeps them current, as listed. What the log pins is what says who or
 * what a row is and who can reach what: names, emails, when made, the other listed fields, when first
 * seen and whether removed. The price: an edit of an activity field behind the store's back is not
 * evidence verify can find; it lasts until the next sync writes the API's value over it, and the API
 * stays the authority on activity. (Tokens' `last_used_at` column left the layout altogether before
 * any release; the later ones stay in it as null, so that contents digested before keep their layout.)
 *
 * Stores synced before users', guests' and spaces' activity was left out (0.1.0 main of 2026-11-30,
 * before store rule 17 was widened) hold entries digested with it: EARLIER_ACTIVITY, tokens' only. A
 * row still exactly as such an entry logged it matches it (rowMatches), for the writer as for
 * verify, and counts in table digests with the digest its entry has (digestAsLogged), so checkpoints
 * taken on either side of the upgrade agree with the log. Its next entry, once its activity moves, is
 * under today's rule: the one extra entry per active row that the upgrade costs.
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

/** What moves with use, not with a change, in a logged table (store rule 17). */
export interface Activity {
  /** Content columns digested as null. */
  readonly columns?: readonly string[];
  /** Paths in `raw` left out of it: keys, '*' for every element of an array. */
  readonly raw?: ReadonlyArray<readonly string[]>;
}

type ActivityRule = { readonly [K in LoggedKind]?: Activity };

/** Today's rule: what every log entry written since is digested without. */
export const ACTIVITY: ActivityRule = {
  users: { columns: ['last_active_at'], raw: [['lastSeenAt']] },
  spaces: { raw: [['lastActivityAt']] },
  guests: { raw: [['spaces', '*', 'lastAccessed']] },
  guest_spaces: { columns: ['last_accessed'] },
  personal_access_tokens: { raw: [['lastUsedAt']] },
};

/** The rule before (tokens' use only), which entries of stores synced before it was widened are under (see above). Frozen. */
const EARLIER_ACTIVITY: ActivityRule = {
  personal_access_tokens: { raw: [['lastUsedAt']] },
};

export const LOGGED_KINDS = Object.keys(LOGGED_COLUMNS) as LoggedKind[];

export interface TableDigest {
  rows: number;
  digest: string;
}

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

/** The text a row's digest is taken of: JSON [kind, id, ...LOGGED_COLUMNS], without its ACTIVITY. */
export function loggedContent(kind: LoggedKind, row: LoggedRow): string {
  return contentUnder(ACTIVITY, kind, row);
}

function contentUnder(rule: ActivityRule, kind: LoggedKind, row: LoggedRow): string {
  const activity = rule[kind];
  if (!activity) return JSON.stringify([kind, ...row]);
  const columns = LOGGED_COLUMNS[kind];
  const nulled = new Set((activity.columns ?? []).map((c) => columns.indexOf(c) + 1));
  const rawAt = columns.indexOf('raw') + 1;
  return JSON.stringify([kind, ...row.map((value, i) => (nulled.has(i) ? null : i === rawAt && activity.raw ? withoutPaths(value, activity.raw) : value))]);
}

/** `raw` without `paths`; as it was when it holds none of them (or is not JSON: then verify tells). */
function withoutPaths(raw: string | number | null, paths: ReadonlyArray<readonly string[]>): string | number | null {
  if (typeof raw !== 'string') return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  let removed = false;
  for (const path of paths) removed = removePath(parsed, path) || removed;
  return removed ? JSON.stringify(parsed) : raw;
}

/** Deletes `path` from `value` in place; whether anything was there. */
function removePath(value: unknown, path: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null || path.length === 0) return false;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) && value.map((item) => removePath(item, rest)).includes(true);
  if (Array.isArray(value) || !Object.hasOwn(value, head)) return false;
  if (rest.length > 0) return removePath((value as Record<string, unknown>)[head], rest);
  delete (value as Record<string, unknown>)[head];
  return true;
}

/** The digest of a row's content. */
export function inventoryRowDigest(kind: LoggedKind, row: LoggedRow): Buffer {
  return sha256(loggedContent(kind, row));
}

/** The row's digest under the earlier rule, when it differs from today's (the row holds activity only today's rule leaves out). */
function earlierRowDigest(kind: LoggedKind, row: LoggedRow): Buffer | null {
  if (!changedByWidening(kind)) return null;
  const earlier = contentUnder(EARLIER_ACTIVITY, kind, row);
  return earlier === loggedContent(kind, row) ? null : sha256(earlier);
}

/**
 * The digest a row counts with beside its latest entry's (`logged`): today's, or the earlier rule's
 * when that is what the entry holds (a row unchanged since a store synced before the rule was widened).
 */
export function digestAsLogged(kind: LoggedKind, row: LoggedRow, logged: Buffer | undefined): Buffer {
  const digest = inventoryRowDigest(kind, row);
  if (logged === undefined || logged.equals(digest)) return digest;
  const earlier = earlierRowDigest(kind, row);
  return earlier?.equals(logged) ? earlier : digest;
}

/** Whether a row is what its latest entry (its digest `logged`) says, under the rule that entry was written by. */
export function rowMatches(kind: LoggedKind, row: LoggedRow, logged: Buffer | undefined): boolean {
  return logged !== undefined && digestAsLogged(kind, row, logged).equals(logged);
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

/**
 * Every logged table's rows as digests: per table its count and digest, and each row's [kind, id,
 * digest]; with `loggedOf` (a row's latest entry digest), each as logged (digestAsLogged).
 */
export function digestTables(
  rowsOf: (kind: LoggedKind) => readonly LoggedRow[],
  loggedOf?: (kind: LoggedKind, id: string) => Buffer | undefined,
): { tables: Record<LoggedKind, TableDigest>; rows: Array<[LoggedKind, string, Buffer]> } {
  const rows: Array<[LoggedKind, string, Buffer]> = [];
  const tables = {} as Record<LoggedKind, TableDigest>;
  for (const kind of LOGGED_KINDS) {
    const digests = rowsOf(kind).map((row) => {
      const id = row[0] as string;
      return [id, loggedOf ? digestAsLogged(kind, row, loggedOf(kind, id)) : inventoryRowDigest(kind, row)] as const;
    });
    tables[kind] = { rows: digests.length, digest: inventoryTableDigest(digests).toString('hex') };
    for (const [id, digest] of digests) rows.push([kind, id, digest]);
  }
  return { tables, rows };
}

/** The kinds whose rows may count with an earlier rule's digest: only theirs need their latest entries read (digestAsLogged). */
export const KINDS_WITH_EARLIER_RULE: readonly LoggedKind[] = LOGGED_KINDS.filter(changedByWidening);

function changedByWidening(kind: LoggedKind): boolean {
  return JSON.stringify(ACTIVITY[kind] ?? null) !== JSON.stringify(EARLIER_ACTIVITY[kind] ?? null);
}
