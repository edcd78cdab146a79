import type { Config } from '../config.js';

/** The settings a sync run uses (a subset of Config, so tests and jobs can build one directly). */
export interface SyncOptions {
  lookbackMs: number;
  /** An event dated beyond the server's now plus this is stored and flagged, but never moves the high-water mark. */
  maxClockSkewMs: number;
  backfillSince: string | undefined;
  pageSize: number;
  concurrency: number;
  /** Spaces whose guests are fetched at once within one environment. */
  guestConcurrency: number;
  writeBatchRows: number;
}

export function syncOptionsFrom(config: Config): SyncOptions {
  return {
    lookbackMs: config.lookbackMs,
    maxClockSkewMs: config.maxClockSkewMs,
    backfillSince: config.backfillSince,
    pageSize: config.pageSize,
    concurrency: config.concurrency,
    guestConcurrency: Math.min(4, config.concurrency),
    writeBatchRows: config.writeBatchRows,
  };
}
