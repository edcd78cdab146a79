/**
 * How many downloads may run at once. Each holds a reader and a cursor of its own until its client
 * has taken the last chunk (a read snapshot that keeps SQLite's WAL from being checkpointed, an open
 * transaction on PostgreSQL), so their number is bounded; one more is turned away, not queued.
 */
export class DownloadSlots {
  private taken = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`max downloads must be a whole number of at least 1, got ${max}`);
  }

  /** A slot and its release (once), or undefined when all are taken. */
  take(): (() => void) | undefined {
    if (this.taken >= this.max) return undefined;
    this.taken += 1;
    let released = false;
    return () => {
      if (released) throw new Error('a download slot was released twice');
      released = true;
      this.taken -= 1;
    };
  }
}
