/** The Personal Access Token inventory: SQLite migration 10 (see there) in PostgreSQL's types. */
export const sql = `
CREATE TABLE personal_access_tokens (
  id            text COLLATE "C" PRIMARY KEY,
  name          text,
  created_at    timestamptz,
  last_used_at  timestamptz,
  raw           jsonb NOT NULL,
  first_seen_at timestamptz NOT NULL,
  synced_at     timestamptz NOT NULL,
  removed_at    timestamptz,
  raw_text      text NOT NULL
);
`;
