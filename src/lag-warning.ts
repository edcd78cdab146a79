/**
 * When the visibility lag (src/store/visibility-lag.ts) is worth a warning: its p99 at half of
 * AUDIT_LOOKBACK or more. One rule for the `status` line, the worker's log and the metrics gauge
 * the alert rule reads.
 *
 * Why half and not all of it: an incremental listing starts a lookback before the newest event
 * already stored, so an event that becomes visible later than that after its createdAt is never
 * listed, and never counted. The figure only ever holds the events that made it: it cannot show a
 * lag beyond the lookback, it flattens against it. By the time p99 nears the lookback, the tail
 * beyond p99 is already being lost. Half leaves room for that tail and for the time it takes to
 * raise AUDIT_LOOKBACK (or run a catch-up) once the warning is seen. The lag also holds the wait
 * for the next scheduled run (up to one AUDIT_SYNC_CRON interval), which the lookback must cover
 * as well: with the defaults (every 5 minutes, lookback 15m) that alone is a third of it.
 */

/** The share of AUDIT_LOOKBACK at which a p99 visibility lag warns. */
export const LAG_WARN_FRACTION = 0.5;

/** Whether a p99 lag (ms) warns, for a lookback (ms). */
export function lagWarns(p99Ms: number, lookbackMs: number): boolean {
  return p99Ms >= LAG_WARN_FRACTION * lookbackMs;
}

/** The one line every place warns with. */
export function lagWarningText(environmentId: string, p99Ms: number, lookbackMs: number): string {
  return `warning: ${lagProblemText(environmentId, p99Ms, lookbackMs)}`;
}

/** What is wrong, without the "warning:" (`status --check` calls it a failure). */
export function lagProblemText(environment: string, p99Ms: number, lookbackMs: number): string {
  return (
    `visibility lag of ${environment}: p99 ${formatSeconds(p99Ms)} is ${Math.round((100 * p99Ms) / lookbackMs)}% of AUDIT_LOOKBACK (${formatSeconds(lookbackMs)}); ` +
    `events that become visible later than the lookback are missed by the incremental listing: raise AUDIT_LOOKBACK`
  );
}

/** Seconds, as a short text ("90s"). */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
