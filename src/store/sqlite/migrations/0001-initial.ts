/** The first schema: events and their cursors, the inventories, runs, and the audit_trail view. */
export const sql = `
CREATE TABLE environments (
  id              TEXT PRIMARY KEY,
  account_id      TEXT,
  name            TEXT NOT NULL,
  is_prod         INTEGER NOT NULL DEFAULT 0,
  raw             TEXT NOT NULL,
  first_synced_at TEXT NOT NULL,
  synced_at       TEXT NOT NULL,
  removed_at      TEXT
);

CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  email           TEXT,
  name            TEXT,
  created_at      TEXT,
  last_active_at  TEXT,
  raw             TEXT NOT NULL,
  first_synced_at TEXT NOT NULL,
  synced_at       TEXT NOT NULL,
  removed_at      TEXT
);
CREATE INDEX users_email ON users(email);

CREATE TABLE spaces (
  id                 TEXT PRIMARY KEY,
  environment_id     TEXT NOT NULL,
  name               TEXT,
  created_at         TEXT,
  archived_at        TEXT,
  created_by_user_id TEXT,
  raw                TEXT NOT NULL,
  first_synced_at    TEXT NOT NULL,
  synced_at          TEXT NOT NULL,
  removed_at         TEXT
);
CREATE INDEX spaces_environment ON spaces(environment_id);

CREATE TABLE guests (
  id              TEXT PRIMARY KEY,
  environment_id  TEXT NOT NULL,
  email           TEXT,
  name            TEXT,
  raw             TEXT NOT NULL,
  first_synced_at TEXT NOT NULL,
  synced_at       TEXT NOT NULL,
  removed_at      TEXT
);
CREATE INDEX guests_environment ON guests(environment_id);
CREATE INDEX guests_email ON guests(email);

-- Which spaces a guest can reach: one row per (guest, space), so a guest in several spaces is still one guest.
CREATE TABLE guest_spaces (
  guest_id        TEXT NOT NULL,
  space_id        TEXT NOT NULL,
  environment_id  TEXT NOT NULL,
  last_accessed   TEXT,
  first_synced_at TEXT NOT NULL,
  synced_at       TEXT NOT NULL,
  removed_at      TEXT,
  PRIMARY KEY (guest_id, space_id)
);
CREATE INDEX guest_spaces_space ON guest_spaces(space_id);

CREATE TABLE agents (
  id              TEXT PRIMARY KEY,
  environment_id  TEXT NOT NULL,
  slug            TEXT,
  topics          TEXT NOT NULL,
  created_at      TEXT,
  raw             TEXT NOT NULL,
  first_synced_at TEXT NOT NULL,
  synced_at       TEXT NOT NULL,
  removed_at      TEXT
);
CREATE INDEX agents_environment ON agents(environment_id);

CREATE TABLE events (
  id              TEXT PRIMARY KEY,
  environment_id  TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  topic           TEXT NOT NULL,
  domain          TEXT NOT NULL,
  actor_id        TEXT,
  space_id        TEXT,
  workbook_id     TEXT,
  sheet_id        TEXT,
  job_id          TEXT,
  acknowledged_at TEXT,
  deleted_at      TEXT,
  ingested_at     TEXT NOT NULL,
  raw             TEXT NOT NULL
);
CREATE INDEX events_environment_time ON events(environment_id, created_at);
CREATE INDEX events_actor_time ON events(actor_id, created_at);
CREATE INDEX events_topic_time ON events(topic, created_at);
CREATE INDEX events_time ON events(created_at);

-- Events the API sent that failed validation; one row per distinct payload, however often re-read.
CREATE TABLE rejected_events (
  id              INTEGER PRIMARY KEY,
  environment_id  TEXT NOT NULL,
  event_id        TEXT,
  reason          TEXT NOT NULL,
  raw             TEXT NOT NULL,
  raw_sha256      TEXT NOT NULL,
  first_seen_at   TEXT NOT NULL,
  last_seen_at    TEXT NOT NULL,
  times_seen      INTEGER NOT NULL DEFAULT 1,
  UNIQUE (environment_id, raw_sha256)
);

CREATE TABLE sync_cursors (
  environment_id         TEXT PRIMARY KEY,
  high_water             TEXT,
  listing_since          TEXT,
  listing_page_size      INTEGER,
  listing_next_page      INTEGER,
  listing_max_created_at TEXT,
  listing_started_at     TEXT,
  last_success_at        TEXT,
  last_error             TEXT,
  last_error_at          TEXT,
  updated_at             TEXT NOT NULL
);

CREATE TABLE sync_runs (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  trigger             TEXT NOT NULL,
  started_at          TEXT NOT NULL,
  finished_at         TEXT,
  status              TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed')),
  new_events          INTEGER NOT NULL DEFAULT 0,
  rejected            INTEGER NOT NULL DEFAULT 0,
  pages               INTEGER NOT NULL DEFAULT 0,
  requests            INTEGER NOT NULL DEFAULT 0,
  environments_ok     INTEGER NOT NULL DEFAULT 0,
  environments_failed INTEGER NOT NULL DEFAULT 0,
  error               TEXT,
  details             TEXT
);

-- One row per event, joined to whoever caused it. A view, so an actor fetched after the event was
-- stored resolves at once, and joins on primary keys can never multiply rows.
CREATE VIEW audit_trail AS
SELECT
  e.id             AS event_id,
  e.created_at     AS created_at,
  e.environment_id AS environment_id,
  env.name         AS environment_name,
  e.topic          AS topic,
  e.domain         AS domain,
  e.space_id       AS space_id,
  e.actor_id       AS actor_id,
  CASE
    WHEN e.actor_id IS NULL THEN 'unknown'
    WHEN substr(e.actor_id, 1, 7) = 'us_usr_' THEN 'user'
    WHEN substr(e.actor_id, 1, 5) = 'us_g_' THEN 'guest'
    WHEN substr(e.actor_id, 1, 6) = 'us_ag_' THEN 'agent'
    WHEN substr(e.actor_id, 1, 7) = 'us_key_' THEN 'api_key'
    ELSE 'unknown'
  END              AS actor_type,
  COALESCE(u.name, g.name, a.slug) AS actor_name,
  COALESCE(u.email, g.email)       AS actor_email,
  COALESCE(u.removed_at, g.removed_at, a.removed_at) AS actor_removed_at,
  e.workbook_id    AS workbook_id,
  e.sheet_id       AS sheet_id,
  e.job_id         AS job_id,
  e.acknowledged_at AS acknowledged_at
FROM events e
LEFT JOIN environments env ON env.id = e.environment_id
LEFT JOIN users u ON u.id = e.actor_id
LEFT JOIN guests g ON g.id = e.actor_id
LEFT JOIN agents a ON a.id = e.actor_id;
`;
