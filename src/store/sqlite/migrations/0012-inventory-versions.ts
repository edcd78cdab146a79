/**
 * Who was who, at the time (see ../../chain/inventory-version.ts): `inventory_versions` keeps each
 * inventory change log entry's row content, valid from the record's updatedAt or when first seen;
 * `audit_trail` names the actor as at the event's time (actor_name, actor_email) and today
 * (actor_current_name, actor_current_email), and gains the event's context columns; the views
 * `guest_access_changes` and `guest_access` tell which guest could reach which space, from when
 * until when. Rows stored before this version get one version each: their latest log entry's.
 */
import type { SqliteDatabase } from '../open.js';

export const sql = `
CREATE TABLE inventory_versions (
  seq            INTEGER PRIMARY KEY REFERENCES inventory_changes(seq),
  kind           TEXT NOT NULL,
  id             TEXT NOT NULL,
  environment_id TEXT,
  valid_from     TEXT NOT NULL,
  name           TEXT,
  email          TEXT,
  removed_at     TEXT,
  content        TEXT NOT NULL
);
-- The as-of lookup: the last version of an id with valid_from <= a time, one index search per event.
CREATE INDEX inventory_versions_as_of ON inventory_versions(id, valid_from, seq);
CREATE INDEX inventory_versions_kind ON inventory_versions(kind, id, seq);

DROP VIEW audit_trail;
-- One row per event, joined to whoever caused it: as they were when the event happened (the version
-- of the actor valid at created_at, else the earliest known) and as they are now (actor_current_*).
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
  CASE WHEN v.seq IS NULL THEN COALESCE(u.name, g.name, a.slug) ELSE v.name END AS actor_name,
  CASE WHEN v.seq IS NULL THEN COALESCE(u.email, g.email) ELSE v.email END      AS actor_email,
  COALESCE(u.removed_at, g.removed_at, a.removed_at) AS actor_removed_at,
  e.workbook_id    AS workbook_id,
  e.sheet_id       AS sheet_id,
  e.job_id         AS job_id,
  e.acknowledged_at AS acknowledged_at,
  COALESCE(u.name, g.name, a.slug) AS actor_current_name,
  COALESCE(u.email, g.email)       AS actor_current_email,
  json_extract(e.raw, '$.context.fileId')     AS file_id,
  json_extract(e.raw, '$.context.documentId') AS document_id,
  json_extract(e.raw, '$.context.appId')      AS app_id,
  json_extract(e.raw, '$.context.actionName') AS action_name,
  json_extract(e.raw, '$.origin.id')          AS origin_id,
  json_extract(e.raw, '$.acknowledgedBy')     AS acknowledged_by,
  CASE WHEN e.domain = 'job' THEN json_extract(e.raw, '$.payload.status') END AS outcome,
  env.is_prod      AS is_prod,
  sp.name          AS space_name,
  e.deleted_at     AS deleted_at,
  e.ingested_at    AS ingested_at
FROM events e
LEFT JOIN environments env ON env.id = e.environment_id
LEFT JOIN users u ON u.id = e.actor_id
LEFT JOIN guests g ON g.id = e.actor_id
LEFT JOIN agents a ON a.id = e.actor_id
LEFT JOIN spaces sp ON sp.id = e.space_id
LEFT JOIN inventory_versions v ON v.seq = COALESCE(
  (SELECT seq FROM inventory_versions WHERE id = e.actor_id AND valid_from <= e.created_at ORDER BY valid_from DESC, seq DESC LIMIT 1),
  (SELECT seq FROM inventory_versions WHERE id = e.actor_id ORDER BY valid_from, seq LIMIT 1)
);

-- Each time a guest gained or lost a space: from the space:guestAdded / space:guestRemoved events
-- (exact times), and from the guest_spaces inventory (when a sync first saw the membership, or saw it gone).
CREATE VIEW guest_access_changes AS
SELECT
  e.environment_id AS environment_id,
  COALESCE(json_extract(e.raw, '$.payload.guestId'), json_extract(e.raw, '$.payload.guest.id')) AS guest_id,
  e.space_id       AS space_id,
  e.created_at     AS at,
  CASE e.topic WHEN 'space:guestAdded' THEN 'granted' ELSE 'revoked' END AS change,
  'event'          AS source,
  e.id             AS event_id,
  e.actor_id       AS changed_by
FROM events e
WHERE e.topic IN ('space:guestAdded', 'space:guestRemoved')
UNION ALL
SELECT
  environment_id,
  substr(id, 1, instr(id, ' ') - 1),
  substr(id, instr(id, ' ') + 1),
  valid_from,
  CASE WHEN removed_at IS NULL THEN 'granted' ELSE 'revoked' END,
  'inventory',
  NULL,
  NULL
FROM (
  SELECT v.*, LAG(v.removed_at IS NULL) OVER (PARTITION BY v.id ORDER BY v.seq) AS was_present
  FROM inventory_versions v WHERE v.kind = 'guest_spaces'
) m
WHERE was_present IS NULL OR was_present <> (removed_at IS NULL);

-- Which guest could reach which space, from when until when (revoked_at NULL: still can; granted_at
-- NULL: since before anything recorded). A change that repeats the state before it (an event, then
-- the sync that saw its effect) starts nothing new.
CREATE VIEW guest_access AS
SELECT
  environment_id,
  guest_id,
  space_id,
  CASE WHEN change = 'granted' THEN at END                    AS granted_at,
  CASE WHEN change = 'granted' THEN next_at ELSE at END       AS revoked_at,
  CASE WHEN change = 'granted' THEN changed_by END            AS granted_by,
  CASE WHEN change = 'granted' THEN next_by ELSE changed_by END AS revoked_by
FROM (
  SELECT s.*, LEAD(at) OVER w AS next_at, LEAD(changed_by) OVER w AS next_by
  FROM (
    SELECT c.*, LAG(change) OVER (PARTITION BY guest_id, space_id ORDER BY at, source, event_id) AS previous_change
    FROM guest_access_changes c
    WHERE guest_id IS NOT NULL AND space_id IS NOT NULL
  ) s
  WHERE previous_change IS NULL OR previous_change <> change
  WINDOW w AS (PARTITION BY guest_id, space_id ORDER BY at, source, event_id)
) t
WHERE change = 'granted' OR previous_change IS NULL;
`;

