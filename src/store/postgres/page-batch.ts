/**
 * The PostgreSQL store's open batch (AuditStore.openBatch): each page is made storable when it is
 * added (storable-page.ts: texts, digests, COPY text), stamped with the time it arrived as the
 * SQLite batch stamps it, so that this work is done while the writer's transaction for the batch
 * before waits on the server, not inside the serial chain of transactions.
 */
import type { PageBatch, PageWrite, WriteResult } from '../audit-store.js';
import { AuditError } from '../../errors.js';
import { storablePage, type StorablePage } from './storable-page.js';

export class PostgresPageBatch implements PageBatch {
  private readonly pages: StorablePage[] = [];
  private committed = false;

  /** `write`: commits the prepared pages in one transaction, in the store's order of writes. */
  constructor(private readonly write: (pages: readonly StorablePage[]) => Promise<WriteResult>) {}

  get size(): number {
    return this.pages.length;
  }

  add(page: PageWrite): void {
    if (this.committed) throw new AuditError('STORE_FAILED', 'a page was added to a batch already committed');
    this.pages.push(storablePage(page, new Date().toISOString()));
  }

  commit(): Promise<WriteResult> {
    if (this.committed) return Promise.reject(new AuditError('STORE_FAILED', 'a batch commits once'));
    this.committed = true;
    return this.write(this.pages);
  }
}
