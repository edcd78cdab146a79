/**
 * What operators did to the sync state (cursor resets, rule 11 of src/store/audit-store.ts): an audit
 * tool audits its own operators. One row per action, never updated; `detail` is JSON with the values
 * before and after. And listing_windows (rule 12): every listing that read to its end, what it
 * covered and what it found, the evidence that nothing was missed.
 */
export const sql = `
CREATE TABLE operator_actions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  at             TEXT NOT NULL,
  action         TEXT NOT NULL,
  environment_id TEXT,
  operator       TEXT NOT NULL,
  host           TEXT NOT NULL,
  detail         TEXT NOT NULL CHECK (json_valid(detail))
);
CREATE INDEX operator_actions_environment ON operator_actions (environment_id, id);

CREATE TABLE listing_windows (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  environment_id  TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('incremental', 'catch-up')),
  since           TEXT,
  until           TEXT NOT NULL,
  started_at      TEXT NOT NULL,
  completed_at    TEXT NOT NULL,
  resumed_at_page INTEGER NOT NULL,
  pages           INTEGER NOT NULL,
  served          INTEGER NOT NULL,
  new_events      INTEGER NOT NULL
);
CREATE INDEX listing_windows_environment ON listing_windows (environment_id, completed_at);
`;
