/**
 * Checks the inventory versions (rule 14, inventory-version.ts) against the change log they come
 * from (store rule 18): what `audit_trail.actor_name` / `actor_email` and `guest_access` read is only
 * as good as these rows, and none of their columns is hashed on its own. A version is covered through
 * its log entry (same `seq`): the entry's row digest is the SHA-256 of the version's `content`, and
 * the log's chain covers the entry (verify-inventory-log.ts checks that chain). Every other column is
 * derived from the content and the entry, so it is recomputed here, not trusted:
 * - kind and id must be the entry's; environment_id, name, email, removed_at what inventoryVersion
 *   takes from the content;
 * - valid_from what the writer derives (inventoryVersion with the row's previous version), or, for
 *   the one version SQLite migration 12 / PostgreSQL migration 6 gave each row already stored, what
 *   that migration derived (backfillValidFrom below, a frozen copy of its rule);
 * - every entry has its version, except entries made before versions existed: those that a later
 *   entry of the same row superseded before the migration, and personal access tokens', which the
 *   migration did not version. An entry without a version is reported when its row has a version
 *   before it, when it is a row's latest (tokens' aside), or when it comes at or after the first
 *   transaction holding a version only a sync writes (a row's second); a row's first version that
 *   follows entries without one is the migration's only if it precedes that transaction, else its
 *   row's version before it was deleted.
 * Left undetected, because nothing records when migration 12 ran: a row's first version deleted when
 * the next one reads the same either way (the migration's rule and the writer's agree on it) and no
 * version only a sync writes precedes it. Checkpoints anchor the log head, which covers every
 * version's content; the versions' other columns are checked here, not anchored.
 *
 * What `audit_trail` reads, and what covers it (README, "What verify covers"):
 * - events (every column, `raw` and what the view extracts from it): the event chains.
 * - environments (name, is_prod), spaces (name), users / guests / agents as they are now
 *   (actor_current_*, actor_removed_at), guest_spaces: the inventory change log (each row must
 *   match its latest entry), checked by plain `verify` too.
 * - inventory_versions (actor_name, actor_email as at the event; guest_access): here.
 * - actor_type: computed from the actor id's prefix by the view itself.
 * Not covered by any hash, left as they are: the views' own SQL (a redefined `audit_trail` could
 * map names at will; `verify --checkpoints` finds it, since each checkpoint records the schema's
 * digest, but plain `verify` does not, as comparing needs the migrations' schema built beside the
 * store), `synced_at` (when a row was last seen: changes every sync, read by no view),
 * operator_actions, sync_runs, rejected_events, cursors and listing windows (the trail reads none of
 * them; operator_actions says who reset a cursor, which a checkpoint does not anchor either).
 * personal_access_tokens are logged and versioned like the rest but the trail reads neither.
 */
import { createHash } from 'node:crypto';
import type { AuditSnapshot, InventoryChange, StoredInventoryVersion } from '../audit-snapshot.js';
import { LOGGED_COLUMNS, LOGGED_KINDS, type LoggedKind, type LoggedRow } from './inventory-digests.js';
import { inventoryVersion, normalisedTime } from './inventory-version.js';

export type VersionProblemKind = 'version-changed' | 'version-forged' | 'version-missing';

export interface VersionProblem {
  kind: VersionProblemKind;
  /** The inventory the version is of, as the version (or its entry) says. */
  table: string;
  id: string;
  /** The version's seq, which is its change log entry's. */
  seq: number;
  detail: string;
}

export interface VersionReport {
  /** False when the store predates versions (or the log): nothing was checked. */
  versioned: boolean;
  versions: number;
  problems: VersionProblem[];
}

type View = Pick<AuditSnapshot, 'inventoryLogged' | 'inventoryVersioned' | 'eachInventoryChange' | 'eachInventoryVersion'>;
type Entry = Pick<InventoryChange, 'kind' | 'id' | 'rowDigest' | 'seenAt'>;

/** Personal access tokens' entries made before migration 12 have no versions: the migration left them out. */
const UNBACKFILLED: ReadonlySet<string> = new Set(['personal_access_tokens']);

const key = (kind: string, id: string) => `${kind}\u0000${id}`;

