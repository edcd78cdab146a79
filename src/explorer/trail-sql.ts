/**
 * The trail's filters as SQL over the `audit_trail` view, in the `:name` parameter form every store
 * reads (AuditReader.openQuery), the same text for SQLite and PostgreSQL but for time buckets. The
 * tests hold each filter to the SQL a person would write for it.
 *
 * Paging is by keyset, newest first: ORDER BY created_at DESC, event_id DESC, and the next page
 * starts below the last row shown, (created_at, event_id) < (its time, its id). Ties on the time are
 * broken by the id, so events sharing one timestamp are never repeated or skipped across pages, and
 * events synced meanwhile never shift a page the way OFFSET would.
 */
import type { SqlDialect } from '../store/audit-reader.js';
import { ACTOR_TYPE_PREFIX } from '../store/actor-type.js';
import type { ActorType, TrailFilter, TrailPosition } from './trail-filter.js';

export interface Statement {
  sql: string;
  params: Record<string, string>;
}

/** The columns the trail list shows. */
export const TRAIL_COLUMNS = [
  'event_id', 'created_at', 'environment_id', 'environment_name', 'actor_id', 'actor_type', 'actor_name', 'actor_email', 'topic', 'domain', 'space_id',
] as const;

/** `%text%` for LIKE, its wildcards taken literally. */
export function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The actors a text names: its id or email exactly, or part of a name (case-insensitive), looked up
 * in the inventories (small tables) so that the events are then found by actor_id through its index,
 * never by scanning every row of the trail. Past names and emails count too (inventory_versions):
 * an old row shows the name as it was then, and searching that name must find it after a rename.
 * An id no inventory holds (an API key, an actor removed before the first sync) still matches by itself.
 */
function actorNamed(param: string, partParam: string, dialect: SqlDialect): string {
  // PostgreSQL answers no `IN (subquery)` under an OR from an index, nor one IN over a UNION ALL:
  // it reads every event. `= ANY(ARRAY(subquery))` is one array computed before the read, whose ids
  // the actor index is then searched for (BENCHMARKS.md, branch pgfilters).
  if (dialect === 'postgres') return `actor_id = ANY(ARRAY(${actorIds(param, partParam)}))`;
  // OR of IN terms rather than a UNION: each term keeps its column's collation (PostgreSQL compares
  // ids in "C"), and each can use the index on actor_id.
  return `(actor_id = :${param}
    OR actor_id IN (SELECT id FROM users WHERE lower(email) = lower(:${param}) OR lower(name) LIKE :${partParam} ESCAPE '\\')
    OR actor_id IN (SELECT id FROM guests WHERE lower(email) = lower(:${param}) OR lower(name) LIKE :${partParam} ESCAPE '\\')
    OR actor_id IN (SELECT id FROM agents WHERE lower(slug) LIKE :${partParam} ESCAPE '\\')
    OR actor_id IN (SELECT id FROM inventory_versions WHERE kind IN ('users', 'guests', 'agents')
                    AND (lower(email) = lower(:${param}) OR lower(name) LIKE :${partParam} ESCAPE '\\')))`;
}

/** The ids `actorNamed` matches, as one list (the parameter first, then each inventory's). */
function actorIds(param: string, partParam: string): string {
  return `SELECT :${param}
    UNION ALL SELECT id FROM users WHERE lower(email) = lower(:${param}) OR lower(name) LIKE :${partParam} ESCAPE '\\'
    UNION ALL SELECT id FROM guests WHERE lower(email) = lower(:${param}) OR lower(name) LIKE :${partParam} ESCAPE '\\'
    UNION ALL SELECT id FROM agents WHERE lower(slug) LIKE :${partParam} ESCAPE '\\'
    UNION ALL SELECT id FROM inventory_versions WHERE kind IN ('users', 'guests', 'agents')
                    AND (lower(email) = lower(:${param}) OR lower(name) LIKE :${partParam} ESCAPE '\\')`;
}

const ENVIRONMENTS_NAMED_Q = `SELECT id FROM environments WHERE id = :q OR lower(name) LIKE :q_part ESCAPE '\\'`;
const SPACES_NAMED_Q = `SELECT id FROM spaces WHERE id = :q OR lower(name) LIKE :q_part ESCAPE '\\'`;

/** Free text matching fewer events than this through its indexed terms is answered from those indexes. */
const FEW_MATCHES = 1000;

/**
 * `q` without its one unindexed term (a space it names: events.space_id has no index): every term
 * one SQLite searches an index for (MULTI-INDEX OR), the actor as one IN over the ids it names.
 */
const FREE_TEXT_INDEXED = `(event_id = :q OR topic = :q OR actor_id IN (${actorIds('q', 'q_part')}) OR environment_id IN (${ENVIRONMENTS_NAMED_Q}))`;

/**
 * Whether `q` is answered from its indexed terms: it names no space, and those terms match fewer
 * than FEW_MATCHES events (counted from the indexes, at most that many read). A few matches are
 * then sorted at once; many are found sooner by walking the trail newest first, where they are
 * dense, than by sorting them all (SQLite has no statistics to tell the two apart, and sorted every
 * event of a name as common as "User": 4 s at 1M events).
 */
