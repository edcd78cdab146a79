/**
 * `/tokens`: every Personal Access Token the inventory holds (personal_access_tokens), present and
 * removed, with the hygiene flags token-hygiene.ts computes (the same statement `status`, the
 * metrics and the cookbook's `stale-tokens` ask). Only ids, names and times are read: no token's
 * value is ever stored (the API lists none), and its raw JSON is not read either.
 */
import { hygieneCutoffs, readTokenHygiene, type HygieneCutoffs, type TokenFlag } from '../token-hygiene.js';
import type { TokenHygieneConfig } from '../config.js';
import type { ReaderGate } from './reader-gate.js';

export interface TokenRow {
  id: string;
  name: string | null;
  createdAt: string | null;
  lastUsedAt: string | null;
  firstSeenAt: string | null;
  removedAt: string | null;
  flags: TokenFlag[];
}

export interface TokenInventory {
  tokens: TokenRow[];
  cutoffs: HygieneCutoffs;
}

/** At most this many tokens a page: an account has a handful per user. */
export const TOKEN_ROWS = 2_000;

function timeOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

/** Present tokens first (flagged ones first among them), then removed ones, each oldest first. */
export async function readTokens(gate: ReaderGate, now: Date, settings: Pick<TokenHygieneConfig, 'staleAfterMs' | 'maxAgeMs'>): Promise<TokenInventory> {
  const cutoffs = hygieneCutoffs(now, settings);
  const flagged = new Map((await gate.run((reader) => readTokenHygiene(reader, cutoffs))).map((t) => [t.id, t.flags]));
  const rows = await gate.rows({
    sql: `SELECT id, name, created_at, last_used_at, first_seen_at, removed_at FROM personal_access_tokens
ORDER BY CASE WHEN removed_at IS NULL THEN 0 ELSE 1 END, CASE WHEN created_at IS NULL THEN 0 ELSE 1 END, created_at, id`,
    params: {},
  }, TOKEN_ROWS);
  const tokens = rows.map((r) => ({
    id: String(r.id),
    name: r.name === null || r.name === undefined ? null : String(r.name),
    createdAt: timeOrNull(r.created_at),
    lastUsedAt: timeOrNull(r.last_used_at),
    firstSeenAt: timeOrNull(r.first_seen_at),
    removedAt: timeOrNull(r.removed_at),
    flags: flagged.get(String(r.id)) ?? [],
  }));
  const rank = (t: TokenRow) => (t.removedAt !== null ? 2 : t.flags.length > 0 ? 0 : 1);
  // A stable sort: within a rank, the statement's order stays.
  tokens.sort((a, b) => rank(a) - rank(b));
  return { tokens, cutoffs };
}
