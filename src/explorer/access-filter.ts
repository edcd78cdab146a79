/**
 * `/access`'s filters as they live in the URL (`/access?space=us_sp_1&at=2026-11-15T12:00:00Z`),
 * read and checked once here:
 *
 * - `environment`, `space` match exactly; `guest` matches a guest id or email exactly, or part of a
 *   name (case-insensitive).
 * - `at` (an ISO time; a bare date is that day's start, UTC): only access a guest held at that
 *   moment, granted at or before it and not revoked by then, as the cookbook's `space-access` reads it.
 * - `current=1`: only access not revoked (what guests can reach today).
 */
import { BadRequestError } from './explorer-errors.js';
import { parseTime, text } from './trail-filter.js';

export interface AccessFilter {
  environment?: string;
  space?: string;
  guest?: string;
  /** One guest by id exactly (the actor page; not read from the URL): the view is then read for that guest only. */
  guestId?: string;
  at?: string;
  current?: boolean;
}

export function parseAccessFilter(params: URLSearchParams): AccessFilter {
  const filter: AccessFilter = {};
  for (const name of ['environment', 'space', 'guest'] as const) {
    const value = text(params, name);
    if (value !== undefined) filter[name] = value;
  }
  const at = text(params, 'at');
  if (at !== undefined) filter.at = parseTime('at', at);
  const current = text(params, 'current');
  if (current !== undefined) {
    if (current !== '1' && current !== '0') throw new BadRequestError(`current must be 1 (only access not revoked) or 0, got ${JSON.stringify(current.slice(0, 40))}`);
    if (current === '1') filter.current = true;
  }
  return filter;
}

/** The filter as URL parameters, in a fixed order, for links that keep it. */
export function accessParams(filter: AccessFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.environment) params.set('environment', filter.environment);
  if (filter.space) params.set('space', filter.space);
  if (filter.guest) params.set('guest', filter.guest);
  if (filter.at) params.set('at', filter.at);
  if (filter.current) params.set('current', '1');
  return params;
}
