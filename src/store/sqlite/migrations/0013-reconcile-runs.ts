/**
 * Reconciliation (rule 15 of src/store/audit-store.ts): reconcile_runs keeps one row per environment
 * and reconcile, never updated: the window listed again, what it served, and the late events it
 * found (those the incremental runs had missed), how late, and the lookback that would have caught
 * them. listing_windows takes the reconcile listing's window too (kind 'reconcile'): SQLite cannot
 * change a CHECK in place, so the table is rebuilt with its rows, ids, AUTOINCREMENT mark and index as they were.
 *
 * Why both, and not one: listing_windows is the coverage proof of every listing read to its end,
 * written with its last page (rule 12), whatever the listing was for; the drift is a reconcile's
 * finding, counted by the store after the listing (rule 15) with what it was measured against
 * (after_seq, late_before, high_water, lookback_ms), and status reads it from one table.
 */
export const sql = `
CREATE TABLE listing_windows_13 (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  environment_id  TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('incremental', 'catch-up', 'reconcile')),
  since           TEXT,
  until           TEXT NOT NULL,
  started_at      TEXT NOT NULL,
  completed_at    TEXT NOT NULL,
  resumed_at_page INTEGER NOT NULL,
  pages           INTEGER NOT NULL,
  served          INTEGER NOT NULL,
  new_events      INTEGER NOT NULL
);
INSERT INTO listing_windows_13 (id, environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events)
  SELECT id, environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events FROM listing_windows;
-- AUTOINCREMENT's high mark goes along: an id once handed out is never handed out again.
DELETE FROM sqlite_sequence WHERE name = 'listing_windows_13';
INSERT INTO sqlite_sequence (name, seq) SELECT 'listing_windows_13', seq FROM sqlite_sequence WHERE name = 'listing_windows';
DROP TABLE listing_windows;
ALTER TABLE listing_windows_13 RENAME TO listing_windows;
CREATE INDEX listing_windows_environment ON listing_windows (environment_id, completed_at);

CREATE TABLE reconcile_runs (
  id                     INTEGER PRIMARY KEY AUTOINCREMENT,
  environment_id         TEXT NOT NULL,
  trigger                TEXT NOT NULL,
  started_at             TEXT NOT NULL,
  completed_at           TEXT NOT NULL,
  since                  TEXT NOT NULL,
  until                  TEXT NOT NULL,
  pages                  INTEGER NOT NULL,
  served                 INTEGER NOT NULL,
  new_events             INTEGER NOT NULL,
  after_seq              INTEGER NOT NULL,
  late_before            TEXT,
  high_water             TEXT,
  lookback_ms            INTEGER NOT NULL,
  late_events            INTEGER NOT NULL,
  max_late_ms            INTEGER,
  median_late_ms         INTEGER,
  oldest_late_created_at TEXT,
  needed_lookback_ms     INTEGER
);
CREATE INDEX reconcile_runs_environment ON reconcile_runs (environment_id, id);
`;
