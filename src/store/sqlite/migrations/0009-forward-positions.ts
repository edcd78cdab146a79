/**
 * Forwarding (src/forward/): each destination's position in the trail's ingestion order (store
 * rules 9 and 10). On SQLite a position is the events table's rowid, so events need nothing new.
 */
export const sql = `
CREATE TABLE forward_positions (
  destination   TEXT PRIMARY KEY,
  position      TEXT NOT NULL,
  forwarded     INTEGER NOT NULL DEFAULT 0,
  updated_at    TEXT NOT NULL,
  last_error    TEXT,
  last_error_at TEXT
);
`;
