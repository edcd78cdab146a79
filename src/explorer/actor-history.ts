/**
 * An actor's history (store rule 14): each version of its inventory row that `inventory_versions`
 * keeps, with what it said (name, email, removal) and from when until when it held. A version holds
 * from its valid_from until the next version's. The API's users carry no role, so no version has one.
 */
import type { ReaderGate } from './reader-gate.js';

export interface ActorVersion {
  seq: number;
  kind: string;
  name: string | null;
  email: string | null;
  validFrom: string;
  /** When the next version took over; null for the version that holds today. */
  validUntil: string | null;
  removedAt: string | null;
}

/** At most this many versions: a row changes a few times a year. */
const MAX_VERSIONS = 1_000;

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

/** The versions of the actor `id`, oldest first (the order store rule 14 gives them: valid_from, then seq). */
export async function readActorHistory(gate: ReaderGate, id: string): Promise<ActorVersion[]> {
  const rows = await gate.rows({
    sql: `SELECT seq, kind, name, email, valid_from, removed_at FROM inventory_versions
WHERE id = :id AND kind IN ('users', 'guests', 'agents') ORDER BY valid_from, seq`,
    params: { id },
  }, MAX_VERSIONS);
  return rows.map((r, i) => ({
    seq: Number(r.seq),
    kind: String(r.kind),
    name: text(r.name),
    email: text(r.email),
    validFrom: text(r.valid_from)!,
    validUntil: i + 1 < rows.length ? text(rows[i + 1]!.valid_from) : null,
    removedAt: text(r.removed_at),
  }));
}
