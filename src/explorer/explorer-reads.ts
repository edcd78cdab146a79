/**
 * What the explorer's pages read, as statements over the store's read seam (the audit_trail view
 * and the inventory tables every store has under the same names); no page reads anything else.
 */
import type { QueryRow, SqlDialect } from '../store/audit-reader.js';
import type { StoreStatus } from '../store/audit-store.js';
import type { ReaderGate } from './reader-gate.js';
import { formatPosition, type TrailFilter, type TrailPosition } from './trail-filter.js';
import { countable, countedTimeline } from './counted-timeline.js';
import { trailEdge, trailPage, trailTimeline, type Bucket, type Statement } from './trail-sql.js';

export const PAGE_ROWS = 50;

export interface TrailRow {
  event_id: string;
  created_at: string;
  environment_id: string;
  environment_name: string | null;
  actor_id: string | null;
  actor_type: string;
  actor_name: string | null;
  actor_email: string | null;
  topic: string;
  domain: string;
  space_id: string | null;
}

export interface TrailPageRows {
  rows: TrailRow[];
  /** Where the next (older) page starts; undefined on the last page. */
  next: string | undefined;
}

export async function readTrailPage(gate: ReaderGate, filter: TrailFilter, before: TrailPosition | undefined): Promise<TrailPageRows> {
  const rows = (await gate.rows(trailPage(filter, before, PAGE_ROWS + 1, gate.reader.dialect))) as unknown as TrailRow[];
  const shown = rows.slice(0, PAGE_ROWS);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > PAGE_ROWS && last ? formatPosition({ createdAt: last.created_at, eventId: last.event_id }) : undefined };
}

export interface Timeline {
  bucket: Bucket;
  /** Bucket start times (ISO), oldest first, only those with events. */
  buckets: string[];
  /** Per actor type, the count in each bucket (same order as `buckets`). */
  series: Record<string, number[]>;
  total: number;
}

/** A range up to this long is drawn per hour, a longer one per day. */
const HOURLY_UP_TO_MS = 3 * 86_400_000;

export async function readTimeline(gate: ReaderGate, filter: TrailFilter, dialect: SqlDialect): Promise<Timeline> {
  // A bound the filter gives is used as it is; the other is read from the trail. The total is the
  // sum of the buckets, so the filtered rows are counted once, by the timeline itself.
  const edge = async (which: 'first' | 'last'): Promise<string | undefined> => {
    const row = await gate.row(trailEdge(filter, which, dialect));
    return row === undefined ? undefined : String(row.created_at);
  };
  const firstAt = filter.from ?? (await edge('first'));
  const lastAt = firstAt === undefined ? undefined : (filter.to ?? (await edge('last')));
  if (firstAt === undefined || lastAt === undefined) return { bucket: 'day', buckets: [], series: {}, total: 0 };
  const hourly = Date.parse(lastAt) - Date.parse(firstAt) <= HOURLY_UP_TO_MS;
  const bucket = hourly ? 'hour' : 'day';
  // A filter of time, environment and actor type alone is read from the event counts (counted-timeline.ts), any other counts its rows.
  const statements = countable(filter) ? countedTimeline(filter, bucket, dialect) : [trailTimeline(filter, bucket, dialect)];
  const rows = (await Promise.all(statements.map((statement) => gate.rows(statement, 100_000)))).flat();
  const buckets = [...new Set(rows.map((r) => String(r.bucket)))].sort();
  const index = new Map(buckets.map((b, i) => [b, i]));
  const series: Record<string, number[]> = {};
  let total = 0;
  for (const r of rows) {
    const type = String(r.actor_type);
    series[type] ??= new Array<number>(buckets.length).fill(0);
    // Added up: a cut hour's rows and the counted hours can fall in one day.
    const at = index.get(String(r.bucket))!;
    series[type]![at] = series[type]![at]! + Number(r.events);
    total += Number(r.events);
  }
  // As before: an empty range is drawn per day.
  return { bucket: hourly && total > 0 ? 'hour' : 'day', buckets, series, total };
}

/** One event: every column of its audit_trail row and its raw JSON as stored. */
export async function readEvent(gate: ReaderGate, id: string, dialect: SqlDialect): Promise<{ row: QueryRow; raw: string } | undefined> {
  const row = await gate.row({ sql: 'SELECT * FROM audit_trail WHERE event_id = :id', params: { id } });
  if (row === undefined) return undefined;
  const rawColumn = dialect === 'postgres' ? 'raw_text' : 'raw';
  const stored = await gate.row({ sql: `SELECT ${rawColumn} AS raw FROM events WHERE id = :id`, params: { id } });
  return { row, raw: String(stored?.raw ?? '') };
}

export interface ActorProfile {
  id: string;
  kind: 'user' | 'guest' | 'agent' | 'unknown';
  /** The inventory row as stored (without its raw JSON), when the actor is known. */
  record: QueryRow | undefined;
  firstSeen: string | null;
  lastSeen: string | null;
  events: number;
  environments: QueryRow[];
  spaces: QueryRow[];
}

const ACTOR_TABLES = [
  ['user', 'SELECT id, name, email, created_at, last_active_at, first_synced_at, removed_at FROM users WHERE id = :id'],
  ['guest', 'SELECT id, name, email, environment_id, first_synced_at, removed_at FROM guests WHERE id = :id'],
  ['agent', 'SELECT id, slug AS name, environment_id, topics, created_at, first_synced_at, removed_at FROM agents WHERE id = :id'],
] as const;

