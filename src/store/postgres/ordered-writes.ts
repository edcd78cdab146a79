/**
 * The order rule of AuditStore.writePages (contract rule 3), kept by the store itself: a write
 * waits for the newest pending write of each environment it holds (write-lanes.ts), and is refused
 * if any of those failed, so a later batch never commits cursors that skip a lost one. Writes of
 * other environments do not wait: they run side by side on the pool's connections, as writers on
 * other hosts do. A write made after a failure was reported starts afresh.
 */
import pLimit from 'p-limit';
import { AuditError } from '../../errors.js';
import { WriteLanes } from '../write-lanes.js';

/** Write transactions of one store at once, at most (see BENCHMARKS.md, "writers side by side"). */
export const PARALLEL_WRITES = 2;

export class OrderedWrites {
  private readonly lanes = new WriteLanes<Promise<unknown>>();
  private closed: AuditError | undefined;
  /** A write takes a slot only once the writes it is behind have settled, so slots never wait on each other in a circle. */
  private readonly slots: ReturnType<typeof pLimit>;

  constructor(parallel = PARALLEL_WRITES) {
    this.slots = pLimit(parallel);
  }

  run<T>(environments: readonly string[], write: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const lanes = new Set(environments);
    const behind = this.lanes.behind(lanes);
    const mine = (async () => {
      const failed = await Promise.all(behind.map((before) => before.then(() => false, () => true)));
      if (failed.includes(true)) throw new AuditError('STORE_FAILED', 'not written: an earlier write of the same environment failed');
      return this.slots(write);
    })();
    this.lanes.enter(lanes, mine);
    const settled = () => this.lanes.leave(lanes, mine);
    mine.then(settled, settled);
    return mine;
  }

  /** Refuses new writes and waits for the ones under way. */
  async close(): Promise<void> {
    this.closed ??= new AuditError('STORE_FAILED', 'the audit store is closed');
    // The newest of each lane settles only after the ones it is behind.
    await Promise.all(this.lanes.pending().map((write) => write.then(() => undefined, () => undefined)));
  }
}
