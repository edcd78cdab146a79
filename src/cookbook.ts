/**
 * The audit questions ops ask most, as SQL. The README prints them, the demo runs them through the
 * store's reader, and the benchmark times them at a million events; keep the three in step by
 * keeping them here. Each carries its SQL per dialect (the store's reader says which it speaks),
 * tuned to that store's indexes. `:email` / `:actor` / `:from` / `:to` / `:environment` / `:space` /
 * `:at` are named parameters where a query has them, in every dialect; a time parameter is handed over
 * canonical (cookbookParams), as ISO-8601 UTC with milliseconds, the form the stores keep.
 */
import { AuditError } from './errors.js';
import { canonicalTime, ISO_TIME_EXAMPLE } from './iso-time.js';
import type { SqlDialect } from './store/audit-reader.js';
import { hygieneCutoffs, STALE_TOKENS_SQL } from './token-hygiene.js';
import type { TokenHygieneConfig } from './config.js';

/** What a parameter's default is worked out from when `query --saved` is not given it. */
export interface ParameterDefaults {
  now: Date;
  tokens: Pick<TokenHygieneConfig, 'staleAfterMs' | 'maxAgeMs'>;
}

export interface CookbookParameter {
  name: string;
  /** What to give, in a few words (shown by `query --list-saved`). */
  description: string;
  /** The value used when none is given; a parameter without one is required. */
  default?: (defaults: ParameterDefaults) => string;
  /** A time: checked and made canonical (ISO UTC with milliseconds) before any SQL runs, so every dialect compares the same value. */
  time?: true;
}

export interface CookbookQuery {
  name: string;
  question: string;
  /** Its named parameters (`:name` in every dialect's statement), in the order they are listed. */
  params: readonly CookbookParameter[];
  /** The statement in each dialect it has been written for. */
  sql: { readonly [D in SqlDialect]?: string } & { readonly sqlite: string };
}

const EMAIL: CookbookParameter = { name: 'email', description: "a user's or guest's email address" };
const ENVIRONMENT: CookbookParameter = { name: 'environment', description: 'an environment id (us_env_…)' };

/** A statement both dialects read alike, written once. */
function portable(sql: string): CookbookQuery['sql'] {
  return { sqlite: sql, postgres: sql };
}

