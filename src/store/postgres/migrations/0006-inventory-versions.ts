/**
 * SQLite migration 12 on PostgreSQL (see src/store/sqlite/migrations/0012-inventory-versions.ts and
 * src/store/chain/inventory-version.ts): `inventory_versions`, the as-at-the-time `audit_trail`
 * with its new columns, and the guest access views. Rows stored before this version get one
 * version each, from their latest log entry (`run`, below: the content must be the very JSON
 * text the entry's digest was taken of, which SQL cannot print the way JavaScript does).
 */
import type pg from 'pg';

export const sql = `
CREATE TABLE inventory_versions (
  seq            bigint PRIMARY KEY REFERENCES inventory_changes (seq),
  kind           text COLLATE "C" NOT NULL,
  id             text COLLATE "C" NOT NULL,
  environment_id text COLLATE "C",
  valid_from     timestamptz NOT NULL,
  name           text,
  email          text,
  removed_at     timestamptz,
  content        text NOT NULL
);
-- The as-of lookup: the last version of an id with valid_from <= a time, one index search per event.
CREATE INDEX inventory_versions_as_of ON inventory_versions (id, valid_from, seq);
CREATE INDEX inventory_versions_kind ON inventory_versions (kind, id, seq);

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
  e.raw -> 'context' ->> 'fileId'     AS file_id,
  e.raw -> 'context' ->> 'documentId' AS document_id,
  e.raw -> 'context' ->> 'appId'      AS app_id,
  e.raw -> 'context' ->> 'actionName' AS action_name,
  e.raw -> 'origin' ->> 'id'          AS origin_id,
  e.raw ->> 'acknowledgedBy'          AS acknowledged_by,
  CASE WHEN e.domain = 'job' THEN e.raw -> 'payload' ->> 'status' END AS outcome,
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
  COALESCE(e.raw -> 'payload' ->> 'guestId', e.raw -> 'payload' -> 'guest' ->> 'id') COLLATE "C" AS guest_id,
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
  split_part(id, ' ', 1),
  split_part(id, ' ', 2),
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

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// A frozen copy of the logged tables as this migration found them, each value read as the SQLite
// store holds it (is_prod 0/1, raw its exact text, times ISO with milliseconds, topics JSON text).
const TABLES: ReadonlyArray<{ kind: string; table: string; idSql: string; columns: Array<[name: string, select: string]> }> = [
  { kind: 'environments', table: 'environments', idSql: 'id', columns: [['account_id', 'account_id'], ['name', 'name'], ['is_prod', 'is_prod::int'], ['raw', 'raw_text'], ['first_synced_at', ISO('first_synced_at')], ['removed_at', ISO('removed_at')]] },
  { kind: 'users', table: 'users', idSql: 'id', columns: [['email', 'email'], ['name', 'name'], ['created_at', ISO('created_at')], ['last_active_at', ISO('last_active_at')], ['raw', 'raw_text'], ['first_synced_at', ISO('first_synced_at')], ['removed_at', ISO('removed_at')]] },
  { kind: 'spaces', table: 'spaces', idSql: 'id', columns: [['environment_id', 'environment_id'], ['name', 'name'], ['created_at', ISO('created_at')], ['archived_at', ISO('archived_at')], ['created_by_user_id', 'created_by_user_id'], ['raw', 'raw_text'], ['first_synced_at', ISO('first_synced_at')], ['removed_at', ISO('removed_at')]] },
  { kind: 'guests', table: 'guests', idSql: 'id', columns: [['environment_id', 'environment_id'], ['email', 'email'], ['name', 'name'], ['raw', 'raw_text'], ['first_synced_at', ISO('first_synced_at')], ['removed_at', ISO('removed_at')]] },
  { kind: 'agents', table: 'agents', idSql: 'id', columns: [['environment_id', 'environment_id'], ['slug', 'slug'], ['topics', 'topics'], ['created_at', ISO('created_at')], ['raw', 'raw_text'], ['first_synced_at', ISO('first_synced_at')], ['removed_at', ISO('removed_at')]] },
  { kind: 'guest_spaces', table: 'guest_spaces', idSql: "guest_id || ' ' || space_id", columns: [['environment_id', 'environment_id'], ['last_accessed', ISO('last_accessed')], ['first_synced_at', ISO('first_synced_at')], ['removed_at', ISO('removed_at')]] },
];

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** One version per stored row, from its latest log entry (the same rule as SQLite migration 12). */
export async function run(client: pg.PoolClient): Promise<void> {
  for (const { kind, table, idSql, columns } of TABLES) {
    const { rows } = await client.query<Array<string | number | null>>({
      text: `SELECT ${idSql} AS id, ${columns.map(([, select]) => select).join(', ')},
               (SELECT seq FROM inventory_changes c WHERE c.kind = $1 AND c.id = ${idSql} ORDER BY seq DESC LIMIT 1) AS seq,
               (SELECT ${ISO('seen_at')} FROM inventory_changes c WHERE c.kind = $1 AND c.id = ${idSql} ORDER BY seq DESC LIMIT 1) AS seen_at
             FROM ${table} ORDER BY 1`,
      values: [kind],
      rowMode: 'array',
    });
    const names = columns.map(([name]) => name);
    for (const full of rows) {
      const seenAt = full.pop() as string | null;
      const seq = full.pop() as string | number | null;
      if (seq === null || seenAt === null) continue; // every row has an entry since the first version
      const row = full;
      const at = (name: string) => {
        const i = names.indexOf(name);
        return i < 0 ? null : (row[i + 1] ?? null);
      };
      const topics = names.indexOf('topics');
      if (topics >= 0) row[topics + 1] = JSON.stringify(row[topics + 1]); // jsonb comes back parsed
      const removedAt = isoOrNull(at('removed_at'));
      let updatedAt: string | null = null;
      const raw = at('raw');
      if (removedAt === null && typeof raw === 'string') {
        try {
          updatedAt = isoOrNull((JSON.parse(raw) as { updatedAt?: unknown }).updatedAt);
        } catch {
          updatedAt = null;
        }
      }
      const validFrom = removedAt ?? (updatedAt !== null && updatedAt <= seenAt ? updatedAt : (at('first_synced_at') as string));
      const name = at(kind === 'agents' ? 'slug' : 'name');
      await client.query(
        'INSERT INTO inventory_versions (seq, kind, id, environment_id, valid_from, name, email, removed_at, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [seq, kind, row[0], kind === 'environments' ? row[0] : at('environment_id'), validFrom, name === null ? null : String(name), at('email'), removedAt, JSON.stringify([kind, ...row])],
      );
    }
  }
}