// A frozen copy of the logged tables as this migration found them (inventory-log.ts at version 12),
// so that changing the live code can never change what this migration writes.
const TABLES: ReadonlyArray<{ kind: string; table: string; idSql: string; columns: string[] }> = [
  { kind: 'environments', table: 'environments', idSql: 'id', columns: ['account_id', 'name', 'is_prod', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'users', table: 'users', idSql: 'id', columns: ['email', 'name', 'created_at', 'last_active_at', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'spaces', table: 'spaces', idSql: 'id', columns: ['environment_id', 'name', 'created_at', 'archived_at', 'created_by_user_id', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'guests', table: 'guests', idSql: 'id', columns: ['environment_id', 'email', 'name', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'agents', table: 'agents', idSql: 'id', columns: ['environment_id', 'slug', 'topics', 'created_at', 'raw', 'first_synced_at', 'removed_at'] },
  { kind: 'guest_spaces', table: 'guest_spaces', idSql: "guest_id || ' ' || space_id", columns: ['environment_id', 'last_accessed', 'first_synced_at', 'removed_at'] },
];

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * One version per stored row, from its latest log entry: valid from its removal if removed, else
 * from its updatedAt (when not after that entry), else from when it was first synced.
 */
export function run(db: SqliteDatabase): void {
  const latest = db.prepare<[string, string], { seq: number; seen_at: string }>('SELECT seq, seen_at FROM inventory_changes WHERE kind = ? AND id = ? ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO inventory_versions (seq, kind, id, environment_id, valid_from, name, email, removed_at, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const { kind, table, idSql, columns } of TABLES) {
    const rows = db.prepare(`SELECT ${idSql} AS id, ${columns.join(', ')} FROM ${table} ORDER BY id`).raw(true).all() as Array<Array<string | number | null>>;
    const at = (row: Array<string | number | null>, name: string) => {
      const i = columns.indexOf(name);
      return i < 0 ? null : (row[i + 1] ?? null);
    };
    for (const row of rows) {
      const id = row[0] as string;
      const entry = latest.get(kind, id);
      if (!entry) continue; // every row has one since version 7; a row added behind the store's back is verify's finding
      const removedAt = isoOrNull(at(row, 'removed_at'));
      let updatedAt: string | null = null;
      const raw = at(row, 'raw');
      if (removedAt === null && typeof raw === 'string') {
        try {
          updatedAt = isoOrNull((JSON.parse(raw) as { updatedAt?: unknown }).updatedAt);
        } catch {
          updatedAt = null;
        }
      }
      const validFrom = removedAt ?? (updatedAt !== null && updatedAt <= entry.seen_at ? updatedAt : (at(row, 'first_synced_at') as string));
      const environmentId = kind === 'environments' ? id : (at(row, 'environment_id') as string | null);
      const name = at(row, kind === 'agents' ? 'slug' : 'name');
      insert.run(entry.seq, kind, id, environmentId, validFrom, name === null ? null : String(name), at(row, 'email'), removedAt, JSON.stringify([kind, ...row]));
    }
  }
}
