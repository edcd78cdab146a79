/**
 * Event counts (rule 19 of audit-store.ts): how many events each environment holds per UTC hour of
 * their createdAt and actor type (actor-type.ts), kept in event_counts by the writers in the
 * transaction that stores the events (only those new to the store), taken off by prunes in the
 * transaction that deletes them, so that a chart, a sparkline or a status reads a few rows per hour
 * instead of counting every event.
 */
import { actorTypeCase, actorTypeOf, type ActorType } from './actor-type.js';

/**
 * An ISO UTC time with milliseconds whose every field is in range, so that its text to the hour is
 * what Date prints for it: every time the API client keeps. (Date rolls day 31 of a short month
 * and hour 24 over into the next day, refuses minute 60, and reads other forms too: those take the
 * slow path.)
 */
const PLAIN_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** The start of the UTC hour an ISO time falls in, as ISO with milliseconds (PostgreSQL reads it as a timestamptz). */
export function utcHour(createdAt: string): string {
  // Each event is counted by its hour: one test instead of a Date parsed and printed.
  const hour = PLAIN_UTC.test(createdAt) ? createdAt.slice(0, 13) : new Date(createdAt).toISOString().slice(0, 13);
  return `${hour}:00:00.000Z`;
}

/** The hour as SQLite keeps it: created_at's text to the hour, as the migration and the explorer's buckets cut it (substr). */
export function textHour(createdAt: string): string {
  return `${createdAt.slice(0, 13)}:00:00.000Z`;
}

/** One row of event_counts. */
export interface EventCount {
  environmentId: string;
  hour: string;
  actorType: ActorType;
  count: number;
}

/** Counts events into rows, one per (environment, hour, actor type), for one write. */
export class CountTally {
  private readonly counts = new Map<string, EventCount>();

  constructor(private readonly hourOf: (createdAt: string) => string) {}

  /** An event new to the store. */
  add(environmentId: string, createdAt: string, actorId: string | null): void {
    const hour = this.hourOf(createdAt);
    const actorType = actorTypeOf(actorId);
    const key = `${environmentId}\u0000${hour}\u0000${actorType}`;
    const found = this.counts.get(key);
    if (found) found.count += 1;
    else this.counts.set(key, { environmentId, hour, actorType, count: 1 });
  }

  rows(): EventCount[] {
    return [...this.counts.values()];
  }
}

/**
 * Takes the events of one environment's chain range (`:env`, `:from_seq`, `:to_seq` as the store's
 * placeholders name them) off the counts, before a prune deletes them: one statement for both stores
 * but for the hour expression and placeholders.
 */
export function uncountRange(hourOfCreatedAt: string, env: string, fromSeq: string, toSeq: string): string {
  return `UPDATE event_counts SET count = event_counts.count - d.n
FROM (SELECT ${hourOfCreatedAt} AS hour, ${actorTypeCase('actor_id')} AS actor_type, count(*) AS n
      FROM events WHERE environment_id = ${env} AND chain_seq BETWEEN ${fromSeq} AND ${toSeq} GROUP BY 1, 2) AS d
WHERE event_counts.environment_id = ${env} AND event_counts.hour = d.hour AND event_counts.actor_type = d.actor_type`;
}

/** Adds one environment's chain range of events, just stored, to the counts (copy-store, whose rows arrive already chained). */
export function countRange(hourOfCreatedAt: string, env: string, fromSeq: string, toSeq: string): string {
  return `INSERT INTO event_counts (environment_id, hour, actor_type, count)
SELECT environment_id, ${hourOfCreatedAt}, ${actorTypeCase('actor_id')}, count(*)
FROM events WHERE environment_id = ${env} AND chain_seq BETWEEN ${fromSeq} AND ${toSeq} GROUP BY 1, 2, 3
ON CONFLICT (environment_id, hour, actor_type) DO UPDATE SET count = event_counts.count + excluded.count`;
}