function freeTextIsFew(): string {
  return `(NOT EXISTS (${SPACES_NAMED_Q}) AND (SELECT count(*) FROM (SELECT 1 FROM audit_trail WHERE ${FREE_TEXT_INDEXED} LIMIT ${FEW_MATCHES}) AS matched) < ${FEW_MATCHES})`;
}

/**
 * Whether any actor id has a type's prefix: `prefix <= actor_id < prefix-with-its-last-character-bumped`
 * holds exactly the ids starting with the prefix (ids compare byte-wise on both stores, SQLite BINARY
 * and PostgreSQL "C", and the prefixes are ASCII), one probe of events_actor_time. 'unknown' (no id,
 * or any other prefix) has no such test.
 */
function actorTypeExists(type: ActorType, params: Record<string, string>): string | undefined {
  const prefix = ACTOR_TYPE_PREFIX[type];
  if (prefix === undefined) return undefined;
  params.actor_type_from = prefix;
  params.actor_type_to = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return 'EXISTS (SELECT 1 FROM events WHERE actor_id >= :actor_type_from AND actor_id < :actor_type_to)';
}

export interface Conditions extends Statement {
  /**
   * Tests that are false only when no row can match, each answered from an index at once: a bounded
   * read gives them as its LIMIT (`CASE WHEN … THEN n ELSE 0 END`, which both stores evaluate once,
   * before reading any row), so a filter nothing matches returns at once instead of reading the
   * whole trail to find so. They are not row filters: with the actor type as a range on actor_id,
   * SQLite (no statistics) would sort every row of a common type instead of walking the time index
   * to the page's end; and SQLite evaluates a subquery in WHERE per row, never once before the loop.
   */
  guards: string[];
}

/** `LIMIT n`, or 0 when a guard says nothing matches. */
function limitUnless(guards: string[], limit: number): string {
  const n = Math.trunc(limit);
  return guards.length === 0 ? `LIMIT ${n}` : `LIMIT CASE WHEN ${guards.join(' AND ')} THEN ${n} ELSE 0 END`;
}

