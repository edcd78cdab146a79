/**
 * /healthz: is syncing really happening? Not ok, with a reason each, when Redis or the database
 * cannot be used, the schedule is gone from Redis, the queue is paused, or an environment's last
 * successful sync is older than AUDIT_STALE_AFTER. Computed from reads only: Redis queries, each
 * bounded in time, and the store's read-only connection, so a probe never takes the write lock
 * and never waits on the main thread for a commit.
 */
import type { EnvironmentSyncState, SyncStateReader } from '../store/sync-state.js';
import { assessStaleness, type EnvironmentHealth } from './staleness.js';

export interface Check {
  ok: boolean;
  error?: string;
}

export interface HealthReport {
  ok: boolean;
  /** One line per thing that is wrong; empty when ok. */
  reasons: string[];
  redis: Check;
  database: Check;
  /** The account sync's schedule is registered in Redis. */
  schedule: Check;
  /** The queue is not paused. */
  queue: Check;
  staleAfterS: number;
  /** Seconds since the most recent successful environment sync; null before the first. */
  lastSuccessAgeS: number | null;
  /** Seconds since the least recently synced environment last succeeded: the stalest data. */
  stalestEnvironmentAgeS: number | null;
  environments: EnvironmentHealth[];
}

export type HealthCheck = () => Promise<HealthReport>;

/** What the probe reads. The worker wires these to its queue connection, its queue and a read-only store view. */
export interface HealthProbes {
  redis: { readonly status: string; ping(): Promise<unknown> };
  scheduleExists(): Promise<boolean>;
  queuePaused(): Promise<boolean>;
  syncState: SyncStateReader;
}

export interface HealthOptions {
  staleAfterMs: number;
  /** When the worker started (ms since the epoch). */
  startedAt: number;
  clock?: () => number;
  /** Bound of each Redis query. */
  timeoutMs?: number;
}

const NOT_CHECKED: Check = { ok: false, error: 'not checked: Redis cannot be used' };

export function createHealthCheck(probes: HealthProbes, options: HealthOptions): HealthCheck {
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 2000;
  const bounded = (query: () => Promise<unknown>) => check(() => withTimeout(query(), timeoutMs));
  return async () => {
    let redis: Check;
    let schedule = NOT_CHECKED;
    let queue = NOT_CHECKED;
    // A connection that is down queues commands until it is back: do not pile probes up behind it.
    if (probes.redis.status !== 'ready') {
      redis = { ok: false, error: `not connected (${probes.redis.status})` };
    } else {
      const [ping, exists, paused] = await Promise.all([
        bounded(() => probes.redis.ping()),
        bounded(async () => {
          if (!(await probes.scheduleExists())) throw new Error('missing from Redis');
        }),
        bounded(async () => {
          if (await probes.queuePaused()) throw new Error('paused');
        }),
      ]);
      redis = ping;
      if (ping.ok) [schedule, queue] = [exists, paused];
    }
    let states: EnvironmentSyncState[] = [];
    const database = await check(async () => (states = await probes.syncState.environments()));
    const staleness = assessStaleness(states, { now: clock(), startedAt: options.startedAt, staleAfterMs: options.staleAfterMs });
    const checks = { redis, database, schedule, queue };
    const reasons = [
      ...Object.entries(checks).flatMap(([name, result]) => (result.ok || result === NOT_CHECKED ? [] : [`${name}: ${result.error}`])),
      ...staleness.reasons,
    ];
    const ages = staleness.environments.map((e) => e.ageS).filter((age): age is number => age !== null);
    return {
      ok: reasons.length === 0,
      reasons,
      ...checks,
      staleAfterS: Math.round(options.staleAfterMs / 1000),
      lastSuccessAgeS: ages.length ? Math.min(...ages) : null,
      stalestEnvironmentAgeS: ages.length ? Math.max(...ages) : null,
      environments: staleness.environments,
    };
  };
}

async function check(probe: () => Promise<unknown>): Promise<Check> {
  try {
    await probe();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out (no answer within ${ms} ms)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
