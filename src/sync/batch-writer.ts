/**
 * Gathers fetched pages from every environment into transactions of about `maxRows` rows:
 * SQLite commits 1000 rows far faster than ten commits of 100, and the cursor of each page still
 * travels in the same transaction as its events. The store commits one batch while the listings
 * fetch and fill the next: a listing that fills a batch waits only for the commit before it, so
 * at most one batch is being committed and one filled. A page that completes a listing is
 * committed before its write returns. After a failed write the writer refuses all further work:
 * pages after a lost batch must not be committed with cursors that skip it.
 */
import type { AuditStore, PageWrite } from '../store/audit-store.js';

export class BatchWriter {
  private buffer: PageWrite[] = [];
  private bufferedRows = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private readonly inserted = new Map<string, number>();

  constructor(
    private readonly store: AuditStore,
    private readonly maxRows: number,
  ) {}

  /**
   * Buffers a page; resolves once it is safe to go on: a completing page once it is committed, a
   * page that fills the batch once the commit before that batch is done.
   */
  async write(page: PageWrite): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.buffer.push(page);
    this.bufferedRows += page.events.length + page.rejected.length;
    if (page.cursor.kind === 'complete') return this.flush();
    if (this.bufferedRows < this.maxRows) return;
    const previous = this.chain;
    // Not awaited here: a failure is kept and thrown by the next write, flush or completing page.
    this.flush().catch(() => undefined);
    await previous;
  }

  /** Commits everything buffered so far (after the commits before it); the next pages start a new batch. */
  flush(): Promise<void> {
    const pages = this.buffer;
    this.buffer = [];
    this.bufferedRows = 0;
    this.chain = this.chain.then(() => this.commit(pages));
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

  private async commit(pages: PageWrite[]): Promise<void> {
    if (pages.length === 0) return;
    try {
      const result = await this.store.writePages(pages);
      for (const [environmentId, count] of result.insertedByEnvironment) {
        this.inserted.set(environmentId, (this.inserted.get(environmentId) ?? 0) + count);
      }
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }
}
