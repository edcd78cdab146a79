/**
 * Event counts (rule 19 of src/store/audit-store.ts, src/store/event-counts.ts): events per
 * environment, UTC hour of created_at and actor type, filled here from the events already stored.
 * The CASE is the audit_trail view's (migration 6), frozen as it ran. (SQLite's migration 16.)
 */
export const sql = `
CREATE TABLE event_counts (
  environment_id text COLLATE "C" NOT NULL,
  hour           timestamptz NOT NULL,
  actor_type     text COLLATE "C" NOT NULL,
  count          bigint NOT NULL,
  PRIMARY KEY (environment_id, hour, actor_type)
);
CREATE INDEX event_counts_hour ON event_counts (hour);

INSERT INTO event_counts (environment_id, hour, actor_type, count)
SELECT environment_id, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
  CASE
    WHEN actor_id IS NULL THEN 'unknown'
    WHEN substr(actor_id, 1, 7) = 'us_usr_' THEN 'user'
    WHEN substr(actor_id, 1, 5) = 'us_g_' THEN 'guest'
    WHEN substr(actor_id, 1, 6) = 'us_ag_' THEN 'agent'
    WHEN substr(actor_id, 1, 7) = 'us_key_' THEN 'api_key'
    ELSE 'unknown'
  END,
  count(*)
FROM events GROUP BY 1, 2, 3;
`;