/** An actor's first and last event times and its count of events. */
export function actorSeen(id: string): Statement {
  return { sql: 'SELECT min(created_at) AS first_seen, max(created_at) AS last_seen, count(*) AS events FROM events WHERE actor_id = :id', params: { id } };
}

/** The environments an actor's events are in, busiest first, with each one's events counted. */
export function actorEnvironments(id: string): Statement {
  return {
    // Counted from events_actor_time alone (it carries the environment and the space), then named:
    // grouped through the audit_trail view, SQLite kept the view's joins and looked up every event's
    // past names before counting; joined before grouping, it still looked up a name per event.
    sql: 'SELECT g.environment_id, env.name AS environment_name, g.events FROM (SELECT environment_id, count(*) AS events FROM events WHERE actor_id = :id GROUP BY environment_id) g LEFT JOIN environments env ON env.id = g.environment_id ORDER BY 3 DESC, 1',
    params: { id },
  };
}

/** The spaces an actor's events are in, busiest first, with each one's events counted (as the environments). */
export function actorSpaces(id: string): Statement {
  return {
    sql: 'SELECT g.space_id, s.name AS space_name, g.events FROM (SELECT space_id, count(*) AS events FROM events WHERE actor_id = :id AND space_id IS NOT NULL GROUP BY space_id) g LEFT JOIN spaces s ON s.id = g.space_id ORDER BY 3 DESC, 1',
    params: { id },
  };
}

export async function readActor(gate: ReaderGate, id: string): Promise<ActorProfile | undefined> {
  let kind: ActorProfile['kind'] = 'unknown';
  let record: QueryRow | undefined;
  for (const [table, sql] of ACTOR_TABLES) {
    record = await gate.row({ sql, params: { id } });
    if (record !== undefined) {
      kind = table;
      break;
    }
  }
  const seen = await gate.row(actorSeen(id));
  const events = Number(seen?.events ?? 0);
  if (record === undefined && events === 0) return undefined;
  const environments = await gate.rows(actorEnvironments(id), 500);
  const spaces = await gate.rows(actorSpaces(id), 500);
  return { id, kind, record, firstSeen: (seen?.first_seen as string | null) ?? null, lastSeen: (seen?.last_seen as string | null) ?? null, events, environments, spaces };
}

export interface EnvironmentSummary {
  id: string;
  name: string | null;
  isProd: boolean;
  removedAt: string | null;
  spaces: number;
  agents: number;
  guests: number;
  events: number;
  /** Events per day over the last SPARK_DAYS days, oldest first. */
  perDay: number[];
  lastSuccessAt: string | null;
  highWater: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export const SPARK_DAYS = 30;

export async function readEnvironments(gate: ReaderGate, status: StoreStatus, now: Date, dialect: SqlDialect): Promise<EnvironmentSummary[]> {
  const rows = await gate.rows({
    sql: `SELECT env.id, env.name, env.is_prod, env.removed_at,
      (SELECT count(*) FROM spaces s WHERE s.environment_id = env.id AND s.removed_at IS NULL) AS spaces,
      (SELECT count(*) FROM agents a WHERE a.environment_id = env.id AND a.removed_at IS NULL) AS agents,
      (SELECT count(*) FROM guests g WHERE g.environment_id = env.id AND g.removed_at IS NULL) AS guests
      FROM environments env ORDER BY env.name, env.id`,
    params: {},
  });
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (SPARK_DAYS - 1) * 86_400_000);
  const day = dialect === 'postgres' ? `to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : 'substr(hour, 1, 10)';
  // From the event counts (rule 19): the days start on the hour, so their hours sum to the days exactly.
  const counts = await gate.rows({
    sql: `SELECT environment_id, ${day} AS day, sum(count) AS events FROM event_counts WHERE hour >= :start GROUP BY 1, 2`,
    params: { start: start.toISOString() },
  }, 100_000);
  const days = Array.from({ length: SPARK_DAYS }, (_, i) => new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10));
  const byEnvironment = new Map<string, number[]>();
  for (const c of counts) {
    const series = byEnvironment.get(String(c.environment_id)) ?? new Array<number>(SPARK_DAYS).fill(0);
    const i = days.indexOf(String(c.day));
    if (i >= 0) series[i] = Number(c.events);
    byEnvironment.set(String(c.environment_id), series);
  }
  const statusById = new Map(status.environments.map((e) => [e.environmentId, e]));
  return rows.map((r) => {
    const id = String(r.id);
    const s = statusById.get(id);
    return {
      id,
      name: (r.name as string | null) ?? null,
      isProd: r.is_prod === true || r.is_prod === 1,
      removedAt: (r.removed_at as string | null) ?? null,
      spaces: Number(r.spaces),
      agents: Number(r.agents),
      guests: Number(r.guests),
      events: s?.events ?? 0,
      perDay: byEnvironment.get(id) ?? new Array<number>(SPARK_DAYS).fill(0),
      lastSuccessAt: s?.lastSuccessAt ?? null,
      highWater: s?.highWater ?? null,
      lastError: s?.lastError ?? null,
      lastErrorAt: s?.lastErrorAt ?? null,
    };
  });
}

/** The last runs, newest first. */
export async function readRecentRuns(gate: ReaderGate, limit = 20): Promise<QueryRow[]> {
  return gate.rows({
    sql: `SELECT id, trigger, scope, started_at, finished_at, status, new_events, pages, requests, environments_ok, environments_failed, error FROM sync_runs ORDER BY id DESC LIMIT ${Math.trunc(limit)}`,
    params: {},
  }, limit);
}
