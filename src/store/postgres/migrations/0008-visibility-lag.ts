/**
 * Visibility lag (rule 16 of src/store/audit-store.ts): events first read by an incremental listing,
 * counted per environment, hour read (the API server's time), topic and lag bucket
 * (src/store/visibility-lag.ts). Keyed by hour first: a window of the last hours reads only its
 * own rows. (SQLite's migration 14.)
 */
export const sql = `
CREATE TABLE visibility_lag (
  hour           timestamptz NOT NULL,
  environment_id text COLLATE "C" NOT NULL,
  topic          text COLLATE "C" NOT NULL,
  bucket         integer NOT NULL,
  events         integer NOT NULL,
  PRIMARY KEY (hour, environment_id, topic, bucket)
);
`;
