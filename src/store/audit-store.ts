/**
 * The one interface the sync writes through (its read side: audit-reader.ts). SQLite implements it
 * today; another store (PostgreSQL) implements the same contract without touching the API client
 * or the sync logic. The contract, in one place; every store keeps all of it, and
 * test/store/contract/ checks it against each store:
 *
 * 1. Idempotent by id. An event id is stored once, whatever environment or page brings it again;
 *    a re-read event changes nothing and is not counted as new.
 * 2. Atomic pages. A committed batch stores its pages' events, rejected events and cursor updates
 *    in one transaction: all of them or none, so a cursor never runs ahead of the events it covers.
 * 3. Ordered writes. Batches are applied in the order they are committed, and a batch committed
 *    while an earlier one is still pending is refused if that one fails (and so is every batch
 *    behind it): a caller may keep several in flight without a later batch ever committing cursors
 *    that skip a lost one. A batch committed after a failure was reported is a fresh start.
 * 4. High water only forward. A completed listing moves its environment's high-water mark only to
 *    a later time (a null or earlier one leaves it), clears the listing and any error.
 * 5. Gapless chains. Each newly stored event is linked into its environment's hash chain
 *    (chain/chain-links.ts): sequence numbers 1, 2, 3… per environment in the order stored, the
 *    head saved in the same transaction.
 * 6. Inventories are never deleted. A listing upserts its rows, marks rows of its scope it no longer
 *    holds removed, marks returning rows present, and logs each change (chain/inventory-digests.ts)
 *    in the same transaction.
 * 7. Stale runs closed. Only one sync of a scope runs at a time, so startRun closes runs of its
 *    scope still 'running' (their process died) as failed, with INTERRUPTED_RUN_ERROR.
 * 8. Errors are AuditErrors (STORE_FAILED) with one line naming the store and what to check.
 */
import type { AgentRecord, EnvironmentRecord, EventRecord, GuestRecord, PersonalAccessTokenRecord, RejectedEvent, SpaceRecord, UserRecord } from '../records.js';

/** Where one environment's events listing stands. */
export interface EnvironmentCursor {
  environmentId: string;
  /** Newest createdAt among events read by completed listings; the next listing starts a lookback before it. */
  highWater: string | null;
  /** The listing under way, if a run was interrupted mid-way; resumed by the next run. */
  listing: ListingProgress | null;
  lastSuccessAt: string | null;
  lastError: string | null;
}

/** A listing in progress: GET /events?since=…&pageSize=… read up to, not including, `nextPage`. */
export interface ListingProgress {
  since: string | null;
  pageSize: number;
  nextPage: number;
  /** Newest createdAt committed by this listing so far. */
  maxCreatedAt: string | null;
  /**
   * Most items the server has put on one page of this listing (0: none yet): the page size it
   * really applies. If a later page holds more, the server's page size grew and page numbers now
   * point further into the listing than what was read: the listing starts over.
   */
  pageFill: number;
  startedAt: string;
}

export type CursorUpdate =
  | { kind: 'progress'; listing: ListingProgress }
  | { kind: 'complete'; highWater: string | null; completedAt: string };

/** One fetched page and where the listing stands once it is stored. */
export interface PageWrite {
  environmentId: string;
  events: EventRecord[];
  rejected: RejectedEvent[];
  cursor: CursorUpdate;
}

export interface WriteResult {
  /** Events new to the store, per environment (re-read ones are ignored, not counted). */
  insertedByEnvironment: Map<string, number>;
}

export type InventoryKind = 'environments' | 'users' | 'spaces' | 'guests' | 'agents' | 'personal_access_tokens';

export interface InventoryRecords {
  environments: EnvironmentRecord;
  users: UserRecord;
  spaces: SpaceRecord;
  guests: GuestRecord;
  agents: AgentRecord;
  /** The credential's user's PATs (account-wide scope: null), never their values. */
  personal_access_tokens: PersonalAccessTokenRecord;
}

/**
 * A complete listing of one inventory within a scope (an environment id, or null for the account):
 * rows are upserted, rows of that scope missing from it are marked removed (never deleted), and
 * rows that come back are marked present again.
 */
export interface InventorySnapshot<K extends InventoryKind> {
  kind: K;
  scope: string | null;
  records: Array<InventoryRecords[K]>;
  seenAt: string;
}

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed';

export interface RunStart {
  startedAt: string;
  /** What asked for it: 'cli', 'schedule', 'manual', 'test'. */
  trigger: string;
  /** 'account' for a whole sync, 'directory' for account-level inventories, or an environment id. */
  scope: string;
  jobId?: string | undefined;
}

