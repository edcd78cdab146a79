/**
 * The read side of the store seam: what `status`, `verify`, `query`, the cookbook and the checkpoint
 * checks read, without knowing which store holds the audit trail (open one with openReader in
 * open-store.ts). A reader never writes: it reads the store read-only (SQLite: a read-only
 * connection with query_only on), so nothing asked through it can change the audit trail.
 */
import type { AuditSnapshot } from './audit-snapshot.js';
import type { ForwardState, StatusOptions, StoreStatus } from './audit-store.js';

/** The SQL a store speaks: which of a cookbook entry's statements it runs. */
export type SqlDialect = 'sqlite' | 'postgres';

/** One row of a query's result, by column name. */
export type QueryRow = Record<string, unknown>;

/** An open read-only statement, read a few rows at a time so that no result is ever held whole. */
export interface QueryCursor {
  /** The result's column names, in order. */
  readonly columns: readonly string[];
  /** Up to `count` more rows; fewer only once the result is exhausted. Errors while reading are QUERY_REFUSED. */
  read(count: number): Promise<QueryRow[]>;
  /** Stops the statement, letting go of what it holds (its read snapshot); harmless when already done. */
  close(): Promise<void>;
}

/**
 * A place in the store's ingestion order (store rule 9): opaque text that only the store that
 * printed it compares. '0' is the start, before every event, on every store.
 */
export type TrailPosition = string;

/** Narrows a trail read; times are ISO UTC with milliseconds, compared as stored. */
export interface TrailFilter {
  /** Only rows created at or after this instant. */
  since?: string | undefined;
  /** Only rows created before this instant. */
  until?: string | undefined;
  environment?: string | undefined;
}

/** What is stored after a position: how many events, and when the oldest of them was stored. */
export interface TrailBacklog {
  events: number;
  oldestIngestedAt: string | null;
}

/** How a statement will be read, so a store can plan it for that. */
export interface QueryOptions {
  /**
   * Someone waits for the first rows of a long result (a download, `flatfile-audit query` printing
   * as it reads): plan for the first rows rather than for the whole result. Leave it off for a
   * bounded read that takes every row (a page, a count): a plan for first rows there can walk the
   * whole trail to feed a join (4 s at 1M events on PostgreSQL for a 50-row page).
   */
  firstRows?: boolean;
}

export interface AuditReader {
  readonly dialect: SqlDialect;
  /** Per environment where its cursor stands and what failed; the last run; totals. */
  status(options: StatusOptions): Promise<StoreStatus>;
  /**
   * Opens one statement in the store's dialect, with named parameters written `:name`. A statement
   * that could change the store, or that returns no rows, is refused before it runs (AuditError
   * QUERY_REFUSED), as is one that does not parse. While a cursor is open the reader runs nothing
   * else: read it to the end or close it first.
   */
  openQuery(sql: string, params?: Readonly<Record<string, string>>, options?: QueryOptions): Promise<QueryCursor>;
  /**
   * Runs `read` on one consistent view of the store: all it reads through `view` is as of one
   * moment, whatever syncs commit meanwhile (verify's chain walk and its checkpoint checks must see
   * the same state). Snapshots of one reader run one after another.
   */
  snapshot<T>(read: (view: AuditSnapshot) => Promise<T>): Promise<T>;
  /**
   * The audit_trail row of each event stored after `after`, in ingestion order (store rule 9), each
   * with its `position` as the first column (SQLite: an integer; PostgreSQL: text): reading again
   * after the last position read returns every event stored since, whatever order writers committed
   * in, and none twice. A position this store never prints is refused (AuditError CONFIG_INVALID).
   * The cursor is openQuery's: read it to the end or close it.
   */
  openTrail(after: TrailPosition, filter?: TrailFilter): Promise<QueryCursor>;
  /** The events stored after `after` (lag of whoever reads the trail from there). */
  trailBacklog(after: TrailPosition): Promise<TrailBacklog>;
  /** Where each forwarder (AUDIT_FORWARD_URL) stands, by destination. */
  forwardStates(): Promise<ForwardState[]>;
  close(): Promise<void>;
}
