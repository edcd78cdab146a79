/** What a database looks like right after its writer died: checked between kills. */
import { existsSync } from 'node:fs';
import { CURSORS_AHEAD_SQL, withReader } from './ground-truth.js';

export interface CrashState {
  /** The schema is in place (the first run may die before or during its migrations). */
  migrated: boolean;
  stored: number;
  cursorsAhead: number;
  /** Environments whose listing was interrupted and will resume. */
  listingsInProgress: number;
  /** sync_runs rows still 'running': runs whose process is gone. */
  runsLeftRunning: number;
  integrity: string;
}

export function crashState(dbPath: string): CrashState {
  const empty: CrashState = { migrated: false, stored: 0, cursorsAhead: 0, listingsInProgress: 0, runsLeftRunning: 0, integrity: 'ok' };
  if (!existsSync(dbPath)) return empty;
  return withReader(dbPath, (db) => {
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
    const migrated = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('events', 'sync_cursors', 'sync_runs')").pluck().get() === 3;
    if (!migrated) return { ...empty, integrity };
    return {
      migrated,
      stored: db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number,
      cursorsAhead: db.prepare(CURSORS_AHEAD_SQL).pluck().get() as number,
      listingsInProgress: db.prepare('SELECT COUNT(*) FROM sync_cursors WHERE listing_next_page IS NOT NULL').pluck().get() as number,
      runsLeftRunning: db.prepare("SELECT COUNT(*) FROM sync_runs WHERE status = 'running'").pluck().get() as number,
      integrity,
    };
  });
}
