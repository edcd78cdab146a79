/**
 * Slows down password guessing at the queue dashboard: after `maxFailures` wrong passwords from
 * one client address within `windowMs`, that address is refused until the oldest of them leaves
 * the window. In memory and bounded: at most `maxClients` addresses are tracked, the least
 * recently failing dropped first (an attacker with that many addresses gets the same few tries
 * per address and minute as anyone).
 */
export interface LoginLimiter {
  /** Whole seconds until `client` may try again; 0 when it may now. */
  retryAfterS(client: string): number;
  failed(client: string): void;
  succeeded(client: string): void;
}

export interface LoginLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  maxClients?: number;
  now?: () => number;
}

export function createLoginLimiter(options: LoginLimiterOptions = {}): LoginLimiter {
  const { maxFailures = 5, windowMs = 60_000, maxClients = 1000, now = Date.now } = options;
  /** Per client, the times of its recent failures, oldest first; Map order: least recently failing first. */
  const failures = new Map<string, number[]>();

  const recent = (client: string): number[] => {
    const since = now() - windowMs;
    const times = (failures.get(client) ?? []).filter((t) => t > since);
    if (times.length === 0) failures.delete(client);
    return times;
  };

  return {
    retryAfterS(client) {
      const times = recent(client);
      return times.length < maxFailures ? 0 : Math.max(1, Math.ceil((times[0]! + windowMs - now()) / 1000));
    },
    failed(client) {
      const times = [...recent(client), now()].slice(-maxFailures);
      failures.delete(client);
      failures.set(client, times);
      if (failures.size > maxClients) failures.delete(failures.keys().next().value!);
    },
    succeeded(client) {
      failures.delete(client);
    },
  };
}
