/**
 * The API server's idea of now, from the `Date` header of its answers: how far its clock is from
 * ours, applied to our clock. Only an estimate (the header has whole seconds, and the answer took
 * time to arrive), which is plenty to tell an event dated years ahead from one a few seconds ahead.
 * Before any answer carried a Date, or when none does, it is our own clock.
 */
export class ServerClock {
  private offsetMs = 0;

  constructor(private readonly local: () => number = Date.now) {}

  /** Notes an answer's Date header (ignored when absent or unreadable). */
  observe(dateHeader: string | null): void {
    if (dateHeader === null) return;
    const server = Date.parse(dateHeader);
    if (!Number.isNaN(server)) this.offsetMs = server - this.local();
  }

  now(): Date {
    return new Date(this.local() + this.offsetMs);
  }
}
