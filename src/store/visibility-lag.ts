/**
 * Visibility lag (rule 16 of audit-store.ts): how long after its createdAt an event was first read
 * by an incremental listing. Stores keep it as counts per (environment, hour read, topic, lag
 * bucket) in visibility_lag, added to in the transaction that stores the events, so percentiles
 * over a window read a few hundred rows whatever the number of events, and a prune of events
 * leaves them be. The one place the buckets are drawn and percentiles are taken from them.
 *
 * Buckets are eighths of a doubling: bucket b holds lags in (2^((b-1)/8), 2^(b/8)] seconds, bucket
 * 0 everything up to a second (a negative lag too: the API's clock a little behind ours). A
 * percentile is reported as its bucket's upper bound: never below the true value, at most 9% above.
 */

/** The window status and metrics report over: the hours read in the last 24 hours, the current one included (24 to 25 hours). */
export const LAG_WINDOW_MS = 24 * 3600_000;

const PER_DOUBLING = 8;

/** The bucket of a lag in milliseconds. */
export function lagBucket(lagMs: number): number {
  if (!(lagMs > 1000)) return 0;
  return Math.ceil(PER_DOUBLING * Math.log2(lagMs / 1000));
}

/** The largest lag (ms) a bucket holds. */
export function bucketUpperMs(bucket: number): number {
  return Math.round(1000 * 2 ** (bucket / PER_DOUBLING));
}

/** The hour (ISO, its start) a page read at `at` counts in. */
export function lagHour(at: string): string {
  return `${new Date(at).toISOString().slice(0, 13)}:00:00.000Z`;
}

/** The first hour inside the window ending at `now` (ms). */
export function lagWindowStart(now: number): string {
  return lagHour(new Date(now - LAG_WINDOW_MS).toISOString());
}

/**
 * The hour before which a prune of events created before `before` (ISO) deletes visibility_lag rows
 * (rows of hours that ended by then), never inside the window status and metrics read at `now`.
 * Why the prune's date: it is the operator's one statement (AUDIT_RETENTION, or prune --before) of
 * how long the store keeps what it recorded, and these counts are a record of sightings, not
 * evidence (no chain or checkpoint covers them), which only status's 24 hours read; whoever keeps
 * events a year for trends in SQL keeps their lag counts as long. Why never inside the window: a
 * `prune --before` of an hour ago must not change what `status --check` judges.
 */
export function lagPruneBefore(before: string, now: number): string {
  const cut = lagHour(before);
  const window = lagWindowStart(now);
  return cut < window ? cut : window;
}

/** One row of visibility_lag: `events` first read in `hour` with a lag in `bucket`. */
export interface LagCount {
  environmentId: string;
  hour: string;
  topic: string;
  bucket: number;
  events: number;
}

/** Counts events into rows, one per (environment, hour, topic, bucket), for one write. */
export class LagTally {
  private readonly counts = new Map<string, LagCount>();

  /** An event new to the store, with its createdAt, read by an incremental listing at `readAt` (the API server's time). */
  add(environmentId: string, topic: string, createdAt: string, readAt: string): void {
    const hour = lagHour(readAt);
    const bucket = lagBucket(Date.parse(readAt) - Date.parse(createdAt));
    const key = JSON.stringify([environmentId, hour, topic, bucket]);
    const found = this.counts.get(key);
    if (found) found.events += 1;
    else this.counts.set(key, { environmentId, hour, topic, bucket, events: 1 });
  }

  rows(): LagCount[] {
    return [...this.counts.values()];
  }
}

/** p50 and p99 of the lags of one environment (topic null: all its topics) over a window. */
export interface VisibilityLag {
  environmentId: string;
  topic: string | null;
  events: number;
  /** Upper bounds (see above), in milliseconds. */
  p50Ms: number;
  p99Ms: number;
}

/** Figures per environment (all topics) and per environment and topic, from bucket counts summed over a window. */
export function visibilityLags(rows: ReadonlyArray<Pick<LagCount, 'environmentId' | 'topic' | 'bucket' | 'events'>>): VisibilityLag[] {
  const groups = new Map<string, { environmentId: string; topic: string | null; buckets: Map<number, number> }>();
  const count = (environmentId: string, topic: string | null, bucket: number, events: number): void => {
    const key = JSON.stringify([environmentId, topic]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { environmentId, topic, buckets: new Map() }));
    group.buckets.set(bucket, (group.buckets.get(bucket) ?? 0) + events);
  };
  for (const r of rows) {
    count(r.environmentId, null, Number(r.bucket), Number(r.events));
    count(r.environmentId, r.topic, Number(r.bucket), Number(r.events));
  }
  return [...groups.values()]
    .map(({ environmentId, topic, buckets }) => {
      const sorted = [...buckets].sort(([a], [b]) => a - b);
      const events = sorted.reduce((sum, [, n]) => sum + n, 0);
      return { environmentId, topic, events, p50Ms: quantile(sorted, events, 0.5), p99Ms: quantile(sorted, events, 0.99) };
    })
    .sort((a, b) => (a.environmentId === b.environmentId ? (a.topic ?? '').localeCompare(b.topic ?? '') : a.environmentId < b.environmentId ? -1 : 1));
}

/** Nearest rank: the upper bound of the bucket holding the ceil(q·n)-th smallest lag. */
function quantile(sorted: ReadonlyArray<readonly [number, number]>, total: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bucket, n] of sorted) {
    seen += n;
    if (seen >= rank) return bucketUpperMs(bucket);
  }
  return bucketUpperMs(sorted[sorted.length - 1]?.[0] ?? 0);
}
