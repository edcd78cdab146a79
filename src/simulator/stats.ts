/** Counts of API requests served, for tests and the benchmark (admin calls are not counted). */

export interface SimulatorStats {
  requests: number;
  byRoute: Record<string, number>;
  /** Keyed by status code, plus "reset" for connections destroyed without a response. */
  byStatus: Record<string, number>;
}

export class StatsCounter {
  private data: SimulatorStats = { requests: 0, byRoute: {}, byStatus: {} };

  /** A request arrived for `route` (e.g. "GET /events"). */
  request(route: string): void {
    this.data.requests++;
    this.data.byRoute[route] = (this.data.byRoute[route] ?? 0) + 1;
  }

  /** A request ended with `status` (a code or "reset"). */
  outcome(status: number | 'reset'): void {
    const key = String(status);
    this.data.byStatus[key] = (this.data.byStatus[key] ?? 0) + 1;
  }

  snapshot(): SimulatorStats {
    return { requests: this.data.requests, byRoute: { ...this.data.byRoute }, byStatus: { ...this.data.byStatus } };
  }

  reset(): void {
    this.data = { requests: 0, byRoute: {}, byStatus: {} };
  }
}
