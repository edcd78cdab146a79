/**
 * What kind of actor an event's actor_id names, by its id prefix: the one rule behind the
 * audit_trail view's actor_type (its CASE, frozen in SQLite migration 12 and PostgreSQL migration 6,
 * is what actorTypeCase('e.actor_id') gives), the event counts the writers keep (rule 19,
 * event-counts.ts) and the explorer's actor_type filter. No id, or any other prefix: 'unknown'.
 */
export const ACTOR_TYPES = ['user', 'guest', 'agent', 'api_key', 'unknown'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** The id prefix of each actor type that has one, in the order the view's CASE tests them. */
export const ACTOR_TYPE_PREFIX: Readonly<Partial<Record<ActorType, string>>> = { user: 'us_usr_', guest: 'us_g_', agent: 'us_ag_', api_key: 'us_key_' };

/** ACTOR_TYPE_PREFIX as pairs, in its order, made once: every stored event's actor is typed. */
const PREFIXES = Object.entries(ACTOR_TYPE_PREFIX) as Array<[ActorType, string]>;

/** The actor type of an actor id. */
export function actorTypeOf(actorId: string | null): ActorType {
  if (actorId === null) return 'unknown';
  for (const [type, prefix] of PREFIXES) if (actorId.startsWith(prefix)) return type;
  return 'unknown';
}

/** The same rule as SQL over `column`, the same text on SQLite and PostgreSQL. */
export function actorTypeCase(column: string): string {
  const branches = Object.entries(ACTOR_TYPE_PREFIX).map(([type, prefix]) => `    WHEN substr(${column}, 1, ${prefix.length}) = '${prefix}' THEN '${type}'`);
  return ['CASE', `    WHEN ${column} IS NULL THEN 'unknown'`, ...branches, `    ELSE 'unknown'`, '  END'].join('\n');
}
