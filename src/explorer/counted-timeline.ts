/**
 * The timeline of a filter the event counts can answer (rule 19 of src/store/audit-store.ts:
 * event_counts, per environment, UTC hour and actor type): only a time range, an environment and an
 * actor type. The whole hours inside the range are summed from event_counts, a few rows per hour
 * however many events they hold; an hour the range cuts (a `from` or `to` not on the hour) is
 * counted from the trail's rows, for that part of the hour alone. So the bars add up exactly to what
 * the trail lists for the filter, as the timeline that counts every row does.
 */
import type { SqlDialect } from '../store/audit-reader.js';
import type { TrailFilter } from './trail-filter.js';
import { bucketExpression, trailTimeline, type Bucket, type Statement } from './trail-sql.js';

const COUNTED_FIELDS: ReadonlySet<keyof TrailFilter> = new Set(['from', 'to', 'environment', 'actorType']);

/** Whether event_counts can answer the filter's timeline: no filter but time, environment and actor type. */
export function countable(filter: TrailFilter): boolean {
  return (Object.keys(filter) as Array<keyof TrailFilter>).every((k) => filter[k] === undefined || COUNTED_FIELDS.has(k));
}

const HOUR_MS = 3_600_000;

/** The start of the hour `iso` falls in, or of the next hour unless it is on one (`up`). */
function hourOf(iso: string, up: boolean): string {
  const ms = Date.parse(iso);
  const floor = Math.floor(ms / HOUR_MS) * HOUR_MS;
  return new Date(up && floor < ms ? floor + HOUR_MS : floor).toISOString();
}

/**
 * The statements whose rows (bucket, actor_type, events) add up to the timeline of a countable
 * filter: the whole hours from event_counts, and each cut hour at the range's ends from the trail.
 */
export function countedTimeline(filter: TrailFilter, bucket: Bucket, dialect: SqlDialect): Statement[] {
  const fromHour = filter.from === undefined ? undefined : hourOf(filter.from, true);
  const toHour = filter.to === undefined ? undefined : hourOf(filter.to, false);
  // The range lies within an hour or two cut ones: its rows are few, count them.
  if (fromHour !== undefined && toHour !== undefined && fromHour >= toHour) return [trailTimeline(filter, bucket, dialect)];
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (fromHour !== undefined) {
    where.push('hour >= :from_hour');
    params.from_hour = fromHour;
  }
  if (toHour !== undefined) {
    where.push('hour < :to_hour');
    params.to_hour = toHour;
  }
  if (filter.environment !== undefined) {
    where.push('environment_id = :environment');
    params.environment = filter.environment;
  }
  if (filter.actorType !== undefined) {
    where.push('actor_type = :actor_type');
    params.actor_type = filter.actorType;
  }
  const statements: Statement[] = [{
    sql: `SELECT ${bucketExpression(bucket, dialect, 'hour')} AS bucket, actor_type, sum(count) AS events FROM event_counts${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY 1, 2`,
    params,
  }];
  if (filter.from !== undefined && fromHour !== filter.from) statements.push(trailTimeline({ ...filter, to: fromHour }, bucket, dialect));
  if (filter.to !== undefined && toHour !== filter.to) statements.push(trailTimeline({ ...filter, from: toHour }, bucket, dialect));
  return statements;
}
