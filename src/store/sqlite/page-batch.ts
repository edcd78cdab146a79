/**
 * The SQLite store's PageBatch: each page is prepared (encoded, digested, stamped as ingested) on
 * the caller's thread as it is added, so that work is spread over the pages' arrival; only the
 * prepared rows are kept, not the page's events, and they go to the writer thread at commit.
 */
import { AuditError } from '../../errors.js';
import type { PageBatch, PageWrite, WriteResult } from '../audit-store.js';
import { preparePage, type PreparedPage } from './prepare-pages.js';

export class SqlitePageBatch implements PageBatch {
  private readonly pages: PreparedPage[] = [];
  private committed = false;

  /** `write`: commits prepared pages in one transaction, in the store's order of writes. */
  constructor(private readonly write: (pages: readonly PreparedPage[]) => Promise<WriteResult>) {}

  get size(): number {
    return this.pages.length;
  }

  add(page: PageWrite): void {
    if (this.committed) throw new AuditError('STORE_FAILED', 'a page was added to a batch already committed; open a new batch');
    this.pages.push(preparePage(page, new Date().toISOString()));
  }

  commit(): Promise<WriteResult> {
    if (this.committed) return Promise.reject(new AuditError('STORE_FAILED', 'a batch was committed twice; open a new batch'));
    this.committed = true;
    return this.write(this.pages);
  }
}