/** Verifies every inventory version of `view` (one snapshot) against its change log entry. */
export async function verifyInventoryVersions(view: View): Promise<VersionReport> {
  if (!(await view.inventoryLogged()) || !(await view.inventoryVersioned())) return { versioned: false, versions: 0, problems: [] };
  const entries = new Map<number, Entry>();
  const entriesOfRow = new Map<string, number[]>();
  await view.eachInventoryChange((e) => {
    entries.set(e.seq, { kind: e.kind, id: e.id, rowDigest: e.rowDigest, seenAt: e.seenAt });
    const k = key(e.kind, e.id);
    const list = entriesOfRow.get(k);
    if (list) list.push(e.seq);
    else entriesOfRow.set(k, [e.seq]);
  });

  const problems: VersionProblem[] = [];
  const report = (kind: VersionProblemKind, table: string, id: string, seq: number, detail: string) => problems.push({ kind, table, id, seq, detail });
  const versioned = new Set<number>();
  /** Per row: the valid_from the next version derives from (the writer reads the previous version's). */
  const previousOf = new Map<string, string>();
  let firstSyncOnly: number | null = null;
  const migrationOnly: Array<{ seq: number; table: string; id: string; entryBefore: number; validFrom: string; migrated: string | null }> = [];
  const reportedMissing = new Set<number>();
  const missing = (table: string, id: string, seq: number, because: string) => {
    if (reportedMissing.has(seq)) return;
    reportedMissing.add(seq);
    report('version-missing', table, id, seq, `${table} ${id} version ${seq} is missing (${because}): deleted behind the store's back`);
  };
  let versions = 0;

  await view.eachInventoryVersion((v) => {
    versions += 1;
    const entry = entries.get(v.seq);
    const name = `${v.kind} ${v.id} version ${v.seq}`;
    if (!entry) {
      report('version-forged', v.kind, v.id, v.seq, `${name} has no entry in the inventory change log: inserted behind the store's back`);
      return;
    }
    versioned.add(v.seq);
    const rowKey = key(entry.kind, entry.id);
    if (entry.kind !== v.kind || entry.id !== v.id) {
      report('version-changed', entry.kind, entry.id, v.seq, `${entry.kind} ${entry.id} version ${v.seq}: it says ${v.kind} ${v.id}, which change ${v.seq} of the log is not of: edited behind the store's back`);
      previousOf.set(rowKey, v.validFrom); // reported once: the row's next version reads on from it, as the writer did
      return;
    }
    const row = contentRow(v, entry);
    if (typeof row === 'string') {
      report('version-changed', v.kind, v.id, v.seq, `${name}: ${row}: edited behind the store's back`);
      previousOf.set(rowKey, v.validFrom);
      return;
    }
    const previous = previousOf.get(rowKey);
    const earlierEntries = (entriesOfRow.get(rowKey)?.[0] ?? v.seq) < v.seq;
    const derived = inventoryVersion(entry.kind, row, entry.seenAt, previous === undefined ? undefined : { validFrom: previous });
    const wrong = derivedColumns(v, derived);
    if (wrong) report('version-changed', v.kind, v.id, v.seq, `${name}: ${wrong}, not what its content says: edited behind the store's back`);

    // Who can have written it: a sync (a row's later version, or a first one of a row whose earlier
    // entries were never versioned because migration 12 skipped its kind), migration 12 (a first
    // version after entries that have none), or either (a row's first entry).
    const migrated = backfillValidFrom(entry.kind, row, entry.seenAt);
    const by: 'sync' | 'migration' | 'either' = previous !== undefined || (earlierEntries && UNBACKFILLED.has(v.kind)) ? 'sync' : earlierEntries ? 'migration' : 'either';
    const expected = (by === 'migration' ? [migrated] : by === 'sync' ? [derived.validFrom] : [derived.validFrom, migrated]).filter((t): t is string => t !== null);
    if (by === 'migration') {
      // Judged once the first sync-only version is known (below): the migration's, or a sync's whose version before is gone.
      const rowEntries = entriesOfRow.get(rowKey)!;
      const entryBefore = rowEntries[rowEntries.indexOf(v.seq) - 1]!; // a row's first version only: searched once per row
      migrationOnly.push({ seq: v.seq, table: v.kind, id: v.id, entryBefore, validFrom: v.validFrom, migrated });
      previousOf.set(rowKey, v.validFrom === migrated || v.validFrom === derived.validFrom ? v.validFrom : (migrated ?? v.validFrom));
    } else if (expected.includes(v.validFrom)) {
      previousOf.set(rowKey, v.validFrom);
    } else {
      report('version-changed', v.kind, v.id, v.seq, `${name}: valid from ${v.validFrom}, but change ${v.seq} makes it ${expected.join(' or ') || 'nothing readable'}: edited behind the store's back`);
      previousOf.set(rowKey, expected[0] ?? v.validFrom);
    }
    if (by === 'sync' && firstSyncOnly === null) firstSyncOnly = v.seq;
  });

  // Migration 12 ran once, between two writing transactions (whose entries share one seen_at): every
  // version it wrote precedes the transaction of the first version only a sync writes, and every
  // entry from that transaction on has its version.
  let syncFrom = firstSyncOnly as number | null;
  while (syncFrom !== null && entries.get(syncFrom - 1)?.seenAt === entries.get(syncFrom)!.seenAt) syncFrom -= 1;
  for (const m of migrationOnly) {
    if (syncFrom !== null && m.seq >= syncFrom) {
      missing(m.table, m.id, m.entryBefore, `a sync versioned every change from change ${syncFrom} on, and version ${m.seq} of the row after it is among them`);
    } else if (m.validFrom !== m.migrated) {
      report('version-changed', m.table, m.id, m.seq, `${m.table} ${m.id} version ${m.seq}: valid from ${m.validFrom}, but the migration that versioned change ${m.seq} made it ${m.migrated ?? 'nothing readable'}: edited behind the store's back`);
    }
  }
  for (const [rowKey, seqs] of entriesOfRow) {
    const [kind, id] = rowKey.split('\u0000') as [string, string];
    let versionBefore: number | null = null;
    for (const [i, seq] of seqs.entries()) {
      if (versioned.has(seq)) {
        versionBefore = seq;
        continue;
      }
      const latest = i === seqs.length - 1;
      const because =
        versionBefore !== null ? `change ${versionBefore} of the row before it has one`
        : syncFrom !== null && seq >= syncFrom ? `versions were written with every change from change ${syncFrom} on`
        : latest && !UNBACKFILLED.has(kind) ? "it is the row's latest change, and every row's latest has one"
        : null;
      if (because) missing(kind, id, seq, because);
    }
  }
  problems.sort((a, b) => a.seq - b.seq);
  return { versioned: true, versions, problems };
}

