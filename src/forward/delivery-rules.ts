/**
 * What a receiver's answer means for a batch, as data (in the manner of src/flatfile/retry-policy.ts):
 * a 2xx is an acknowledgement, the only thing that moves the forwarder's position; 429 and 503 ask
 * us to wait (their Retry-After is honoured, capped); other 5xx, 408, timeouts and broken
 * connections are tried again after a jittered, growing wait; any other 4xx says the request itself
 * is wrong (a bad token, a wrong path, a batch too large), which trying again at once will not mend.
 */

export type Delivery =
  | { kind: 'acknowledged' }
  /** Try again after `waitMs` (when the receiver said how long) or a backoff. */
  | { kind: 'retry'; reason: string; waitMs?: number | undefined }
  /** Trying again now will not help; the next run tries again. */
  | { kind: 'refused'; reason: string };

const WAIT_ASKED = new Set([429, 503]);
const RETRIED = new Set([408, 425, 500, 502, 504]);
const HINTS: Record<number, string> = {
  401: 'check AUDIT_FORWARD_TOKEN_FILE (or the URL credentials)',
  403: 'check AUDIT_FORWARD_TOKEN_FILE (or the URL credentials)',
  404: 'check the path of AUDIT_FORWARD_URL',
  413: 'lower AUDIT_FORWARD_BATCH',
};

/** The receiver's answer to one POST, as a Delivery. */
export function classifyAnswer(status: number, retryAfter: string | null, now: number, maxWaitMs: number): Delivery {
  if (status >= 200 && status < 300) return { kind: 'acknowledged' };
  if (WAIT_ASKED.has(status)) return { kind: 'retry', reason: `HTTP ${status}`, waitMs: retryAfterMs(retryAfter, now, maxWaitMs) };
  if (RETRIED.has(status) || status >= 500) return { kind: 'retry', reason: `HTTP ${status}` };
  const hint = HINTS[status];
  return { kind: 'refused', reason: `HTTP ${status}${hint ? `: ${hint}` : ''}` };
}

/** Retry-After in seconds or as an HTTP date, capped at `maxMs`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number, maxMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(0, ms), maxMs);
}

const FIRST_WAIT_MS = 500;

/** A wait between half and all of min(max, first × 2^attempt), at random: forwarders that failed together do not come back together. */
export function backoffMs(attempt: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, FIRST_WAIT_MS * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
