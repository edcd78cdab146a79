/**
 * The order rule of AuditStore.writePages, kept by the store itself as the SQLite store's writer
 * thread keeps it: writes are applied one after another in the order they are made, and a write
 * made while an earlier one is still pending is refused if that one fails, so a later batch never
 * commits cursors that skip a lost one. A write made after a failure was reported starts afresh.
 */
import { AuditError } from '../../errors.js';

export class OrderedWrites {
  /** The newest write not yet settled. */
  private last: Promise<unknown> | undefined;
  private closed: AuditError | undefined;

  run<T>(write: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const before = this.last;
    const mine = (async () => {
      if (before && (await before.then(() => false, () => true))) {
        throw new AuditError('STORE_FAILED', 'not written: the write before it failed');
      }
      return write();
    })();
    this.last = mine;
    const settled = () => {
      if (this.last === mine) this.last = undefined;
    };
    mine.then(settled, settled);
    return mine;
  }

  /** Refuses new writes and waits for the ones under way. */
  async close(): Promise<void> {
    this.closed ??= new AuditError('STORE_FAILED', 'the audit store is closed');
    await this.last?.then(
      () => undefined,
      () => undefined,
    );
  }
}
