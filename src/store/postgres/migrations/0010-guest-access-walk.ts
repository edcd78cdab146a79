/**
 * `guest_access` (store rule 14) answers the same rows from a walk over the events that change a
 * guest's access, sought one by one in an index of the access events, instead of numbering every
 * access event with window functions on each read; SQLite migration 17 says why and how. The
 * guest id is the view's own expression (COLLATE "C"), so the index serves it. LATERAL joins keep
 * each step a seek (a join on \`id = (subquery)\` was planned as a hash join over every event).
 */
const GUEST = (t: string) => `(COALESCE(${t}.raw -> 'payload' ->> 'guestId', ${t}.raw -> 'payload' -> 'guest' ->> 'id') COLLATE "C")`;
const ACCESS = `('space:guestAdded', 'space:guestRemoved')`;
const SEEK = `FROM events x WHERE x.topic IN ${ACCESS}`;
const COLUMNS = 'x.environment_id, x.topic, x.created_at, x.id, x.actor_id';
const first = (topic: string, p: string) => `SELECT ${COLUMNS} ${SEEK} AND x.topic = '${topic}' AND ${GUEST('x')} = ${p}.guest_id AND x.space_id = ${p}.space_id ORDER BY x.created_at, x.id LIMIT 1`;
const firstAfter = (topic: string) => `SELECT ${COLUMNS} ${SEEK} AND x.topic = '${topic}' AND ${GUEST('x')} = i.guest_id AND x.space_id = i.space_id AND x.created_at > i.at ORDER BY x.created_at, x.id LIMIT 1`;

export const sql = `
CREATE INDEX events_guest_access ON events (${GUEST('events')}, space_id, topic, created_at, id) WHERE topic IN ${ACCESS};

-- A function, so that the walk runs with JIT off: the planner cannot know how few steps the walk
-- takes, guesses a million rows, and PostgreSQL then spent seconds compiling a plan that runs in
-- milliseconds. ROWS 100 is its guess for what the callers join and sort.
CREATE FUNCTION guest_access_walk()
RETURNS TABLE (environment_id text, guest_id text, space_id text, granted_at timestamptz, revoked_at timestamptz, granted_by text, revoked_by text)
LANGUAGE sql STABLE SET jit = off ROWS 100 AS $walk$
WITH RECURSIVE
guests(guest_id) AS (
  SELECT (SELECT ${GUEST('x')} ${SEEK} AND ${GUEST('x')} IS NOT NULL ORDER BY 1 LIMIT 1)
  UNION ALL
  SELECT (SELECT ${GUEST('x')} ${SEEK} AND ${GUEST('x')} > g.guest_id ORDER BY 1 LIMIT 1) FROM guests g WHERE g.guest_id IS NOT NULL
),
pairs(guest_id, space_id) AS (
  SELECT g.guest_id, (SELECT x.space_id ${SEEK} AND ${GUEST('x')} = g.guest_id AND x.space_id IS NOT NULL ORDER BY x.space_id LIMIT 1)
  FROM guests g WHERE g.guest_id IS NOT NULL
  UNION ALL
  SELECT p.guest_id, (SELECT x.space_id ${SEEK} AND ${GUEST('x')} = p.guest_id AND x.space_id > p.space_id ORDER BY x.space_id LIMIT 1)
  FROM pairs p WHERE p.space_id IS NOT NULL
),
runs(environment_id, guest_id, space_id, topic, at, id, actor_id) AS (
  SELECT e.environment_id, p.guest_id, p.space_id, e.topic, e.created_at, e.id, e.actor_id
  FROM pairs p CROSS JOIN LATERAL (
    SELECT f.* FROM ((${first('space:guestAdded', 'p')}) UNION ALL (${first('space:guestRemoved', 'p')})) f ORDER BY f.created_at, f.id LIMIT 1) e
  WHERE p.space_id IS NOT NULL
  UNION ALL
  SELECT e.environment_id, r.guest_id, r.space_id, e.topic, e.created_at, e.id, e.actor_id
  FROM runs r CROSS JOIN LATERAL (
    SELECT x.environment_id, x.topic, x.created_at, x.id, x.actor_id ${SEEK} AND ${GUEST('x')} = r.guest_id AND x.space_id = r.space_id
      AND x.topic = CASE r.topic WHEN 'space:guestAdded' THEN 'space:guestRemoved' ELSE 'space:guestAdded' END
      AND (x.created_at, x.id) > (r.at, r.id)
    ORDER BY x.created_at, x.id LIMIT 1) e
),
inventory AS (
  SELECT environment_id, split_part(id, ' ', 1) AS guest_id, split_part(id, ' ', 2) AS space_id, valid_from AS at,
    CASE WHEN removed_at IS NULL THEN 'granted' ELSE 'revoked' END AS change
  FROM (
    SELECT v.*, LAG(v.removed_at IS NULL) OVER (PARTITION BY v.id ORDER BY v.seq) AS was_present
    FROM inventory_versions v WHERE v.kind = 'guest_spaces'
  ) m
  WHERE was_present IS NULL OR was_present <> (removed_at IS NULL)
),
kept AS (
  SELECT environment_id, guest_id, space_id, topic, at, id, actor_id FROM runs
  UNION
  SELECT e.environment_id, i.guest_id, i.space_id, e.topic, e.created_at, e.id, e.actor_id
  FROM inventory i CROSS JOIN LATERAL ((${firstAfter('space:guestAdded')}) UNION ALL (${firstAfter('space:guestRemoved')})) e
),
changes AS (
  SELECT environment_id, guest_id, space_id, at, CASE topic WHEN 'space:guestAdded' THEN 'granted' ELSE 'revoked' END AS change,
    'event' AS source, id AS event_id, actor_id AS changed_by
  FROM kept
  UNION ALL
  SELECT environment_id, guest_id, space_id, at, change, 'inventory', NULL, NULL FROM inventory
)
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
    FROM changes c
    WHERE guest_id IS NOT NULL AND space_id IS NOT NULL
  ) s
  WHERE previous_change IS NULL OR previous_change <> change
  WINDOW w AS (PARTITION BY guest_id, space_id ORDER BY at, source, event_id)
) t
WHERE change = 'granted' OR previous_change IS NULL
$walk$;

DROP VIEW guest_access;
CREATE VIEW guest_access AS
SELECT environment_id COLLATE "C" AS environment_id, guest_id COLLATE "C" AS guest_id, space_id COLLATE "C" AS space_id,
  granted_at, revoked_at, granted_by COLLATE "C" AS granted_by, revoked_by COLLATE "C" AS revoked_by
FROM guest_access_walk();
`;
