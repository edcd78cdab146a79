/**
 * Fault injection: the misbehaviours a client of the real API must survive. Every decision is
 * drawn from a seeded stream, so a run with the same faults and request order fails the same way.
 */
import type { Rng } from './random.js';

export interface Faults {
  /** Every answer leaves this long after its request arrived, never sooner (it is built meanwhile). */
  latencyMs: number;
  rate429: number;
  retryAfterFormat: 'seconds' | 'http-date';
  /** Sent as Math.ceil(retryAfterS) in the seconds format (the header takes whole seconds). */
  retryAfterS: number;
  /** 500, 502, 503 or 504, picked at random. */
  error5xxRate: number;
  /** Socket destroyed without a response. */
  resetRate: number;
  stallRate: number;
  stallMs: number;
  /** 200 with the JSON body cut in half. */
  truncatedRate: number;
  /** 200 with an HTML body. */
  htmlRate: number;
  /** If set, faults apply only to request paths matching it (tested on /api/v1/x and on /x). */
  only?: RegExp;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'reset' }
  | { kind: 'stall'; ms: number }
  | { kind: '429'; retryAfter: string }
  | { kind: '5xx'; status: number }
  | { kind: 'truncated' }
  | { kind: 'html' };

export const DEFAULT_FAULTS: Readonly<Faults> = {
  latencyMs: 0,
  rate429: 0,
  retryAfterFormat: 'seconds',
  retryAfterS: 1,
  error5xxRate: 0,
  resetRate: 0,
  stallRate: 0,
  stallMs: 30_000,
  truncatedRate: 0,
  htmlRate: 0,
};

const RATES = ['rate429', 'error5xxRate', 'resetRate', 'stallRate', 'truncatedRate', 'htmlRate'] as const;
const DURATIONS = ['latencyMs', 'retryAfterS', 'stallMs'] as const;
const STATUSES_5XX = [500, 502, 503, 504] as const;

/** `base` (defaults if omitted) with `change` applied; throws an Error naming the bad knob. */
export function resolveFaults(base: Faults | undefined, change: Partial<Faults>): Faults {
  const next: Faults = { ...(base ?? DEFAULT_FAULTS), ...change };
  // An explicit `only: undefined` clears the filter; the spread above already did that.
  for (const key of RATES) {
    const value = next[key];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new Error(`faults.${key} must be between 0 and 1, got ${String(value)}`);
  }
  for (const key of DURATIONS) {
    const value = next[key];
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new Error(`faults.${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (next.retryAfterFormat !== 'seconds' && next.retryAfterFormat !== 'http-date') {
    throw new Error(`faults.retryAfterFormat must be 'seconds' or 'http-date', got ${String(next.retryAfterFormat)}`);
  }
  if (next.only !== undefined && !(next.only instanceof RegExp)) throw new Error('faults.only must be a RegExp');
  return next;
}

/** Faults as JSON-friendly values (`only` becomes its source) for the admin surface. */
export function faultsToJson(faults: Faults): Record<string, unknown> {
  const { only, ...rest } = faults;
  return { ...rest, only: only?.source ?? null };
}

/** Parses an admin request body into a change; `only` is a pattern string (null clears it). */
export function faultsFromJson(body: unknown): Partial<Faults> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('faults must be a JSON object');
  const known = new Set<string>([...RATES, ...DURATIONS, 'retryAfterFormat', 'only']);
  const change: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!known.has(key)) throw new Error(`unknown fault knob ${key}`);
    if (key === 'only') {
      if (value !== null && typeof value !== 'string') throw new Error('faults.only must be a string pattern or null');
      change.only = value === null ? undefined : new RegExp(value);
    } else {
      change[key] = value;
    }
  }
  return change as Partial<Faults>;
}

/** True if the faults may hit this request (`auth` marks POST /auth, faulted only when `only` names it). */
export function faultsApply(faults: Faults, fullPath: string, relativePath: string, auth: boolean): boolean {
  if (faults.only === undefined) return !auth;
  faults.only.lastIndex = 0; // a /g or /y pattern would otherwise carry state between requests
  if (faults.only.test(fullPath)) return true;
  faults.only.lastIndex = 0;
  return faults.only.test(relativePath);
}

/**
 * Draws the fault for one request. Every kind gets its own draw each time (whatever the rates),
 * so changing one rate does not reshuffle the decisions of the others; earlier kinds win.
 */
export function decideFault(faults: Faults, rng: Rng, nowMs: number): FaultDecision {
  const draws = [rng.next(), rng.next(), rng.next(), rng.next(), rng.next(), rng.next()];
  const status = rng.pick(STATUSES_5XX);
  if ((draws[0] as number) < faults.resetRate) return { kind: 'reset' };
  if ((draws[1] as number) < faults.stallRate) return { kind: 'stall', ms: faults.stallMs };
  if ((draws[2] as number) < faults.rate429) return { kind: '429', retryAfter: retryAfterValue(faults, nowMs) };
  if ((draws[3] as number) < faults.error5xxRate) return { kind: '5xx', status };
  if ((draws[4] as number) < faults.truncatedRate) return { kind: 'truncated' };
  if ((draws[5] as number) < faults.htmlRate) return { kind: 'html' };
  return { kind: 'none' };
}

/** The Retry-After header value; the date is rounded up so the wait is never shorter than asked. */
export function retryAfterValue(faults: Faults, nowMs: number): string {
  if (faults.retryAfterFormat === 'seconds') return String(Math.ceil(faults.retryAfterS));
  return new Date(Math.ceil((nowMs + faults.retryAfterS * 1000) / 1000) * 1000).toUTCString();
}
