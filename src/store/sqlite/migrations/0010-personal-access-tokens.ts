/**
 * The calling user's Personal Access Tokens as an inventory (store rule 6): what Flatfile lists of
 * them, never a token's value, which the API shows once and flatfile-audit never stores.
 * `first_seen_at` is when a sync first listed the token; `removed_at` when a listing no longer did
 * (deleted, or revoked in the dashboard).
 */
export const sql = `
CREATE TABLE personal_access_tokens (
  id            TEXT PRIMARY KEY,
  name          TEXT,
  created_at    TEXT,
  last_used_at  TEXT,
  raw           TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  synced_at     TEXT NOT NULL,
  removed_at    TEXT
);
`;
