/** What the bench asks of a child process, and what each kind of job reports back (one JSON line). */
import type { PostgresConfig } from '../src/config.js';
import type { StorePathSettings } from './write-path.js';
import type { Sample } from './timeline.js';

/** The real sync (src/sync/sync-account.ts), configured through the same variables as the CLI. */
export interface SyncJob {
  kind: 'sync';
  url: string;
  token: string;
  dbPath: string;
  env: Record<string, string>;
  /** Sync into this PostgreSQL schema (AUDIT_DATABASE_URL / AUDIT_DATABASE_SCHEMA) instead of the SQLite file at dbPath. */
  postgres?: PostgresConfig;
}

/** What a quick script would do: one environment after another, one page at a time, one autocommit insert per event. */
export interface NaiveJob {
  kind: 'naive';
  url: string;
  token: string;
  dbPath: string;
  pageSize: number;
}

/** Our listing code and store on pages saved to a file (no network). */
export interface StoreWriteJob {
  kind: 'store-write';
  pagesFile: string;
  dbPath: string;
  settings: StorePathSettings;
}

/** The plain better-sqlite3 loop, on the rows of another database. */
export interface RawWriteJob {
  kind: 'raw-write';
  sourceDb: string;
  dbPath: string;
}

/** One COPY of the events a sync stored in `source` into a fresh schema `target`: the raw bound on PostgreSQL. */
export interface CopyWriteJob {
  kind: 'copy-write';
  source: PostgresConfig;
  target: PostgresConfig;
}

/** Our HTTP client fetching and parsing every events page as the sync would, storing nothing: the measured network bound. */
export interface FetchOnlyJob {
  kind: 'fetch-only';
  url: string;
  token: string;
  env: Record<string, string>;
}

export interface FetchOnlyResult {
  seconds: number;
  pages: number;
  events: number;
}

export type Job = SyncJob | NaiveJob | StoreWriteJob | RawWriteJob | CopyWriteJob | FetchOnlyJob;

export interface SyncResult {
  status: string;
  error: string | null;
  /** Time of the sync itself, process start-up excluded. */
  wallS: number;
  /** Events newly stored. */
  events: number;
  /** Event pages that held events (the empty page ending each listing not counted). */
  pages: number;
  /** HTTP requests made, retries and inventory listings included. */
  requests: number;
  timeline: Sample[];
  details?: unknown;
}

export interface WriteTiming {
  seconds: number;
  rows: number;
}

/** Every job's result carries the peak RSS of its process over its whole life (getrusage maxrss) and its RSS before the work. */
export interface ProcessFigures {
  peakRssMb: number;
  startRssMb: number;
}

export interface JobResults {
  sync: SyncResult;
  naive: SyncResult;
  'store-write': WriteTiming;
  'raw-write': WriteTiming;
  'copy-write': WriteTiming;
  'fetch-only': FetchOnlyResult;
}

export type ResultOf<J extends Job> = JobResults[J['kind']] & ProcessFigures;
