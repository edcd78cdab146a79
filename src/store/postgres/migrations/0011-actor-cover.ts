/**
 * The actor page's counts per environment and per space read the index alone (index-only scans, the
 * visibility map kept by autovacuum on this insert-mostly table) instead of fetching every one of the
 * actor's rows: the environment and the space ride in the index's leaf entries (INCLUDE), not in its
 * key, whose order (actor, time) every other lookup keeps using. (SQLite's migration 18.)
 */
export const sql = `
DROP INDEX events_actor_time;
CREATE INDEX events_actor_time ON events (actor_id, created_at) INCLUDE (environment_id, space_id);
`;