/** The WHERE conditions of a filter (joined with AND) and their parameters; `withoutText`: all but `q`'s (its parameters are still set). */
export function trailConditions(filter: TrailFilter, dialect: SqlDialect = 'sqlite', withoutText = false): Conditions {
  const where: string[] = [];
  const guards: string[] = [];
  const params: Record<string, string> = {};
  if (filter.from !== undefined) {
    where.push('created_at >= :from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    where.push('created_at < :to');
    params.to = filter.to;
  }
  const exact = [
    ['environment_id', 'environment', filter.environment],
    ['topic', 'topic', filter.topic],
    ['domain', 'domain', filter.domain],
    ['space_id', 'space', filter.space],
  ] as const;
  for (const [column, name, value] of exact) {
    if (value === undefined) continue;
    where.push(`${column} = :${name}`);
    params[name] = value;
  }
  if (filter.actorType !== undefined) {
    where.push('actor_type = :actor_type');
    params.actor_type = filter.actorType;
    const exists = actorTypeExists(filter.actorType, params);
    if (exists !== undefined) guards.push(exists);
  }
  if (filter.actor !== undefined) {
    where.push(actorNamed('actor', 'actor_part', dialect));
    params.actor = filter.actor;
    params.actor_part = containing(filter.actor);
  }
  if (filter.q !== undefined) {
    // Free text: an event id or topic exactly, or the actor, environment or space it names (by id,
    // email or part of a name). Each branch is answered from an index or a small table. The same
    // text on both stores: on PostgreSQL the space term (no index on space_id) reads the trail anyway.
    if (!withoutText) where.push(`(event_id = :q OR topic = :q OR ${actorNamed('q', 'q_part', 'sqlite')}
      OR environment_id IN (${ENVIRONMENTS_NAMED_Q})
      OR space_id IN (${SPACES_NAMED_Q}))`);
    params.q = filter.q;
    params.q_part = containing(filter.q);
  }
  return { sql: where.length === 0 ? 'TRUE' : where.join(' AND '), params, guards };
}

/** One page of the filtered trail, newest first, below `before`; `limit` rows (ask one more than shown to know whether another page follows). */
export function trailPage(filter: TrailFilter, before: TrailPosition | undefined, limit: number, dialect: SqlDialect = 'sqlite'): Statement {
  const { sql: where, params, guards } = trailConditions(filter, dialect);
  let keyset = '';
  if (before !== undefined) {
    // The first term is implied by the second; it is there because neither planner reads a bound on
    // created_at out of an OR, and without one a deep page walks every newer row of the time index.
    keyset = ' AND created_at <= :before_at AND (created_at < :before_at OR (created_at = :before_at AND event_id < :before_id))';
    params.before_at = before.createdAt;
    params.before_id = before.eventId;
  }
  // The page's ids are picked first, from columns of events alone (the planner drops the view's
  // joins nobody reads), and only those rows are then named: a filter answered by sorting its
  // matches (a busy actor's events) sorts bare ids instead of resolving each match's names and
  // past names first.
  const order = 'ORDER BY created_at DESC, event_id DESC';
  const pick = (conditions: string, pickGuards: string[]): string => `SELECT event_id FROM audit_trail WHERE ${conditions}${keyset} ${order} ${limitUnless(pickGuards, limit)}`;
  const named = (picked: string): Statement => ({ sql: `SELECT ${TRAIL_COLUMNS.join(', ')} FROM audit_trail WHERE event_id IN (${picked}) ${order}`, params });
  if (filter.q === undefined) return named(pick(where, guards));
  const rest = trailConditions(filter, dialect, true).sql;
  if (dialect === 'postgres') {
    // Free text on PostgreSQL: the page of each indexed term on its own, newest first, each read
    // only if that term matches any event at all (a probe of its index), and the page of their
    // union; the whole OR, walking the trail, only for text that names a space. PostgreSQL (no
    // statistics on a fresh store) guesses a list of ids matches many events and walks the trail
    // for it, every event when none matches (an event id: 1 s at 1M events), and read the whole
    // OR, or the count of its indexed terms, by a sequential scan.
    const spaceNamed = `EXISTS (${SPACES_NAMED_Q})`;
    const actors = `ARRAY(${actorIds('q', 'q_part')})`;
    const environments = `ARRAY(${ENVIRONMENTS_NAMED_Q})`;
    const terms: Array<[string, string[]]> = [
      ['event_id = :q', []],
      ['topic = :q', []],
      // min() is one probe of the actor index; an EXISTS over the same ids was planned as a sequential scan.
      [`actor_id = ANY(${actors})`, [`(SELECT min(actor_id) FROM events WHERE actor_id = ANY(${actors})) IS NOT NULL`]],
      [`environment_id = ANY(${environments})`, [`EXISTS (${ENVIRONMENTS_NAMED_Q})`]],
    ];
    const termPages = terms.map(([term, termGuards]) => `(SELECT event_id, created_at FROM audit_trail WHERE ${rest} AND ${term}${keyset} ${order} ${limitUnless([...guards, `NOT ${spaceNamed}`, ...termGuards], limit)})`);
    const indexed = `SELECT event_id FROM (${termPages.join(' UNION ')}) AS term_pages ${order} LIMIT ${Math.trunc(limit)}`;
    const walked = pick(where, [...guards, spaceNamed]);
    return named(`SELECT event_id FROM (${indexed}) AS indexed UNION ALL SELECT event_id FROM (${walked}) AS walked`);
  }
  // Free text: two picks of which the LIMIT guard lets one run. The whole OR has a term no index
  // serves, so its pick walks the trail newest first until the page is full, which for text that
  // matches nothing (an event id, a typo) is every event; a few matches are read from the indexes.
  // Both picks select the same rows when they run. SQLite only: on PostgreSQL the count of the
  // indexed terms was read by a sequential scan (see its pages above).
  const few = freeTextIsFew();
  const indexed = pick(`${rest} AND ${FREE_TEXT_INDEXED}`, [...guards, few]);
  const walked = pick(where, [...guards, `NOT ${few}`]);
  return named(`SELECT event_id FROM (${indexed}) AS few_matches UNION ALL SELECT event_id FROM (${walked}) AS walked`);
}

export type Bucket = 'hour' | 'day';

/** A time column's bucket as ISO text (its start): created_at of the trail, or event_counts.hour (counted-timeline.ts). */
export function bucketExpression(bucket: Bucket, dialect: SqlDialect, column = 'created_at'): string {
  if (dialect === 'postgres') {
    const format = bucket === 'hour' ? `'YYYY-MM-DD"T"HH24":00:00.000Z"'` : `'YYYY-MM-DD"T00:00:00.000Z"'`;
    return `to_char(date_trunc('${bucket}', ${column} AT TIME ZONE 'UTC'), ${format})`;
  }
  return bucket === 'hour' ? `substr(${column}, 1, 13) || ':00:00.000Z'` : `substr(${column}, 1, 10) || 'T00:00:00.000Z'`;
}

/** Counts of the filtered trail per time bucket and actor type, oldest bucket first. */
export function trailTimeline(filter: TrailFilter, bucket: Bucket, dialect: SqlDialect): Statement {
  const { sql: where, params } = trailConditions(filter, dialect);
  const at = bucketExpression(bucket, dialect);
  return {
    sql: `SELECT ${at} AS bucket, actor_type, count(*) AS events FROM audit_trail WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  };
}

/**
 * The filtered trail's first or last time: what picks the timeline's bucket. One row from the time
 * index's end, where min()/max() with count() would read every row the filter matches.
 */
export function trailEdge(filter: TrailFilter, edge: 'first' | 'last', dialect: SqlDialect = 'sqlite'): Statement {
  const { sql: where, params, guards } = trailConditions(filter, dialect);
  return { sql: `SELECT created_at FROM audit_trail WHERE ${where} ORDER BY created_at ${edge === 'first' ? 'ASC' : 'DESC'} ${limitUnless(guards, 1)}`, params };
}
