/**
 * The simulator's time. Two readings share one advance() offset:
 * - now(): the simulated "now" that new events are stamped with. It starts at options.now (where
 *   the generated history ends) and runs with real time, so events added later sort after it.
 * - wallNow(): the real wall clock, for token lifetimes, because clients compare `expires` with
 *   their own clock (options.now may well lie in the past).
 */
export class SimClock {
  private readonly startedAt = performance.now();
  private offsetMs = 0;

  constructor(private readonly originMs: number) {}

  /** Simulated now in ms: origin + real time elapsed since construction + advanced time. */
  now(): number {
    return this.originMs + Math.floor(performance.now() - this.startedAt) + this.offsetMs;
  }

  /** Wall-clock ms plus advanced time. */
  wallNow(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves both readings forward, so tests need not sleep. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`advanceClock needs a non-negative number of ms, got ${ms}`);
    this.offsetMs += ms;
  }
}
