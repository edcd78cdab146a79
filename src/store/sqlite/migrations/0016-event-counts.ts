/**
 * Event counts (rule 19 of src/store/audit-store.ts, src/store/event-counts.ts): events per
 * environment, UTC hour of created_at (ISO, as created_at is stored) and actor type, filled here
 * from the events already stored. The CASE is the audit_trail view's (migration 12), frozen as it ran.
 */
export const sql = `
CREATE TABLE event_counts (
  environment_id TEXT NOT NULL,
  hour           TEXT NOT NULL,
  actor_type     TEXT NOT NULL,
  count          INTEGER NOT NULL,
  PRIMARY KEY (environment_id, hour, actor_type)
) WITHOUT ROWID;
CREATE INDEX event_counts_hour ON event_counts (hour);

INSERT INTO event_counts (environment_id, hour, actor_type, count)
SELECT environment_id, substr(created_at, 1, 13) || ':00:00.000Z',
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
