/**
 * Compares an audit database with the simulator's ground truth. Every figure is computed from the
 * file (a separate read-only connection) and the simulator, never assumed: the summary table of
 * the fault suite prints these numbers.
 */
import Database from 'better-sqlite3';
import type { Simulator } from '../../../src/simulator/index.js';

export interface Tally {
  /** Events the API shows (ground truth). */
  expected: number;
  /** Rows in `events`. */
  stored: number;
  /** Expected ids with no row. */
  missing: number;
  /** Rows beyond one per id, in `events` and in `audit_trail`. */
  duplicated: number;
  /** Stored ids the API never showed (invented, or from an environment outside the scope). */
  extra: number;
  /** Rows of the audit_trail view. */
  auditRows: number;
  /** Events whose actor the simulator knows (a live user, guest or agent) but audit_trail cannot name. */
  unresolvedActors: number;
  /** Cursors whose high-water mark or listing position is newer than the newest event stored for them. */
  cursorsAhead: number;
  /** PRAGMA integrity_check. */
  integrity: string;
}

/** A Tally with everything as it should be after a complete sync. */
export function exactTally(expected: number): Tally {
  return { expected, stored: expected, missing: 0, duplicated: 0, extra: 0, auditRows: expected, unresolvedActors: 0, cursorsAhead: 0, integrity: 'ok' };
}

export function isExact(t: Tally): boolean {
  return JSON.stringify(t) === JSON.stringify(exactTally(t.expected));
}

/** Opens the file read-only, as an analyst would, and closes it after `read`. */
export function withReader<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Rows in `events`, or 0 while the file does not exist or is not migrated yet. */
export function storedCount(dbPath: string): number {
  try {
    return withReader(dbPath, (db) => db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
  } catch {
    return 0;
  }
}

/** Environments whose cursor is newer than the data it covers (must always be 0, even mid-crash). */
export const CURSORS_AHEAD_SQL = `
  SELECT COUNT(*) FROM sync_cursors c
  WHERE (c.high_water IS NOT NULL
         AND c.high_water > COALESCE((SELECT MAX(created_at) FROM events e WHERE e.environment_id = c.environment_id), ''))
     OR (c.listing_max_created_at IS NOT NULL
         AND c.listing_max_created_at > COALESCE((SELECT MAX(created_at) FROM events e WHERE e.environment_id = c.environment_id), ''))`;

export function cursorsAhead(dbPath: string): number {
  return withReader(dbPath, (db) => db.prepare(CURSORS_AHEAD_SQL).pluck().get() as number);
}

export interface TallyScope {
  /** Only these environments (default: every environment the API still shows). */
  environmentIds?: readonly string[];
}

/** The database against the simulator right now. */
export function tally(dbPath: string, sim: Simulator, scope: TallyScope = {}): Tally {
  const environmentIds = scope.environmentIds ?? sim.environments().map((e) => e.id);
  const expectedIds = new Set(environmentIds.flatMap((id) => sim.eventIds(id)));
  const knownActors = new Set<string>([
    ...sim.users().map((u) => u.id),
    ...sim.guests().filter((g) => g.spaces.length > 0).map((g) => g.id),
    ...sim.agents().map((a) => a.id),
  ]);
  return withReader(dbPath, (db) => {
    const inScope = `environment_id IN (SELECT value FROM json_each(?))`;
    const scopeJson = JSON.stringify(environmentIds);
    const storedIds = db.prepare(`SELECT id FROM events WHERE ${inScope}`).pluck().all(scopeJson) as string[];
    const distinctStored = new Set(storedIds);
    const auditIds = db.prepare(`SELECT event_id FROM audit_trail WHERE ${inScope}`).pluck().all(scopeJson) as string[];
    const unnamed = db
      .prepare(`SELECT actor_id FROM audit_trail WHERE ${inScope} AND actor_id IS NOT NULL AND actor_name IS NULL`)
      .pluck()
      .all(scopeJson) as string[];
    return {
      expected: expectedIds.size,
      stored: storedIds.length,
      missing: [...expectedIds].filter((id) => !distinctStored.has(id)).length,
      duplicated: storedIds.length - distinctStored.size + (auditIds.length - new Set(auditIds).size),
      extra: [...distinctStored].filter((id) => !expectedIds.has(id)).length,
      auditRows: auditIds.length,
      unresolvedActors: unnamed.filter((id) => knownActors.has(id)).length,
      cursorsAhead: db.prepare(CURSORS_AHEAD_SQL).pluck().get() as number,
      integrity: (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; '),
    };
  });
}
