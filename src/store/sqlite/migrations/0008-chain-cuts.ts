/**
 * Retention (rule 13 of audit-store.ts): where a prune cut each environment's chain. One row per
 * environment and prune run: the first and last sequence it removed and the hash of that last link,
 * which the first remaining event links to, so verify starts the chain there. A prune moves its
 * row's last_seq in the same transaction as each batch it deletes.
 */
export const sql = `
CREATE TABLE chain_cuts (
  id             INTEGER PRIMARY KEY,
  environment_id TEXT NOT NULL,
  prune_id       TEXT NOT NULL,
  first_seq      INTEGER NOT NULL,
  last_seq       INTEGER NOT NULL,
  last_hash      BLOB NOT NULL,
  pruned_at      TEXT NOT NULL,
  command        TEXT NOT NULL,
  archive        TEXT,
  archive_sha256 TEXT,
  UNIQUE (environment_id, prune_id)
);
CREATE INDEX chain_cuts_environment ON chain_cuts(environment_id, last_seq);
`;