export interface RunSummary {
  status: Exclude<RunStatus, 'running'>;
  finishedAt: string;
  newEvents: number;
  rejected: number;
  pages: number;
  requests: number;
  environmentsOk: number;
  environmentsFailed: number;
  error: string | null;
  /** Per-environment figures, kept as JSON for `status` and dashboards. */
  details: unknown;
}

export interface EnvironmentStatus {
  environmentId: string;
  name: string | null;
  removedAt: string | null;
  highWater: string | null;
  listingInProgress: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  events: number;
}

/** Events dated after a moment (the status's now plus AUDIT_MAX_CLOCK_SKEW): an upstream clock gone wrong. */
export interface FutureDatedEvents {
  environmentId: string;
  count: number;
  newestCreatedAt: string;
}

export interface StatusOptions {
  /** Events dated after this ISO time are reported as future-dated. */
  futureDatedAfter: string;
}

export interface StoreStatus {
  environments: EnvironmentStatus[];
  futureDated: FutureDatedEvents[];
  lastRun: { id: number; scope: string; startedAt: string; finishedAt: string | null; status: RunStatus; newEvents: number; error: string | null } | null;
  totals: { events: number; rejected: number; users: number; guests: number; spaces: number; agents: number };
}

/**
 * What a checkpoint anchors outside the file (see src/checkpoint/): every environment's chain head
 * and event count, the inventories' digests and change-log head, and the schema.
 */
export interface CheckpointState {
  environments: Record<string, { seq: number; hash: string; events: number }>;
  inventory: {
    changes: { seq: number; hash: string } | null;
    tables: Record<string, { rows: number; digest: string }>;
  };
  schema: { version: number; digest: string };
}

/** The error a run still marked 'running' is closed with when another run of its scope starts (rule 7). */
export const INTERRUPTED_RUN_ERROR = 'interrupted: the process running it stopped before it finished';

/**
 * Pages gathered for one write (rules 2 and 3), handed out by AuditStore.openBatch. The store does
 * its per-page work (row encoding, digests) as each page is added, rather than for the whole batch
 * at commit, which would hold up the answers arriving meanwhile; what it keeps of a page is its own
 * business.
 */
export interface PageBatch {
  /** Adds a fetched page, with the cursor update it brings. Throws once the batch is committed. */
  add(page: PageWrite): void;
  /** Pages added so far. */
  readonly size: number;
  /** Writes every page added, in one transaction (rules 1-5); a batch commits once. */
  commit(): Promise<WriteResult>;
}

export interface AuditStore {
  readCursor(environmentId: string): Promise<EnvironmentCursor | undefined>;
  /** Every environment's cursor (cheap: no event counts), for metrics. */
  listCursors(): Promise<EnvironmentCursor[]>;
  /** A new, empty batch of pages to write together (see PageBatch and rules 1-5). */
  openBatch(): PageBatch;
  /** Writes `pages` as one batch: openBatch, add each, commit. */
  writePages(pages: readonly PageWrite[]): Promise<WriteResult>;
  /** Stores one complete listing of an inventory in one transaction (rule 6). */
  writeInventory<K extends InventoryKind>(snapshot: InventorySnapshot<K>): Promise<void>;
  /** Where an environment's tamper-evidence chain ends (null before its first event), for logs that anchor it. */
  chainHead(environmentId: string): Promise<{ seq: number; hash: string } | null>;
  /**
   * Optional: reads the CheckpointState and runs `record` with it while holding the store's write
   * lock, so that no write lands between the state read and what `record` does with it, and the
   * checkpoints of several processes sharing the store are recorded in the order of their states.
   */
  checkpoint?<T>(record: (state: CheckpointState) => T): Promise<T>;
  /** Throws unless the store can take a write now (health checks). */
  checkWritable(): Promise<void>;
  /** Notes a failed environment sync on its cursor, leaving its data and position alone. */
  recordEnvironmentError(environmentId: string, message: string, at: string): Promise<void>;
  /** Records a run as 'running' and returns its id, closing stale runs of its scope first (rule 7). */
  startRun(run: RunStart): Promise<number>;
  finishRun(runId: number, summary: RunSummary): Promise<void>;
  status(options: StatusOptions): Promise<StoreStatus>;
  /** Lets the writes under way finish, then closes; later writes are refused. Closing twice is harmless. */
  close(): Promise<void>;
}
