/**
 * How each HTTP outcome is handled, as data: which statuses are retried, which are fatal, and how
 * long to wait. Delays are capped exponential backoff with jitter; a `Retry-After` header (seconds
 * or an HTTP date) wins over the computed delay, within a cap.
 */

export type StatusRule = 'retry' | 'rate-limited' | 'token-rejected' | 'not-found' | 'fail';

/** Statuses with a rule of their own; other 5xx retry, other 4xx fail. */
export const STATUS_RULES: Readonly<Record<number, StatusRule>> = {
  401: 'token-rejected',
  403: 'token-rejected',
  404: 'not-found',
  408: 'retry',
  425: 'retry',
  429: 'rate-limited',
  500: 'retry',
  502: 'retry',
  503: 'retry',
  504: 'retry',
};

/**
 * POST /auth declares 400 and 404 for credentials it does not accept (its body is a union keyed on
 * `type`, and an unknown client id is "not found"): there they mean rejected, like a 401.
 */
export const AUTH_STATUS_RULES: Readonly<Record<number, StatusRule>> = {
  ...STATUS_RULES,
  400: 'token-rejected',
  404: 'token-rejected',
};

export function ruleFor(status: number, rules: Readonly<Record<number, StatusRule>> = STATUS_RULES): StatusRule | 'ok' {
  if (status >= 200 && status < 300) return 'ok';
  return rules[status] ?? (status >= 500 ? 'retry' : 'fail');
}

export interface RetryPolicy {
  /** Retries of transient failures (5xx, resets, timeouts, unreadable bodies) per request. */
  maxRetries: number;
  /** 429 answers tolerated per request: they mean "slow down", not "broken". */
  maxRateLimited: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; a larger value is cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 8,
  maxRateLimited: 50,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
};

/** Delay before retry number `attempt` (0-based): half fixed, half random, so clients spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Milliseconds a `Retry-After` value asks for (delta-seconds or HTTP date), or undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The wait for a 429: Retry-After (capped) plus a little jitter, or backoff when the header is missing. */
export function rateLimitDelayMs(retryAfterMs: number | undefined, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (retryAfterMs === undefined) return backoffMs(attempt, policy, random);
  return Math.min(retryAfterMs, policy.maxRetryAfterMs) + Math.round(random() * 100);
}
