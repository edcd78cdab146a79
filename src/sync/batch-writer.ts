/**
 * Gathers fetched pages from every environment into transactions of about `maxRows` rows:
 * SQLite commits 1000 rows far faster than ten commits of 100, and the cursor of each page still
 * travels in the same transaction as its events. Each page is added to the store's open batch as it
 * arrives (AuditStore.openBatch), so the store's per-page work is spread out and the batch holds
 * only what the store keeps of a page. Listings go on fetching while batches commit: a
 * full batch is handed to the store at once while fewer than IN_FLIGHT are under way, so the store
 * has the next one the moment it finishes one; a listing that fills a batch beyond that waits for
 * the oldest commit, which bounds memory. A page that completes a listing is committed before its
 * write returns. After a failed write the writer refuses all further work, and the store refuses
 * the writes made behind it: pages after a lost batch must not be committed with cursors that skip it.
 */
import type { AuditStore, PageBatch, PageWrite } from '../store/audit-store.js';

/**
 * Batches handed to the store at once. With two, listings still waited for commits for 2.2-3.1 s in
 * all during the 200k backfill (the writer works in bursts); with four, hardly at all, for a few MB
 * more memory (a batch is about 1000 events).
 */
export const IN_FLIGHT = 4;

export class BatchWriter {
  private batch: PageBatch;
  private bufferedRows = 0;
  /** Settles once every batch handed over so far is committed (rejects if one was not). */
  private chain: Promise<void> = Promise.resolve();
  /** Commits under way, oldest first. */
  private readonly inFlight: Array<Promise<void>> = [];
  private failure: unknown;
  private readonly inserted = new Map<string, number>();

  constructor(
    private readonly store: AuditStore,
    private readonly maxRows: number,
  ) {
    this.batch = store.openBatch();
  }

  /**
   * Buffers a page; resolves once it is safe to go on: a completing page once it is committed, any
   * other at once unless it fills a batch while IN_FLIGHT are under way.
   */
  async write(page: PageWrite): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const rows = page.events.length + page.rejected.length;
    this.batch.add(page);
    this.bufferedRows += rows;
    if (page.cursor.kind === 'complete') return this.flush();
    if (this.bufferedRows < this.maxRows) return;
    // Not awaited: a failure is kept and thrown by the next write, flush or completing page.
    if (this.inFlight.length < IN_FLIGHT) this.flush().catch(() => undefined);
    else await this.inFlight[0]!.catch(() => this.throwFailure());
  }

  /** Hands everything buffered to the store; settles once it and every batch before it are committed. */
  flush(): Promise<void> {
    const batch = this.batch;
    this.batch = this.store.openBatch();
    this.bufferedRows = 0;
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (batch.size > 0) {
      const commit = this.commit(batch);
      this.inFlight.push(commit);
      const done = (): void => {
        this.inFlight.splice(this.inFlight.indexOf(commit), 1);
        // The batch gathered meanwhile goes next, if it is full.
        if (this.failure === undefined && this.bufferedRows >= this.maxRows) this.flush().catch(() => undefined);
      };
      commit.then(done, done);
      this.chain = Promise.all([this.chain, commit]).then(() => undefined);
    }
    return this.chain;
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
