/**
 * Visibility lag (rule 16 of src/store/audit-store.ts): events first read by an incremental listing,
 * counted per environment, hour read (ISO, the API server's time), topic and lag bucket
 * (src/store/visibility-lag.ts). Keyed by hour first: a window of the last hours reads only its
 * own rows, however long the table grows.
 */
export const sql = `
CREATE TABLE visibility_lag (
  hour           TEXT NOT NULL,
  environment_id TEXT NOT NULL,
  topic          TEXT NOT NULL,
  bucket         INTEGER NOT NULL,
  events         INTEGER NOT NULL,
  PRIMARY KEY (hour, environment_id, topic, bucket)
) WITHOUT ROWID;
`;
