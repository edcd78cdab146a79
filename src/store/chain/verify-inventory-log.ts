/**
 * Checks the inventories against their change log (inventory-digests.ts): the log's chain must
 * hold, and every inventory row must match the latest entry logged for it. A row edited, deleted or
 * inserted outside a sync, or a log entry edited or deleted, is reported by kind and id. The same
 * check for every store: the store only hands over the log and the rows (AuditSnapshot).
 */
import type { AuditSnapshot, InventoryChange } from '../audit-snapshot.js';
import { digestTables, inventoryChangeHash, inventoryTableDigest, LOGGED_KINDS, type LoggedKind, type LoggedRow, type TableDigest } from './inventory-digests.js';

export type InventoryProblemKind = 'changed' | 'deleted' | 'unlogged' | 'log-changed' | 'log-missing';

export interface InventoryProblem {
  /** The inventory (table) concerned, or 'inventory_changes' for the log itself. */
  table: LoggedKind | 'inventory_changes';
  kind: InventoryProblemKind;
  id: string | null;
  seq: number | null;
  detail: string;
}

export interface InventoryReport {
  /** False when the file predates the change log (schema version 7): nothing was checked. */
  logged: boolean;
  /** The log's last entry. */
  head: { seq: number; hash: string } | null;
  /** The current rows of each table. */
  tables: Record<LoggedKind, TableDigest>;
  /** The tables as the log says they were right after entry `at.seq` (when asked for). */
  at: { seq: number; tables: Record<LoggedKind, TableDigest> } | null;
  problems: InventoryProblem[];
}

type View = Pick<AuditSnapshot, 'inventoryLogged' | 'eachInventoryChange' | 'inventoryRows'>;

/** Verifies the inventories of `view` (one snapshot); with `stateAtSeq`, also rebuilds the tables' digests as of that log entry. */
export async function verifyInventoryLog(view: View, stateAtSeq?: number): Promise<InventoryReport> {
  if (!(await view.inventoryLogged())) return { logged: false, head: null, tables: (await currentTables(view)).tables, at: null, problems: [] };

  const problems: InventoryProblem[] = [];
  const latest = new Map<string, InventoryChange>();
  let at: InventoryReport['at'] = null;
  let lastSeq = 0;
  // Set in the visitor below: typed so that the compiler does not take it for null after it.
  let lastHash = null as Buffer | null;
  const snapshot = () => ({ seq: stateAtSeq!, tables: tablesFromLog(latest) });
  if (stateAtSeq === 0) at = snapshot();
  await view.eachInventoryChange((entry) => {
    if (entry.seq > lastSeq + 1) {
      problems.push({ table: 'inventory_changes', kind: 'log-missing', id: null, seq: lastSeq + 1, detail: `entries ${lastSeq + 1}..${entry.seq - 1} of the inventory change log were deleted` });
    }
    // Linked on the stored predecessor, so one edited entry is reported once, not with everything after it.
    if (!inventoryChangeHash(lastHash, entry.kind, entry.id, entry.rowDigest, entry.seenAt).equals(entry.chainHash)) {
      problems.push({ table: 'inventory_changes', kind: 'log-changed', id: entry.id, seq: entry.seq, detail: `entry ${entry.seq} (${entry.kind} ${entry.id}) of the inventory change log was changed after it was written` });
    }
    if (at === null && stateAtSeq !== undefined && entry.seq > stateAtSeq) at = snapshot();
    latest.set(key(entry.kind, entry.id), entry);
    lastSeq = entry.seq;
    lastHash = entry.chainHash;
  });
  if (at === null && stateAtSeq !== undefined && stateAtSeq <= lastSeq) at = snapshot();

  // Each row digested as its latest entry has it: a row synced before store rule 17 was widened, and
  // unchanged since, matches its entry under the earlier rule (inventory-digests.ts).
  const { tables, rows } = await currentTables(view, (kind, id) => latest.get(key(kind, id))?.rowDigest);
  for (const [kind, id, digest] of rows) {
    const entry = latest.get(key(kind, id));
    if (!entry) {
      problems.push({ table: kind, kind: 'unlogged', id, seq: null, detail: `${kind} row ${id} was not written by a sync (no change of it was logged): inserted behind its back` });
    } else {
      latest.delete(key(kind, id));
      if (!entry.rowDigest.equals(digest)) {
        problems.push({ table: kind, kind: 'changed', id, seq: entry.seq, detail: `${kind} row ${id} differs from what the last sync that changed it wrote (change ${entry.seq}, seen ${entry.seenAt}): edited behind its back` });
      }
    }
  }
  // Inventory rows are never deleted by a sync (a row gone from the API is only marked removed_at).
  for (const entry of latest.values()) {
    problems.push({ table: entry.kind, kind: 'deleted', id: entry.id, seq: entry.seq, detail: `${entry.kind} row ${entry.id} was deleted (a sync only marks rows removed; last logged at change ${entry.seq})` });
  }
  return { logged: true, head: lastHash ? { seq: lastSeq, hash: lastHash.toString('hex') } : null, tables, at, problems };
}

/** The logged tables' current rows, as digests (with `loggedOf`, each as its latest entry has it). */
async function currentTables(view: View, loggedOf?: (kind: LoggedKind, id: string) => Buffer | undefined) {
  const rows = new Map<LoggedKind, LoggedRow[]>();
  for (const kind of LOGGED_KINDS) rows.set(kind, await view.inventoryRows(kind));
  return digestTables((kind) => rows.get(kind)!, loggedOf);
}

function tablesFromLog(latest: ReadonlyMap<string, InventoryChange>): Record<LoggedKind, TableDigest> {
  const tables = {} as Record<LoggedKind, TableDigest>;
  for (const kind of LOGGED_KINDS) {
    const digests = [...latest.values()].filter((e) => e.kind === kind).map((e) => [e.id, e.rowDigest] as const);
    tables[kind] = { rows: digests.length, digest: inventoryTableDigest(digests).toString('hex') };
  }
  return tables;
}

const key = (kind: string, id: string) => `${kind}\u0000${id}`;
