/** /healthz: can the worker do its job right now? Redis answers, the database takes writes, and how old the last success is. */
import type { AuditStore } from '../store/audit-store.js';

export interface HealthReport {
  ok: boolean;
  redis: { ok: boolean; error?: string };
  database: { ok: boolean; error?: string };
  /** Seconds since the most recent successful environment sync; null before the first. */
  lastSuccessAgeS: number | null;
  /** Seconds since the least recently synced environment last succeeded: the stalest data. */
  stalestEnvironmentAgeS: number | null;
}

export type HealthCheck = () => Promise<HealthReport>;

export interface Pingable {
  ping(): Promise<unknown>;
}

export function createHealthCheck(redis: Pingable, store: AuditStore, clock: () => number = Date.now): HealthCheck {
  return async () => {
    const redisCheck = await check(() => withTimeout(redis.ping(), 2000));
    const databaseCheck = await check(() => store.checkWritable());
    let successes: number[] = [];
    try {
      successes = (await store.listCursors()).map((c) => (c.lastSuccessAt ? Date.parse(c.lastSuccessAt) : NaN)).filter((t) => !Number.isNaN(t));
    } catch {
      // the database check above already says what is wrong
    }
    const age = (time: number | undefined) => (time === undefined ? null : Math.round((clock() - time) / 1000));
    return {
      ok: redisCheck.ok && databaseCheck.ok,
      redis: redisCheck,
      database: databaseCheck,
      lastSuccessAgeS: age(successes.length ? Math.max(...successes) : undefined),
      stalestEnvironmentAgeS: age(successes.length ? Math.min(...successes) : undefined),
    };
  };
}

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
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
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
