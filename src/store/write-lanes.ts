/**
 * Which earlier writes a write depends on, by contract rule 3 (audit-store.ts): a batch is ordered
 * behind, and refused after the failure of, the newest pending write of each environment it holds,
 * and of no other. One lane per environment; each store keeps its own writes (PostgreSQL: promises
 * its transactions wait for; SQLite: the ids its writer thread checks) and says when one is settled.
 * Holding only the newest write of a lane is enough: that write is itself behind the one before.
 */
export class WriteLanes<W> {
  private readonly newest = new Map<string, W>();

  /** The writes a new write of `environments` comes behind, each once: the newest pending of each. */
  behind(environments: Iterable<string>): W[] {
    const behind = new Set<W>();
    for (const environmentId of environments) {
      const before = this.newest.get(environmentId);
      if (before !== undefined) behind.add(before);
    }
    return [...behind];
  }

  /** Records `write` as the newest of each of `environments` (after asking what it comes behind). */
  enter(environments: Iterable<string>, write: W): void {
    for (const environmentId of environments) this.newest.set(environmentId, write);
  }

  /** Forgets `write` where it is still the newest: a write entered later depends on nothing through it. */
  leave(environments: Iterable<string>, write: W): void {
    for (const environmentId of environments) {
      if (this.newest.get(environmentId) === write) this.newest.delete(environmentId);
    }
  }

  /** Every write still recorded as the newest of some lane. */
  pending(): W[] {
    return [...new Set(this.newest.values())];
  }
}
