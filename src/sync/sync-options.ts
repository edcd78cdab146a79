import type { Config } from '../config.js';

/** The settings a sync run uses (a subset of Config, so tests and jobs can build one directly). */
export interface SyncOptions {
  lookbackMs: number;
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
    backfillSince: config.backfillSince,
    pageSize: config.pageSize,
    concurrency: config.concurrency,
    guestConcurrency: Math.min(4, config.concurrency),
    writeBatchRows: config.writeBatchRows,
  };
}
