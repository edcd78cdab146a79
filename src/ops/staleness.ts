/**
 * When an environment's data counts as stale: its last successful sync is older than the bound, or
 * it has never succeeded although the worker has been up longer than the bound. A worker that
 * knows no environment at all after that long is stale too (the account listing keeps failing).
 */
import type { EnvironmentSyncState } from '../store/sync-state.js';

export interface EnvironmentHealth {
  id: string;
  name: string | null;
  /** Seconds since its last successful sync; null if it never had one. */
  ageS: number | null;
  failing: boolean;
  stale: boolean;
}

export interface StalenessInput {
  now: number;
  /** When this worker started (ms): a never-synced environment is given this long plus the bound. */
  startedAt: number;
  staleAfterMs: number;
}

export function assessStaleness(states: readonly EnvironmentSyncState[], input: StalenessInput): { environments: EnvironmentHealth[]; reasons: string[] } {
  const { now, startedAt, staleAfterMs } = input;
  const upMs = now - startedAt;
  const reasons: string[] = [];
  const environments = states.map((state) => {
    const success = state.lastSuccessAt === null ? NaN : Date.parse(state.lastSuccessAt);
    const ageMs = Number.isNaN(success) ? null : Math.max(0, now - success);
    const stale = ageMs === null ? upMs > staleAfterMs : ageMs > staleAfterMs;
    const label = state.name === null ? state.environmentId : `"${state.name}" (${state.environmentId})`;
    if (stale) {
      reasons.push(
        ageMs === null
          ? `environment ${label}: no successful sync in the ${seconds(upMs)} s this worker has been up (stale after ${seconds(staleAfterMs)} s)`
          : `environment ${label}: last successful sync ${seconds(ageMs)} s ago (stale after ${seconds(staleAfterMs)} s)`,
      );
    }
    return { id: state.environmentId, name: state.name, ageS: ageMs === null ? null : seconds(ageMs), failing: state.failing, stale };
  });
  if (states.length === 0 && upMs > staleAfterMs) {
    reasons.push(`no environment synced in the ${seconds(upMs)} s this worker has been up (stale after ${seconds(staleAfterMs)} s)`);
  }
  return { environments, reasons };
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
