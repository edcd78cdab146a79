/**
 * `guest_access` (store rule 14) answers the same rows, from a walk instead of a pass over every
 * access event. The old view numbered every space:guestAdded / space:guestRemoved event of every
 * guest and space with window functions on each read: at 1M events (133k of them access events in
 * the bench's trail) /access took most of a second. Only the events that change a guest's state can
 * start or end a stretch of access, so the view now seeks them one by one in an index of the access
 * events by guest, space, topic and time: each guest and space pair (a loose scan of the index),
 * its first event, then each time the next event of the other topic. The events that follow an
 * inventory change are kept too, since the inventory can interleave with the events. The same window
 * logic as before then runs over that handful of changes: dropping an event that repeats the state
 * just before it changes no row, so the answer is the one the old view gave (the contract suite
 * compares them). `INDEXED BY`: the topic index would otherwise serve the seeks, reading and parsing
 * each event. `CROSS JOIN` keeps SQLite's join order, the few changes first: with a space or guest
 * condition pushed into the view it scanned every event to probe them. (PostgreSQL migration 10.)
 */
/** The guest an access event names, as guest_access_changes reads it; the index's own (SQLite allows no table name there). */
const GUEST = (t?: string) => `COALESCE(json_extract(${t ? `${t}.` : ''}raw, '$.payload.guestId'), json_extract(${t ? `${t}.` : ''}raw, '$.payload.guest.id'))`;
const ACCESS = `('space:guestAdded', 'space:guestRemoved')`;
const SEEK = `FROM events x INDEXED BY events_guest_access WHERE x.topic IN ${ACCESS}`;
const first = (topic: string, p: string) => `SELECT x.id, x.created_at ${SEEK} AND x.topic = '${topic}' AND ${GUEST('x')} = ${p}.guest_id AND x.space_id = ${p}.space_id ORDER BY x.created_at, x.id LIMIT 1`;
const firstAfter = (topic: string) => `SELECT x.id ${SEEK} AND x.topic = '${topic}' AND ${GUEST('x')} = i.guest_id AND x.space_id = i.space_id AND x.created_at > i.at ORDER BY x.created_at, x.id LIMIT 1`;

export const sql = `
CREATE INDEX events_guest_access ON events(${GUEST()}, space_id, topic, created_at, id) WHERE topic IN ${ACCESS};

DROP VIEW guest_access;
CREATE VIEW guest_access AS
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
runs(guest_id, space_id, topic, at, id) AS (
  SELECT p.guest_id, p.space_id, e.topic, e.created_at, e.id
  FROM pairs p CROSS JOIN events e ON e.id = (
    SELECT id FROM (SELECT * FROM (${first('space:guestAdded', 'p')}) UNION ALL SELECT * FROM (${first('space:guestRemoved', 'p')})) ORDER BY created_at, id LIMIT 1)
  WHERE p.space_id IS NOT NULL
  UNION ALL
  SELECT r.guest_id, r.space_id, e.topic, e.created_at, e.id
  FROM runs r CROSS JOIN events e ON e.id = (
    SELECT x.id ${SEEK} AND ${GUEST('x')} = r.guest_id AND x.space_id = r.space_id
      AND x.topic = CASE r.topic WHEN 'space:guestAdded' THEN 'space:guestRemoved' ELSE 'space:guestAdded' END
      AND (x.created_at, x.id) > (r.at, r.id)
    ORDER BY x.created_at, x.id LIMIT 1)
),
inventory AS (
  SELECT environment_id, substr(id, 1, instr(id, ' ') - 1) AS guest_id, substr(id, instr(id, ' ') + 1) AS space_id, valid_from AS at,
    CASE WHEN removed_at IS NULL THEN 'granted' ELSE 'revoked' END AS change
  FROM (
    SELECT v.*, LAG(v.removed_at IS NULL) OVER (PARTITION BY v.id ORDER BY v.seq) AS was_present
    FROM inventory_versions v WHERE v.kind = 'guest_spaces'
  ) m
  WHERE was_present IS NULL OR was_present <> (removed_at IS NULL)
),
kept(id) AS (
  SELECT id FROM runs
  UNION SELECT (${firstAfter('space:guestAdded')}) FROM inventory i
  UNION SELECT (${firstAfter('space:guestRemoved')}) FROM inventory i
),
changes AS (
  SELECT e.environment_id, ${GUEST('e')} AS guest_id, e.space_id, e.created_at AS at,
    CASE e.topic WHEN 'space:guestAdded' THEN 'granted' ELSE 'revoked' END AS change, 'event' AS source, e.id AS event_id, e.actor_id AS changed_by
  FROM kept k CROSS JOIN events e ON e.id = k.id
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
WHERE change = 'granted' OR previous_change IS NULL;
`;
