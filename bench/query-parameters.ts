/**
 * The cookbook's parameters in the benchmark, for every store alike: worst realistic cases (the user
 * with the most events, the environment with the most, the space most guests could reach, the
 * newest day of data), picked by the same statements in each dialect, and handed to each entry as
 * `query --saved` would (its declared parameters, the rest at their defaults).
 */
import { cookbookParams, type CookbookQuery } from '../src/cookbook.js';

/** What picks each value; every store runs them as they are. */
export const PARAMETER_SQL = {
  user: 'SELECT u.id, u.email FROM users u JOIN events e ON e.actor_id = u.id GROUP BY u.id ORDER BY COUNT(*) DESC LIMIT 1',
  environment: 'SELECT environment_id FROM events GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1',
  newest: 'SELECT MAX(created_at) AS newest FROM events',
  space: 'SELECT space_id FROM guest_spaces GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1',
} as const;

export interface PickedValues {
  user: { id: string; email: string } | undefined;
  environment: string | undefined;
  newest: string | null | undefined;
  space: string | undefined;
}

/** The parameters every cookbook entry may ask for, from the picked values. */
export function benchParameters(picked: PickedValues): Record<string, string> {
  const to = new Date(Date.parse(picked.newest ?? new Date().toISOString()) + 1);
  return {
    actor: picked.user?.id ?? '',
    email: picked.user?.email ?? '',
    environment: picked.environment ?? '',
    from: new Date(to.getTime() - 86_400_000).toISOString(),
    to: to.toISOString(),
    space: picked.space ?? '',
    at: to.toISOString(),
  };
}

const DEFAULTS = { tokens: { staleAfterMs: 90 * 86_400_000, maxAgeMs: 180 * 86_400_000 } };

/** What one entry is run with: the parameters it declares, those left out at their defaults. */
export function entryParameters(query: CookbookQuery, parameters: Readonly<Record<string, string>>): Record<string, string> {
  const given = Object.fromEntries(Object.entries(parameters).filter(([key]) => query.params.some((p) => p.name === key)));
  return cookbookParams(query, given, { now: new Date(), ...DEFAULTS });
}
