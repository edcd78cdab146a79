/**
 * Gathers fetched pages into transactions of about `maxRows` rows, one open batch per environment:
 * SQLite commits 1000 rows far faster than ten commits of 100, the cursor of each page still
 * travels in the same transaction as its events, and batches of different environments have no
 * environment in common, so a store may commit them side by side (contract rule 3: PostgreSQL runs
 * them in parallel transactions, which is what lets its backfill use more than one core of the
 * server). Each page is added to its environment's open batch as it arrives (AuditStore.openBatch),
 * so the store's per-page work is spread out and the batch holds only what the store keeps of a page.
 *
 * Listings go on fetching while batches commit: a full batch is handed to the store at once while
 * fewer than IN_FLIGHT are under way; a listing that fills a batch beyond that waits for the oldest
 * commit, and each commit that ends hands over the fullest batch waiting, which bounds memory to
 * IN_FLIGHT batches under way and one open batch per environment. A page that completes a listing
 * is committed, with every page of its environment before it, before its write returns. After a
 * failed write the writer refuses all further work, and the store refuses the writes of that
 * environment made behind it: pages after a lost batch must not be committed with cursors that skip it.
 */
import type { AuditStore, PageBatch, PageWrite } from '../store/audit-store.js';

/**
 * Batches handed to the store at once. With two, listings still waited for commits for 2.2-3.1 s in
 * all during the 200k backfill (the writer works in bursts); with four, hardly at all, for a few MB
 * more memory (a batch is about 1000 events).
 */
export const IN_FLIGHT = 4;

/** One environment's open batch, and its commits so far. */
interface Lane {
  batch: PageBatch;
  rows: number;
  /** Settles once every batch of this environment handed over so far is committed (rejects if one was not). */
  committed: Promise<void>;
}

export class BatchWriter {
  private readonly lanes = new Map<string, Lane>();
  /** Commits under way, oldest first. */
  private readonly inFlight: Array<Promise<void>> = [];
  private failure: unknown;
  private readonly inserted = new Map<string, number>();

  constructor(
    private readonly store: AuditStore,
    private readonly maxRows: number,
  ) {}

  /**
   * Buffers a page; resolves once it is safe to go on: a completing page once it is committed, any
   * other at once unless it fills a batch while IN_FLIGHT are under way.
   */
  async write(page: PageWrite): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const lane = this.lane(page.environmentId);
    lane.batch.add(page);
    lane.rows += page.events.length + page.rejected.length;
    if (page.cursor.kind === 'complete') return this.flush(page.environmentId);
    if (lane.rows < this.maxRows) return;
    if (this.inFlight.length < IN_FLIGHT) this.handOver(lane);
    else await this.inFlight[0]!.catch(() => this.throwFailure());
  }

  /**
   * Hands what is buffered to the store: an environment's batch, or every environment's; settles
   * once that and every batch of the same environments before it are committed.
   */
  flush(environmentId?: string): Promise<void> {
    const lanes = environmentId === undefined ? [...this.lanes.values()] : [this.lanes.get(environmentId)].filter((lane) => lane !== undefined);
    for (const lane of lanes) this.handOver(lane);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return Promise.all(lanes.map((lane) => lane.committed)).then(() => undefined);
  }

  /** Events newly stored by this writer's commits, all environments together (failed ones included). */
  totalInserted(): number {
    let total = 0;
    for (const count of this.inserted.values()) total += count;
    return total;
  }

  /** Events newly stored for an environment by this writer's commits. */
  insertedFor(environmentId: string): number {
    return this.inserted.get(environmentId) ?? 0;
  }

  private lane(environmentId: string): Lane {
    let lane = this.lanes.get(environmentId);
    if (!lane) {
      lane = { batch: this.store.openBatch(), rows: 0, committed: Promise.resolve() };
      this.lanes.set(environmentId, lane);
    }
    return lane;
  }

  /** Commits the lane's open batch, if it holds anything, and opens the next. */
  private handOver(lane: Lane): void {
    const batch = lane.batch;
    lane.batch = this.store.openBatch();
    lane.rows = 0;
    if (this.failure !== undefined || batch.size === 0) return;
    const commit = this.commit(batch);
    this.inFlight.push(commit);
    const done = (): void => {
      this.inFlight.splice(this.inFlight.indexOf(commit), 1);
      this.handOverFullest();
    };
    commit.then(done, done);
    lane.committed = Promise.all([lane.committed, commit]).then(() => undefined);
    // Kept for the next flush or completing page of this environment; seen there, not here.
    lane.committed.catch(() => undefined);
  }

  /** The batch gathered meanwhile that is furthest over the limit goes next, so no environment starves. */
  private handOverFullest(): void {
    if (this.failure !== undefined || this.inFlight.length >= IN_FLIGHT) return;
    let fullest: Lane | undefined;
    for (const lane of this.lanes.values()) {
      if (lane.rows >= this.maxRows && (fullest === undefined || lane.rows > fullest.rows)) fullest = lane;
    }
    if (fullest) this.handOver(fullest);
  }

  private async commit(batch: PageBatch): Promise<void> {
    try {
      const result = await batch.commit();
      for (const [environmentId, count] of result.insertedByEnvironment) {
        this.inserted.set(environmentId, (this.inserted.get(environmentId) ?? 0) + count);
      }
    } catch (error) {
      // The first failure is the cause; writes the store refused behind it only echo it.
      this.failure ??= error;
      throw error;
    }
  }

  private throwFailure(): never {
    throw this.failure;
  }
}