/** The logged row a version's content holds, or what is wrong with it. */
function contentRow(v: StoredInventoryVersion, entry: Entry): LoggedRow | string {
  if (typeof v.content !== 'string' || !createHash('sha256').update(v.content).digest().equals(entry.rowDigest)) {
    return `its content is not what change ${v.seq} of the log recorded (at ${entry.seenAt})`;
  }
  // The digest matched, so this is the JSON a sync wrote: [kind, id, ...columns].
  const parsed = JSON.parse(v.content) as LoggedRow;
  if (!LOGGED_KINDS.includes(parsed[0] as LoggedKind) || parsed[0] !== entry.kind || parsed[1] !== entry.id) return `its content is of ${String(parsed[0])} ${String(parsed[1])}`;
  return parsed.slice(1);
}

/** The first derived column that differs from what the content says, as a phrase; null when all match. */
function derivedColumns(v: StoredInventoryVersion, derived: ReturnType<typeof inventoryVersion>): string | null {
  const pairs = [
    ['environment_id', v.environmentId, derived.environmentId],
    ['name', v.name, derived.name],
    ['email', v.email, derived.email],
    ['removed_at', v.removedAt, derived.removedAt],
  ] as const;
  for (const [column, stored, expected] of pairs) {
    if (stored !== expected) return `its ${column} is ${JSON.stringify(stored)} where its content says ${JSON.stringify(expected)}`;
  }
  return null;
}

/**
 * The valid_from SQLite migration 12 and PostgreSQL migration 6 gave the one version of a row they
 * found stored (a frozen copy of their rule, which differs from the writer's): from its removal if
 * removed, else from its updatedAt when not after the entry was seen, else from when first synced.
 */
export function backfillValidFrom(kind: LoggedKind, row: LoggedRow, seenAt: string): string | null {
  const at = (name: string) => {
    const i = LOGGED_COLUMNS[kind].indexOf(name);
    return i < 0 ? null : (row[i + 1] ?? null);
  };
  const removedAt = normalisedTime(at('removed_at'));
  if (removedAt !== null) return removedAt;
  let updatedAt: string | null = null;
  const raw = at('raw');
  if (typeof raw === 'string') {
    try {
      updatedAt = normalisedTime((JSON.parse(raw) as { updatedAt?: unknown }).updatedAt);
    } catch {
      updatedAt = null;
    }
  }
  return updatedAt !== null && updatedAt <= seenAt ? updatedAt : (at('first_synced_at') as string | null);
}
