/** Runs that keep a cursor reset (rule 11 of audit-store.ts) from going ahead, and the one line that says so. */

export interface LiveRun {
  id: number;
  scope: string;
  startedAt: string;
}

export function describeLiveRuns(environmentId: string, runs: readonly LiveRun[], staleBefore: string): string {
  const list = runs.map((r) => `run ${r.id} (${r.scope === 'account' ? 'account sync' : 'environment sync'}, started ${r.startedAt})`).join(', ');
  return (
    `cursor of ${environmentId} not reset: ${list} is still running and would overwrite it; ` +
    `wait for it to finish (flatfile-audit status), or, if its process is gone, until it counts as stale ` +
    `(no start or cursor write after ${staleBefore}, AUDIT_STALE_AFTER); nothing was changed`
  );
}
