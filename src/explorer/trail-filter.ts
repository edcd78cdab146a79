/**
 * The trail's filters as they live in the URL (`/?from=2026-11-01&actor=alice&topic=job:created`),
 * read and checked once here, so a link can be shared and every page reads the same meaning:
 *
 * - `from` (inclusive) and `to` (exclusive) take an ISO time; a bare date `to=2026-11-30` means
 *   through the end of that day (UTC), as people read a date range.
 * - `environment`, `topic`, `domain`, `space` match exactly; `actor_type` is one of the trail's.
 * - `actor` matches an actor id or email exactly, or part of a name (case-insensitive).
 * - `q` is free text: an event id or topic exactly, or an actor, environment or space by id,
 *   email or part of its name (case-insensitive).
 * - `before` is the keyset position of the page (created_at and event id of the row above it).
 */
import { canonicalTime, ISO_TIME_EXAMPLE } from '../iso-time.js';
import { BadRequestError } from './explorer-errors.js';

import { ACTOR_TYPES, type ActorType } from '../store/actor-type.js';

export { ACTOR_TYPES, type ActorType };

export interface TrailFilter {
  from?: string;
  to?: string;
  environment?: string;
  actor?: string;
  actorType?: ActorType;
  topic?: string;
  domain?: string;
  space?: string;
  q?: string;
}

/** The row a page starts below: newest first, ties on the time broken by event id. */
export interface TrailPosition {
  createdAt: string;
  eventId: string;
}

const MAX_TEXT = 200;

/** A query parameter's text, trimmed; empty as absent; refused past MAX_TEXT. Every filter of the explorer reads its parameters so. */
export function text(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > MAX_TEXT) throw new BadRequestError(`${name} is longer than ${MAX_TEXT} characters`);
  return value;
}

/** An ISO time or date as the store's form (ISO UTC with milliseconds); `endOfDay` reads a bare date as the day after it. */
export function parseTime(name: string, value: string, endOfDay = false): string {
  const time = canonicalTime(value, endOfDay);
  if (time === undefined) throw new BadRequestError(`${name} must be an ISO date or time (${ISO_TIME_EXAMPLE}), got ${JSON.stringify(value.slice(0, 40))}`);
  return time;
}

export function parseTrailFilter(params: URLSearchParams): TrailFilter {
  const filter: TrailFilter = {};
  const from = text(params, 'from');
  const to = text(params, 'to');
  if (from !== undefined) filter.from = parseTime('from', from);
  if (to !== undefined) filter.to = parseTime('to', to, true);
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) throw new BadRequestError(`from (${from}) must be before to (${to})`);
  const actorType = text(params, 'actor_type');
  if (actorType !== undefined) {
    if (!(ACTOR_TYPES as readonly string[]).includes(actorType)) throw new BadRequestError(`actor_type must be one of ${ACTOR_TYPES.join(', ')}, got ${JSON.stringify(actorType.slice(0, 40))}`);
    filter.actorType = actorType as ActorType;
  }
  for (const name of ['environment', 'actor', 'topic', 'domain', 'space', 'q'] as const) {
    const value = text(params, name);
    if (value !== undefined) filter[name] = value;
  }
  return filter;
}

const POSITION = /^(.+Z)~(.+)$/;

export function parsePosition(value: string | null): TrailPosition | undefined {
  if (value === null || value === '') return undefined;
  const m = POSITION.exec(value);
  if (!m || value.length > MAX_TEXT) throw new BadRequestError('before is not a position this explorer wrote (follow the "Older" link)');
  return { createdAt: parseTime('before', m[1]!), eventId: m[2]! };
}

export function formatPosition(position: TrailPosition): string {
  return `${position.createdAt}~${position.eventId}`;
}

/** The filter as URL parameters, in a fixed order, for links that keep it. */
export function filterParams(filter: TrailFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.environment) params.set('environment', filter.environment);
  if (filter.actor) params.set('actor', filter.actor);
  if (filter.actorType) params.set('actor_type', filter.actorType);
  if (filter.topic) params.set('topic', filter.topic);
  if (filter.domain) params.set('domain', filter.domain);
  if (filter.space) params.set('space', filter.space);
  if (filter.q) params.set('q', filter.q);
  return params;
}
