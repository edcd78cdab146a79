/**
 * The audit questions ops ask most, as SQL. The README prints them, the demo runs them through the
 * store's reader, and the benchmark times them at a million events; keep the three in step by
 * keeping them here. Each carries its SQL per dialect (the store's reader says which it speaks),
 * tuned to that store's indexes. `:email` / `:actor` / `:from` / `:to` / `:environment` are named
 * parameters where a query has them, in every dialect.
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
    sql: {
      // COUNT(e.created_at), not COUNT(e.id): the environment/time index then answers alone (3× faster).
      sqlite: `SELECT env.name AS environment, env.id, COUNT(e.created_at) AS events, MAX(e.created_at) AS latest
FROM environments env LEFT JOIN events e ON e.environment_id = env.id
GROUP BY env.id ORDER BY events DESC`,
      // Counting a million index entries takes seconds on PostgreSQL (2.4 s in bench/ at 1M events);
      // an environment's chain is gapless from 1, so its head's sequence is its number of events
      // (what `verify` checks), and the latest time is one index search per environment.
      postgres: `SELECT env.name AS environment, env.id, COALESCE(c.last_seq, 0) AS events,
  (SELECT MAX(e.created_at) FROM events e WHERE e.environment_id = env.id) AS latest
FROM environments env LEFT JOIN event_chains c ON c.environment_id = env.id
ORDER BY events DESC`,
    },
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
      // The same walk: PostgreSQL has no skip scan either, and grouping the last day's rows fetched
      // each one from the table for its topic (205 ms at 1M events in bench/).
      postgres: `WITH RECURSIVE topics(topic) AS (
  (SELECT topic FROM events ORDER BY topic LIMIT 1)
  UNION ALL
  SELECT (SELECT e.topic FROM events e WHERE e.topic > topics.topic ORDER BY e.topic LIMIT 1) FROM topics WHERE topics.topic IS NOT NULL
)
SELECT topic, events FROM (
  SELECT topic, (SELECT COUNT(*) FROM events e WHERE e.topic = topics.topic AND e.created_at >= now() - interval '1 day') AS events
  FROM topics WHERE topic IS NOT NULL
) counted
WHERE events > 0
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
    sql: {
      // Counted per actor inside the actor index first, then each actor (not each event) resolved
      // through audit_trail by one of its events: 3.3 s → well under a second at 1M events.
      sqlite: `WITH actors AS (
  SELECT actor_id, COUNT(*) AS events, MAX(created_at) AS last_seen
  FROM events WHERE actor_id IS NOT NULL GROUP BY actor_id
)
SELECT t.actor_id, t.actor_type, actors.events, actors.last_seen
FROM actors
JOIN audit_trail t ON t.event_id = (SELECT id FROM events WHERE actor_id = actors.actor_id LIMIT 1)
WHERE t.actor_name IS NULL
ORDER BY actors.events DESC, actors.actor_id
LIMIT 20`,
      // PostgreSQL counted every actor's events (0.8 s at 1M in bench/): here the distinct actors
      // are found by one index search each, resolved, and only the unresolved ones counted.
      postgres: `WITH RECURSIVE actors(actor_id) AS (
  (SELECT actor_id FROM events WHERE actor_id IS NOT NULL ORDER BY actor_id LIMIT 1)
  UNION ALL
  SELECT (SELECT e.actor_id FROM events e WHERE e.actor_id > actors.actor_id ORDER BY e.actor_id LIMIT 1) FROM actors WHERE actors.actor_id IS NOT NULL
), unresolved AS (
  SELECT t.actor_id, t.actor_type
  FROM actors
  JOIN audit_trail t ON t.event_id = (SELECT id FROM events WHERE actor_id = actors.actor_id LIMIT 1)
  WHERE actors.actor_id IS NOT NULL AND t.actor_name IS NULL
)
SELECT u.actor_id, u.actor_type, c.events, c.last_seen
FROM unresolved u
CROSS JOIN LATERAL (SELECT COUNT(*) AS events, MAX(created_at) AS last_seen FROM events WHERE actor_id = u.actor_id) c
ORDER BY c.events DESC, u.actor_id
LIMIT 20`,
    },
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
