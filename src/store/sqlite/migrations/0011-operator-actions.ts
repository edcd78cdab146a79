/**
 * What operators did to the sync state (cursor resets, rule 9 of src/store/audit-store.ts): an audit
 * tool audits its own operators. One row per action, never updated; `detail` is JSON with the values
 * before and after.
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
`;
