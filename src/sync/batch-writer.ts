/**
 * Gathers fetched pages from every environment into transactions of about `maxRows` rows:
 * SQLite commits 1000 rows far faster than ten commits of 100, and the cursor of each page still
 * travels in the same transaction as its events. A page that completes a listing is written at
 * once. After a failed write the writer refuses all further work: pages after a lost batch must
 * not be committed with cursors that skip it.
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

  /** Buffers a page; resolves once it is safe to go on (after a flush when the buffer is full). */
  async write(page: PageWrite): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.buffer.push(page);
    this.bufferedRows += page.events.length + page.rejected.length;
    if (this.bufferedRows >= this.maxRows || page.cursor.kind === 'complete') await this.flush();
  }

  /** Commits everything buffered so far. */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.commitBuffer());
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

  private async commitBuffer(): Promise<void> {
    const pages = this.buffer;
    this.buffer = [];
    this.bufferedRows = 0;
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
