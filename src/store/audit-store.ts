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
 * 3. Ordered writes, per environment. Batches that hold pages of one environment are applied in the
 *    order they are committed, and a batch committed while an earlier one of an environment it
 *    holds is still pending is refused if that one fails (and so is every batch behind it): a
 *    caller may keep several in flight without a later batch ever committing cursors that skip a
 *    lost one. Batches with no environment in common are independent: a store may apply them side
 *    by side (PostgreSQL runs them in parallel transactions), and one's failure refuses nothing of
 *    the other's. A batch committed after a failure was reported is a fresh start. How the lanes
 *    are kept: write-lanes.ts.
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
 * 9. Positions in ingestion order. Every stored event has a position (AuditReader.openTrail); a
 *    reader that read the trail up to position P and reads again after P gets every event
 *    committed since, none twice, even when writers commit in another order than they began (the
 *    one with the lower position committing later): a position is only handed out once no event
 *    can still appear before it. How each store keeps this: sqlite/trail-query.ts, postgres/trail-query.ts.
 * 10. Forward positions only move on. A forwarder's position (advanceForward) changes only from the
 *    position the caller read: two forwarders of one destination never move it back or past
 *    what the other delivered.
 * 11. Operator resets, the one way back. resetCursor replaces an environment's listing with a fresh
 *    one starting earlier (page 1 of a given `since`), so the next run re-reads from there: the one
 *    deliberate exception to "only forward", made by an operator, never by a sync. The high-water
 *    mark itself is left as it is (rule 4 holds for it), so the re-read cannot lose anything a
 *    completed listing already covered. In one transaction it checks that the environment has a
 *    cursor and that no run of it (its own scope, or 'account') is 'running' and alive (started
 *    after `staleBefore`, or its cursor written after it), changes the listing, and records the
 *    change with both values in operator_actions; refused (CursorResetRefusedError or
 *    UnknownEnvironmentError), it changes nothing. A run starting meanwhile waits for it, so it reads
 *    the new listing. Pages written with the cursor update 'none' (a catch-up listing) store events
 *    and leave every cursor alone.
 * 12. Coverage recorded with its proof. A page that carries a `window` (the empty page that ends a
 *    listing read to its end) records that window in listing_windows in the same transaction as
 *    the page: a recorded window never claims a listing whose pages were not all committed.
 * 13. Prunes cut chain prefixes. planPrune(before) names, for each environment `before` has a date
 *    for, the events from the start of its remaining chain up to the last one before the first
 *    event created at or after that date
 *    (so what stays is a contiguous suffix, and nothing created at or after `before` is pruned; an
 *    event that arrived late with an old createdAt stays until everything chained before it goes).
 *    pruneStep deletes at most `limit` of them, from the start, and records the cut (ChainCut: the
 *    sequence and hash of the last pruned link, and who pruned, when, into which archive) in the same
 *    transaction, so the store is never without the cut its remaining chain starts from. Chain heads
 *    stay, so new events link on. Inventories are never pruned (rule 6). A store may keep more than
 *    planned: SQLite keeps the event with the highest rowid, which export positions count from.
 * 14. History kept. Each inventory change log entry keeps, in the same transaction, the version of the
 *    row it starts (chain/inventory-version.ts): its content (what the entry's digest is of), valid
 *    from the record's updatedAt or else when first seen. `audit_trail` names each actor as at the
 *    event's time (the earliest known version before any) and today (actor_current_*);
 *    `guest_access_changes` and `guest_access` tell which guest could reach which space, from when
 *    until when, from guest_spaces versions and space:guestAdded / space:guestRemoved events.
 * 15. Reconciliation drift recorded. recordReconcile(record) finds, in one transaction with the
 *    reconcile_runs row it writes, the environment's late events: those linked into its chain after
 *    `afterSeq` (its head when the reconcile listing began, rule 5) and created before `lateBefore`
 *    (where the incremental listing planned at that moment starts; none when it is null). No
 *    incremental listing can store such an event (it lists from `lateBefore` or later, and the
 *    high-water mark only moves on), so they are the ones the incremental runs missed, found by this
 *    reconcile (or by a catch-up run beside it). The row keeps the window, how many, how late
 *    (ingested_at − created_at: the largest and the median) and the lookback that would have had the
 *    incremental listing read them all (highWater − the oldest createdAt); `status` reports each
 *    environment's latest row. Nothing else is touched: no cursor, no sync_runs row.
 * 16. Visibility lag recorded for incremental first sightings. A page read by an incremental
 *    listing (PageWrite.read.by 'incremental') counts each of its events new to the store, in the
 *    same transaction, by environment, topic, the hour it was read and its lag (read.at minus
 *    createdAt) in visibility_lag (visibility-lag.ts); an event already stored, or first stored by
 *    any other listing (backfill, catch-up, re-sync, reconcile), is not counted. `status` and visibilityLag
 *    report p50 and p99 over a window from those counts. pruneVisibilityLag(beforeHour, limit) deletes
 *    up to `limit` rows of hours before `beforeHour`, the oldest first, and no other: a prune passes
 *    the earlier of its date's hour and the window's start (visibility-lag.ts, lagPruneBefore).
 * 17. Activity is not a change. An inventory row whose listing differs from what is stored only in
 *    what moves when someone merely uses the thing it describes (chain/inventory-digests.ts,
 *    ACTIVITY: a token's `last_used_at` and `lastUsedAt`, a user's `last_active_at` and
 *    `lastSeenAt`, a guest's `spaces[].lastAccessed` and its guest_spaces' `last_accessed`, a
 *    space's `lastActivityAt`) is updated to it, and logs no change and no version; any other
 *    difference (a name, an email, a removal, a row come back, a new row, a membership gained or
 *    lost) logs one as rule 6 says. verify agrees: the row digest leaves activity out. The trade-off:
 *    activity edited behind the store's back is not found (the next sync writes the API's value
 *    over it), and the log and the versions keep no history of activity (the row keeps the latest). A row still as an entry
 *    written before this rule was widened to users, guests and spaces says (activity included) is
 *    no change either, to the writer, verify and checkpoints alike.
 * 18. Versions answer to the log. AuditSnapshot hands over every inventory version as stored
 *    (eachInventoryVersion, times as ISO UTC with milliseconds), so that verify can check each
 *    against its change log entry (chain/verify-inventory-versions.ts): content by the entry's
 *    digest, every other column recomputed from the content, and no entry of a sync without its
 *    version. A version edited, deleted or inserted behind the store's back is named by kind, id
 *    and seq; prunes (rule 13) never touch versions, and a copy (copy-store) verifies as the original.
 * 19. Counts equal the events. event_counts holds, per environment, UTC hour of createdAt and actor
 *    type (actor-type.ts, the audit_trail view's rule), how many events the store holds
 *    (event-counts.ts): a write adds its events new to the store in its transaction (a re-read or
 *    re-listed event, or a write run again after a concurrent writer, counts once), a prune step
 *    takes off what it deletes in its transaction (a count down to 0 is removed), and copy-store
 *    counts each page of events it copies in that page's transaction. So
 *    `SELECT environment_id, hour, actor_type, sum(count)` over event_counts equals the same grouping
 *    over the events at every commit, and the explorer's charts and `status` read the counts instead
 *    of counting events. verify reports an environment whose counts differ from its events.
 */
import type { VisibilityLag } from './visibility-lag.js';
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
  | { kind: 'complete'; highWater: string | null; completedAt: string }
  /** A page of a catch-up listing (sync --since): its events are stored, no cursor changes (rule 11). */
  | { kind: 'none' };

/**
 * A listing that read to its end (rule 10): every event created at or after `since` that the API
 * listed before `until` was served to it, and stored (or already there).
 */
export interface ListingWindow {
  /** 'reconcile': a reconcile's listing of its window (src/sync/reconcile-environment.ts), which moves no cursor either. */
  kind: 'incremental' | 'catch-up' | 'reconcile';
  /** The listing's start (null: the beginning of the history). */
  since: string | null;
  /** The API server's time when the listing's empty last page was served. */
  until: string;
  startedAt: string;
  completedAt: string;
  /** The page this run started at: above 1, pages before it were read by an earlier, interrupted run. */
  resumedAtPage: number;
  /** Pages and events served to this run, and events new to the store among them. */
  pages: number;
  served: number;
  newEvents: number;
}

/**
 * What kind of listing read a page (rule 16): 'incremental' a listing planned from the high-water
 * mark (resumed or not); 'backfill' an environment's first listings, before it has a high-water
 * mark; 'resync' one an operator moved back (cursor reset); 'catch-up' sync --since; 'reconcile' a
 * reconcile's re-listing (rule 15). Only 'incremental' sightings count toward the lag.
 */
export type ListingKind = 'incremental' | 'backfill' | 'resync' | 'catch-up' | 'reconcile';

/** One fetched page and where the listing stands once it is stored. */
export interface PageWrite {
  environmentId: string;
  events: EventRecord[];
  rejected: RejectedEvent[];
  cursor: CursorUpdate;
  /** Who read the page and when (the API server's time): an incremental listing's first sightings have their lag counted (rule 16). */
  read?: { by: ListingKind; at: string } | undefined;
  /** On the page that ends a listing read to its end: the window it covered (rule 10). */
  window?: ListingWindow | undefined;
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
  /** Visibility lag is reported over the hours read from this one on (ISO; default: visibility-lag.ts lagWindowStart of now). */
  lagSince?: string | undefined;
}

export interface StoreStatus {
  environments: EnvironmentStatus[];
  /** Each environment's latest reconcile (rule 15), by environment id. */
  reconcile: ReconcileDrift[];
  futureDated: FutureDatedEvents[];
  lastRun: { id: number; scope: string; startedAt: string; finishedAt: string | null; status: RunStatus; newEvents: number; error: string | null } | null;
  totals: { events: number; rejected: number; users: number; guests: number; spaces: number; agents: number };
  /** p50 and p99 of the visibility lag per environment (topic null) and per environment and topic (rule 16). */
  visibilityLag: VisibilityLag[];
}

/**
 * What a checkpoint anchors outside the file (see src/checkpoint/): every environment's chain head
 * and event count, the inventories' digests and change-log head, and the schema.
 */
export interface CheckpointState {
  /**
   * Per environment its chain head, its events (pruned ones included: the chain's length, which a
   * prune leaves as it was) and, once pruned, where its chain was cut (rule 13).
   */
  environments: Record<string, { seq: number; hash: string; events: number; cut?: { seq: number; hash: string } }>;
  inventory: {
    changes: { seq: number; hash: string } | null;
    tables: Record<string, { rows: number; digest: string }>;
  };
  schema: { version: number; digest: string };
}

/** Where a forwarder (src/forward/) stands: its destination names the receiver, never its secrets. */
export interface ForwardState {
  destination: string;
  /** The trail position (rule 9) through which the receiver acknowledged every event. */
  position: string;
  /** Events acknowledged in all, since the forwarder started. */
  forwarded: number;
  updatedAt: string;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** Who did an operator action, as the process saw it: the OS user and the host it ran on. */
export interface Operator {
  user: string;
  host: string;
}

/** What resetCursor is asked to do (rule 11); `listing` comes from planReset (src/sync/plan-listing.ts). */
export interface CursorReset {
  environmentId: string;
  /** The fresh listing the next run starts with: page 1 from an earlier `since`. */
  listing: ListingProgress;
  /** The --since the operator gave (the listing's may be earlier: it never skips what the next run would read). */
  requestedSince: string;
  at: string;
  /** A 'running' run of the environment that started before this, and whose cursor was not written since, is taken for dead. */
  staleBefore: string;
  operator: Operator;
}

export interface CursorResetResult {
  /** The row id in operator_actions. */
  actionId: number;
  before: EnvironmentCursor;
  after: EnvironmentCursor;
}

/** Where a prune cut an environment's chain (rule 13): verify starts the remaining chain at `seq`, from `hash`. */
export interface ChainCut {
  environmentId: string;
  /** The prune run that made it: a prune stopped mid-way and the one that finished the job made two cuts. */
  pruneId: string;
  /** The first sequence number this prune removed (the previous cut's seq + 1). */
  firstSeq: number;
  /** The last sequence number removed: the first remaining event is seq + 1. */
  seq: number;
  /** The chain hash of event `seq` (hex): the first remaining event links to it. */
  hash: string;
  prunedAt: string;
  /** Who pruned: the command or job, and the user and host. */
  command: string;
  /** The archive the pruned rows were written to (its file name), null with --no-archive. */
  archive: string | null;
  archiveSha256: string | null;
}

/** The events of an environment a prune would remove (rule 13): sequence numbers fromSeq..throughSeq. */
export interface PrunePlan {
  environmentId: string;
  fromSeq: number;
  throughSeq: number;
}

/** One short transaction of a prune (rule 13). */
export interface PruneStep {
  environmentId: string;
  /** Never past this sequence number (the plan's). */
  throughSeq: number;
  /** At most this many events in this transaction. */
  limit: number;
  pruneId: string;
  prunedAt: string;
  command: string;
  archive: string | null;
  archiveSha256: string | null;
}

/** One environment's reconcile listing, read to its end, as recordReconcile is given it (rule 15). */
export interface ReconcileRecord {
  environmentId: string;
  /** What asked for it: 'cli', 'schedule', 'test'. */
  trigger: string;
  startedAt: string;
  completedAt: string;
  /** The window listed: from `since` to the API server's time when its empty last page was served. */
  since: string;
  until: string;
  pages: number;
  served: number;
  /** Events new to the store among those served (late or not). */
  newEvents: number;
  /** The environment's chain head sequence when the listing began (0: no chain yet). */
  afterSeq: number;
  /** Where the incremental listing planned when the reconcile began starts; null: it misses nothing before it (it reads from the beginning). */
  lateBefore: string | null;
  /** The high-water mark then: the lookback that would have caught an event is measured from it. */
  highWater: string | null;
  /** AUDIT_LOOKBACK then. */
  lookbackMs: number;
}

/** A recorded reconcile (rule 15): the record, and the late events the store found for it. */
export interface ReconcileDrift extends ReconcileRecord {
  id: number;
  /** Events the incremental runs had missed, now stored. */
  lateEvents: number;
  /** ingested_at − created_at of the late events: the largest and the median (null without any). */
  maxLateMs: number | null;
  medianLateMs: number | null;
  oldestLateCreatedAt: string | null;
  /** The smallest AUDIT_LOOKBACK under which the incremental listing would have read every late event (null without any). */
  neededLookbackMs: number | null;
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
  /** Moves an environment's listing back and records who did it (rule 11). */
  resetCursor(reset: CursorReset): Promise<CursorResetResult>;
  status(options: StatusOptions): Promise<StoreStatus>;
  /** The visibility lag figures of the hours read from `since` (ISO) on (rule 16), cheap enough for every metrics scrape. */
  visibilityLag(since: string): Promise<VisibilityLag[]>;
  /** A forwarder's position ('0' and nothing forwarded before its first delivery). */
  readForward(destination: string): Promise<ForwardState>;
  /**
   * Moves a forwarder from position `from` to `to`, adding `count` forwarded events and clearing its
   * error, only if it still stands at `from` (rule 10); false when it did not (another forwarder moved it).
   */
  advanceForward(destination: string, from: string, to: string, count: number, at: string): Promise<boolean>;
  /** Notes a failed delivery on the forwarder, leaving its position alone. */
  recordForwardError(destination: string, message: string, at: string): Promise<void>;
  /** What a prune of the events created before `before[environmentId]` (ISO) removes, per environment with anything to remove (rule 13). */
  planPrune(before: Readonly<Record<string, string>>): Promise<PrunePlan[]>;
  /** Deletes the next events of a plan and moves the cut, in one transaction (rule 13); null when none is left. */
  pruneStep(step: PruneStep): Promise<ChainCut | null>;
  /** Deletes at most `limit` visibility_lag rows of hours before `beforeHour` (ISO, an hour's start), oldest first, in one transaction (rule 16); how many. */
  pruneVisibilityLag(beforeHour: string, limit: number): Promise<number>;
  /** Records one environment's reconcile with the late events it stored, in one transaction (rule 15). */
  recordReconcile(record: ReconcileRecord): Promise<ReconcileDrift>;
  /** Lets the writes under way finish, then closes; later writes are refused. Closing twice is harmless. */
  close(): Promise<void>;
}
