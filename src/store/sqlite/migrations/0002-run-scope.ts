/** Runs of the scheduled worker cover one environment (or the account directory) and come from a job. */
export const sql = `
ALTER TABLE sync_runs ADD COLUMN scope TEXT NOT NULL DEFAULT 'account';
ALTER TABLE sync_runs ADD COLUMN job_id TEXT;
CREATE INDEX sync_runs_scope ON sync_runs(scope, id);
`;
