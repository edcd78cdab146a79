/**
 * After a run: a log warning per environment whose visibility lag p99 reaches the share of
 * AUDIT_LOOKBACK that src/lag-warning.ts names, over the window status and metrics use.
 */
import { lagWarningText, lagWarns } from '../lag-warning.js';
import type { Logger } from '../log.js';
import type { AuditStore } from '../store/audit-store.js';
import { lagWindowStart } from '../store/visibility-lag.js';

export async function warnVisibilityLag(store: Pick<AuditStore, 'visibilityLag'>, log: Logger, lookbackMs: number, now: Date): Promise<void> {
  let lags;
  try {
    lags = await store.visibilityLag(lagWindowStart(now.getTime()));
  } catch (error) {
    // The run's data is stored; a figure that could not be read is for the next run (and status).
    log.warn({ err: error }, 'could not read the visibility lag');
    return;
  }
  for (const lag of lags) {
    if (lag.topic === null && lagWarns(lag.p99Ms, lookbackMs)) {
      log.warn({ envId: lag.environmentId, p50Ms: lag.p50Ms, p99Ms: lag.p99Ms, events: lag.events, lookbackMs }, lagWarningText(lag.environmentId, lag.p99Ms, lookbackMs));
    }
  }
}