export const COOKBOOK: readonly CookbookQuery[] = [
  {
    name: 'last-24h',
    question: 'Who did what in the last 24 hours?',
    params: [],
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
    question: 'Everything one user or guest did (by email, any case), newest first',
    params: [EMAIL],
    // A guest is one id per environment, so one email can be several actors. The directory tables
    // are small: lower() on them costs nothing, and the events are still found by the actor index.
    // Past emails count (inventory_versions): an old row shows the email as it was then.
    sql: portable(`SELECT created_at, environment_name, actor_type, actor_name, topic, space_id
FROM audit_trail
WHERE actor_id IN (SELECT id FROM users WHERE lower(email) = lower(:email)
                   UNION SELECT id FROM guests WHERE lower(email) = lower(:email)
                   UNION SELECT id FROM inventory_versions WHERE kind IN ('users', 'guests') AND lower(email) = lower(:email))
ORDER BY created_at DESC
LIMIT 100`),
  },
  {
    name: 'actor-time-range',
    question: 'Everything one actor did between two times, oldest first',
    params: [
      { name: 'actor', description: 'an actor id (us_usr_…, us_g_…, us_ag_…, us_key_…)' },
      { name: 'from', description: 'ISO time, inclusive', time: true },
      { name: 'to', description: 'ISO time, exclusive', time: true },
    ],
    sql: {
      // SQLite compares text: the bounds in the stored form (query --saved hands them so already).
      sqlite: `SELECT created_at, environment_id, topic, space_id, workbook_id, sheet_id, job_id
FROM events
WHERE actor_id = :actor AND created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', :from) AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', :to)
ORDER BY created_at`,
      postgres: `SELECT created_at, environment_id, topic, space_id, workbook_id, sheet_id, job_id
FROM events
WHERE actor_id = :actor AND created_at >= :from AND created_at < :to
ORDER BY created_at`,
    },
  },
  {
    name: 'environment-latest',
    question: 'The last 50 events of one environment, with who caused them',
    params: [ENVIRONMENT],
    sql: portable(`SELECT created_at, topic, actor_type, actor_name, actor_email, space_id
FROM audit_trail
WHERE environment_id = :environment
ORDER BY created_at DESC
LIMIT 50`),
  },
  {
    name: 'per-environment',
    question: 'Events per environment',
    params: [],
    sql: {
      // COUNT(e.created_at), not COUNT(e.id): the environment/time index then answers alone (3× faster).
      sqlite: `SELECT env.name AS environment, env.id, COUNT(e.created_at) AS events, MAX(e.created_at) AS latest
FROM environments env LEFT JOIN events e ON e.environment_id = env.id
GROUP BY env.id ORDER BY events DESC`,
      // Counting a million index entries takes seconds on PostgreSQL (2.4 s in bench/ at 1M events);
      // an environment's chain is gapless from 1 (from its latest prune cut, if any), so its head's
      // sequence less the cut's is its number of events (what `verify` checks), and the latest time
      // is one index search per environment.
      postgres: `SELECT env.name AS environment, env.id,
  COALESCE(c.last_seq, 0) - COALESCE((SELECT MAX(k.last_seq) FROM chain_cuts k WHERE k.environment_id = env.id), 0) AS events,
  (SELECT MAX(e.created_at) FROM events e WHERE e.environment_id = env.id) AS latest
FROM environments env LEFT JOIN event_chains c ON c.environment_id = env.id
ORDER BY events DESC`,
    },
  },
  {
    name: 'topics-last-day',
    question: 'Events by topic in the last day',
    params: [],
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
    params: [],
    sql: {
      // group_concat without ORDER BY joins in whatever order the plan reads the rows (SQLite 3.44+).
      sqlite: `SELECT env.name AS environment, COUNT(a.id) AS agents, group_concat(a.slug, ', ' ORDER BY a.slug) AS slugs
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
    params: [],
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
    params: [],
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
    params: [],
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
  {
    name: 'space-access',
    question: 'Who could reach one space at one time (guests)',
    params: [
      { name: 'space', description: 'a space id (us_sp_…)' },
      { name: 'at', description: 'ISO time; default: now', default: (d) => d.now.toISOString(), time: true },
    ],
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
    params: [],
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
    params: [],
    sql: portable(`SELECT created_at, environment_name, space_name, job_id, outcome, actor_name, actor_email
FROM audit_trail
WHERE topic = 'job:failed'
ORDER BY created_at DESC
LIMIT 100`),
  },
  {
    name: 'deletions',
    question: 'What was deleted, by whom, newest first',
    params: [],
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
    params: [],
    sql: portable(`SELECT created_at, environment_name, space_name, file_id, actor_type, actor_name, actor_email
FROM audit_trail
WHERE topic = 'file:created'
ORDER BY created_at DESC
LIMIT 100`),
  },
  {
    name: 'production-activity',
    question: 'Who did what in production environments in the last 24 hours',
    params: [],
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
    params: [],
    sql: {
      // The removed actors' 100 newest events from the actor index, then the trail's columns for
      // those alone. Joined first, every event of theirs was sorted with its columns: 100 ms at 1M
      // events when two busy users had left, 1-2 ms this way.
      sqlite: `SELECT created_at, environment_name, actor_type, actor_name, actor_email, actor_removed_at, topic
FROM audit_trail
WHERE event_id IN (SELECT id FROM events
                   WHERE actor_id IN (SELECT id FROM users WHERE removed_at IS NOT NULL
                                      UNION ALL SELECT id FROM guests WHERE removed_at IS NOT NULL
                                      UNION ALL SELECT id FROM agents WHERE removed_at IS NOT NULL)
                   ORDER BY created_at DESC
                   LIMIT 100)
ORDER BY created_at DESC
LIMIT 100`,
      // PostgreSQL, given the IN alone, walks the time index from the newest event looking for a
      // removed actor's, through all of them when there is none (1.4 s at 1M events). Here each
      // removed actor's newest 100 come from the actor index, and only the 100 newest are joined.
      postgres: `SELECT created_at, environment_name, actor_type, actor_name, actor_email, actor_removed_at, topic
FROM audit_trail
WHERE event_id IN (
  SELECT e.id
  FROM (SELECT id FROM users WHERE removed_at IS NOT NULL
        UNION ALL SELECT id FROM guests WHERE removed_at IS NOT NULL
        UNION ALL SELECT id FROM agents WHERE removed_at IS NOT NULL) AS removed,
       LATERAL (SELECT id, created_at FROM events WHERE actor_id = removed.id ORDER BY created_at DESC LIMIT 100) AS e
  ORDER BY e.created_at DESC
  LIMIT 100)
ORDER BY created_at DESC
LIMIT 100`,
    },
  },
  {
    name: 'stale-tokens',
    question: 'Personal Access Tokens to review: unused for long, never used, or due for rotation',
    params: [
      { name: 'unused_before', description: 'ISO time; default: now minus AUDIT_PAT_STALE_AFTER', default: (d) => hygieneCutoffs(d.now, d.tokens).unused_before, time: true },
      { name: 'never_used_before', description: 'ISO time; default: now minus 7 days', default: (d) => hygieneCutoffs(d.now, d.tokens).never_used_before, time: true },
      { name: 'created_before', description: 'ISO time; default: now minus AUDIT_PAT_MAX_AGE', default: (d) => hygieneCutoffs(d.now, d.tokens).created_before, time: true },
    ],
    sql: STALE_TOKENS_SQL,
  },
];

/** The entry named `name`; an unknown name is refused with the closest one's name, when one is close. */
export function cookbookQuery(name: string, suggest: (name: string, candidates: readonly string[]) => string | undefined = () => undefined): CookbookQuery {
  const found = COOKBOOK.find((q) => q.name === name);
  if (found) return found;
  const near = suggest(name, COOKBOOK.map((q) => q.name));
  throw new AuditError('QUERY_REFUSED', `no saved query named "${name}"${near ? `; did you mean ${near}?` : ''} (query --list-saved lists them)`);
}

/**
 * The parameters to run `query` with: those given, and each one left out that has a default. A
 * missing required parameter, or one the query does not take, is refused naming it.
 */
export function cookbookParams(query: CookbookQuery, given: Readonly<Record<string, string>>, defaults: ParameterDefaults): Record<string, string> {
  const known = new Set(query.params.map((p) => p.name));
  const unknown = Object.keys(given).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const takes = query.params.length > 0 ? `it takes ${query.params.map((p) => p.name).join(', ')}` : 'it takes none';
    throw new AuditError('QUERY_REFUSED', `saved query ${query.name} has no parameter ${unknown.join(', ')}; ${takes}`);
  }
  const params: Record<string, string> = {};
  for (const p of query.params) {
    const value = given[p.name] ?? p.default?.(defaults);
    if (value === undefined) throw new AuditError('QUERY_REFUSED', `saved query ${query.name} needs --param ${p.name}=… (${p.description})`);
    params[p.name] = p.time ? timeParam(query, p.name, value) : value;
  }
  return params;
}

/** A time parameter in the stored form; anything else is refused before any SQL runs (SQLite would compare it as text, PostgreSQL fail on it). */
function timeParam(query: CookbookQuery, name: string, value: string): string {
  const time = canonicalTime(value);
  if (time === undefined) throw new AuditError('QUERY_REFUSED', `saved query ${query.name}: --param ${name} must be an ISO date or time (${ISO_TIME_EXAMPLE}), got ${JSON.stringify(value.slice(0, 40))}`);
  return time;
}

/** The query's statement for a store that speaks `dialect`. */
export function cookbookSql(query: CookbookQuery, dialect: SqlDialect): string {
  const sql = query.sql[dialect];
  if (sql === undefined) throw new AuditError('QUERY_REFUSED', `the cookbook query ${query.name} has no ${dialect} form yet`);
  return sql;
}
