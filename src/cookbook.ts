/**
 * The audit questions ops ask most, as SQL. The README prints them, the demo runs them through the
 * store's reader, and the benchmark times them at a million events; keep the three in step by
 * keeping them here. Each carries its SQL per dialect (the store's reader says which it speaks),
 * tuned to that store's indexes. `:email` / `:actor` / `:from` / `:to` / `:environment` / `:space` /
 * `:at` are named parameters where a query has them, in every dialect (times as ISO-8601 with a zone).
 */
import { AuditError } from './errors.js';
import type { SqlDialect } from './store/audit-reader.js';

export interface CookbookQuery {
  name: string;
  question: string;
  /** The statement in each dialect it has been written for. */
  sql: { readonly [D in SqlDialect]?: string } & { readonly sqlite: string };
}

/** A statement both dialects read alike, written once. */
function portable(sql: string): CookbookQuery['sql'] {
  return { sqlite: sql, postgres: sql };
}

export const COOKBOOK: readonly CookbookQuery[] = [
  {
    name: 'last-24h',
    question: 'Who did what in the last 24 hours?',
    sql: {
      sqlite: `SELECT created_at, environment_name, actor_type, actor_name, actor_email, topic
FROM audit_trail
WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')
ORDER BY created_at DESC
LIMIT 50`,
      postgres: `SELECT created_at, environment_name, actor_type, actor_name, actor_email, topic
FROM audit_trail
WHERE created_at >= now() - interval '1 day'
ORDER BY created_at DESC
LIMIT 50`,
    },
  },
  {
    name: 'by-actor',
    question: 'Everything one user did (by email), newest first',
    sql: portable(`SELECT created_at, environment_name, topic, space_id
FROM audit_trail
WHERE actor_id = (SELECT id FROM users WHERE email = :email)
ORDER BY created_at DESC
LIMIT 100`),
  },
  {
    name: 'actor-time-range',
    question: 'Everything one actor did between two times, oldest first',
    sql: portable(`SELECT created_at, environment_id, topic, space_id, workbook_id, sheet_id, job_id
FROM events
WHERE actor_id = :actor AND created_at >= :from AND created_at < :to
ORDER BY created_at`),
  },
  {
    name: 'environment-latest',
    question: 'The last 50 events of one environment, with who caused them',
    sql: portable(`SELECT created_at, topic, actor_type, actor_name, actor_email, space_id
FROM audit_trail
WHERE environment_id = :environment
ORDER BY created_at DESC
LIMIT 50`),
  },
  {
    name: 'per-environment',
    question: 'Events per environment',
    // COUNT(e.created_at), not COUNT(e.id): the environment/time index then answers alone (3× faster).
    sql: portable(`SELECT env.name AS environment, env.id, COUNT(e.created_at) AS events, MAX(e.created_at) AS latest
FROM environments env LEFT JOIN events e ON e.environment_id = env.id
GROUP BY env.id ORDER BY events DESC`),
  },
  {
    name: 'topics-last-day',
    question: 'Events by topic in the last day',
    // A plain GROUP BY topic walks the whole topic index (84 ms at a million events); this finds
    // each topic with one index search and counts its last day inside the index (5 ms).
    sql: {
      sqlite: `WITH RECURSIVE topics(topic) AS (
  SELECT MIN(topic) FROM events
  UNION ALL
  SELECT (SELECT MIN(topic) FROM events WHERE topic > topics.topic) FROM topics WHERE topic IS NOT NULL
)
SELECT topic, (SELECT COUNT(*) FROM events e
               WHERE e.topic = topics.topic
                 AND e.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')) AS events
FROM topics
WHERE topic IS NOT NULL AND events > 0
ORDER BY events DESC`,
      postgres: `SELECT topic, COUNT(*) AS events
FROM events
WHERE created_at >= now() - interval '1 day'
GROUP BY topic
ORDER BY events DESC`,
    },
  },
  {
    name: 'agents-deployed',
    question: 'Which environments have agents deployed?',
    sql: {
      sqlite: `SELECT env.name AS environment, COUNT(a.id) AS agents, group_concat(a.slug, ', ') AS slugs
FROM environments env LEFT JOIN agents a ON a.environment_id = env.id AND a.removed_at IS NULL
WHERE env.removed_at IS NULL
GROUP BY env.id ORDER BY agents DESC, environment`,
      postgres: `SELECT env.name AS environment, COUNT(a.id) AS agents, string_agg(a.slug, ', ' ORDER BY a.slug) AS slugs
FROM environments env LEFT JOIN agents a ON a.environment_id = env.id AND a.removed_at IS NULL
WHERE env.removed_at IS NULL
GROUP BY env.id ORDER BY agents DESC, environment`,
    },
  },
  {
    name: 'spaces-per-environment',
    question: 'How many spaces exist in which environment?',
    sql: {
      sqlite: `SELECT env.name AS environment, COUNT(s.id) AS spaces, SUM(s.archived_at IS NOT NULL) AS archived
FROM environments env LEFT JOIN spaces s ON s.environment_id = env.id AND s.removed_at IS NULL
GROUP BY env.id ORDER BY spaces DESC`,
      postgres: `SELECT env.name AS environment, COUNT(s.id) AS spaces, COUNT(*) FILTER (WHERE s.archived_at IS NOT NULL) AS archived
FROM environments env LEFT JOIN spaces s ON s.environment_id = env.id AND s.removed_at IS NULL
GROUP BY env.id ORDER BY spaces DESC`,
    },
  },
  {
    name: 'guest-access',
    question: 'Which guests have access to which spaces?',
    sql: portable(`SELECT g.email, g.name, env.name AS environment, s.name AS space, gs.last_accessed
FROM guest_spaces gs
JOIN guests g ON g.id = gs.guest_id
JOIN spaces s ON s.id = gs.space_id
JOIN environments env ON env.id = gs.environment_id
WHERE gs.removed_at IS NULL AND g.removed_at IS NULL
ORDER BY g.email, environment, space`),
  },
  {
    name: 'unresolved-actors',
    question: 'Actors the API no longer knows (deleted users, API keys)',
    // Counted per actor inside the actor index first, then each actor (not each event) resolved
    // through audit_trail by one of its events: 3.3 s → well under a second at 1M events.
    sql: portable(`WITH actors AS (
  SELECT actor_id, COUNT(*) AS events, MAX(created_at) AS last_seen
  FROM events WHERE actor_id IS NOT NULL GROUP BY actor_id
)
SELECT t.actor_id, t.actor_type, actors.events, actors.last_seen
FROM actors
JOIN audit_trail t ON t.event_id = (SELECT id FROM events WHERE actor_id = actors.actor_id LIMIT 1)
WHERE t.actor_name IS NULL
ORDER BY actors.events DESC, actors.actor_id
LIMIT 20`),
  },
  {
    name: 'space-access',
    question: 'Who could reach one space at one time (guests; parameters space and at)',
    // guest_access: from space:guestAdded/guestRemoved events and the guest_spaces inventory history.
    // granted_at NULL: the guest had it since before anything recorded.
    sql: {
      sqlite: `SELECT a.guest_id, g.email, g.name, a.granted_at, a.revoked_at, a.granted_by
FROM guest_access a LEFT JOIN guests g ON g.id = a.guest_id
WHERE a.space_id = :space
  AND (a.granted_at IS NULL OR a.granted_at <= strftime('%Y-%m-%dT%H:%M:%fZ', :at))
  AND (a.revoked_at IS NULL OR a.revoked_at > strftime('%Y-%m-%dT%H:%M:%fZ', :at))
ORDER BY a.guest_id`,
      postgres: `SELECT a.guest_id, g.email, g.name, a.granted_at, a.revoked_at, a.granted_by
FROM guest_access a LEFT JOIN guests g ON g.id = a.guest_id
WHERE a.space_id = :space
  AND (a.granted_at IS NULL OR a.granted_at <= CAST(:at AS timestamptz))
  AND (a.revoked_at IS NULL OR a.revoked_at > CAST(:at AS timestamptz))
ORDER BY a.guest_id`,
    },
  },
  {
    name: 'access-changes-7d',
    question: 'Guest access granted or revoked in the last 7 days',
    sql: {
      sqlite: `SELECT at, change, guest_id, g.email AS guest_email, space_id, s.name AS space, changed_by
FROM (
  SELECT granted_at AS at, 'granted' AS change, guest_id, space_id, granted_by AS changed_by FROM guest_access
  WHERE granted_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
  UNION ALL
  SELECT revoked_at, 'revoked', guest_id, space_id, revoked_by FROM guest_access
  WHERE revoked_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
) c
LEFT JOIN guests g ON g.id = c.guest_id
LEFT JOIN spaces s ON s.id = c.space_id
ORDER BY at DESC, guest_id, space_id`,
      postgres: `SELECT at, change, guest_id, g.email AS guest_email, space_id, s.name AS space, changed_by
FROM (
  SELECT granted_at AS at, 'granted' AS change, guest_id, space_id, granted_by AS changed_by FROM guest_access
  WHERE granted_at >= now() - interval '7 days'
  UNION ALL
  SELECT revoked_at, 'revoked', guest_id, space_id, revoked_by FROM guest_access
  WHERE revoked_at >= now() - interval '7 days'
) c
LEFT JOIN guests g ON g.id = c.guest_id
LEFT JOIN spaces s ON s.id = c.space_id
ORDER BY at DESC, guest_id, space_id`,
    },
  },
  {
    name: 'failed-jobs',
    question: 'Jobs that failed, newest first',
    sql: portable(`SELECT created_at, environment_name, space_name, job_id, outcome, actor_name, actor_email
FROM audit_trail
WHERE topic = 'job:failed'
ORDER BY created_at DESC
LIMIT 100`),
  },
  {
    name: 'deletions',
    question: 'What was deleted, by whom, newest first',
    // Walks the time index backwards and stops at the 100th: deletions are common enough for that.
    sql: portable(`SELECT created_at, environment_name, topic, space_name, file_id, document_id, workbook_id, sheet_id, actor_name, actor_email
FROM audit_trail
WHERE topic LIKE '%:deleted'
ORDER BY created_at DESC
LIMIT 100`),
  },
  {
    name: 'file-uploads',
    question: 'Files uploaded, by whom and into which space, newest first',
    sql: portable(`SELECT created_at, environment_name, space_name, file_id, actor_type, actor_name, actor_email
FROM audit_trail
WHERE topic = 'file:created'
ORDER BY created_at DESC
LIMIT 100`),
  },
  {
    name: 'production-activity',
    question: 'Who did what in production environments in the last 24 hours',
    sql: {
      sqlite: `SELECT created_at, environment_name, actor_type, actor_name, actor_email, topic, space_name
FROM audit_trail
WHERE is_prod = 1 AND created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')
ORDER BY created_at DESC
LIMIT 100`,
      postgres: `SELECT created_at, environment_name, actor_type, actor_name, actor_email, topic, space_name
FROM audit_trail
WHERE is_prod AND created_at >= now() - interval '1 day'
ORDER BY created_at DESC
LIMIT 100`,
    },
  },
  {
    name: 'removed-actors',
    question: 'Actions by users, guests and agents since removed from the account',
    // From the removed actors to their events through the actor index, not a walk over every event.
    sql: portable(`SELECT created_at, environment_name, actor_type, actor_name, actor_email, actor_removed_at, topic
FROM audit_trail
WHERE actor_id IN (SELECT id FROM users WHERE removed_at IS NOT NULL
                   UNION ALL SELECT id FROM guests WHERE removed_at IS NOT NULL
                   UNION ALL SELECT id FROM agents WHERE removed_at IS NOT NULL)
ORDER BY created_at DESC
LIMIT 100`),
  },
];

export function cookbookQuery(name: string): CookbookQuery {
  const found = COOKBOOK.find((q) => q.name === name);
  if (!found) throw new Error(`no cookbook query named ${name}`);
  return found;
}

/** The query's statement for a store that speaks `dialect`. */
export function cookbookSql(query: CookbookQuery, dialect: SqlDialect): string {
  const sql = query.sql[dialect];
  if (sql === undefined) throw new AuditError('QUERY_REFUSED', `the cookbook query ${query.name} has no ${dialect} form yet`);
  return sql;
}
