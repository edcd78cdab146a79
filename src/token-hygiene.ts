/**
 * Personal Access Token hygiene, as Flatfile's documentation asks (review tokens, delete unused
 * ones, rotate them): which of the tokens the inventory holds (personal_access_tokens, refreshed
 * with the directory) are unused for longer than AUDIT_PAT_STALE_AFTER, never used a week after
 * they were made, or older than AUDIT_PAT_MAX_AGE. One statement, read through the store's reader:
 * `status`, the metrics and the cookbook's `stale-tokens` all ask it, so they cannot disagree.
 */
import type { TokenHygieneConfig } from './config.js';
import type { AuditReader, SqlDialect } from './store/audit-reader.js';

export type TokenFlag = 'unused' | 'never-used' | 'too-old';

export const TOKEN_FLAGS: readonly TokenFlag[] = ['unused', 'never-used', 'too-old'];

/** A token made and never used is flagged after this long: long enough to set it up, short enough to notice one forgotten. */
export const NEVER_USED_GRACE_MS = 7 * 86_400_000;

/** The cutoffs as the statement's parameters (ISO times). */
export interface HygieneCutoffs {
  unused_before: string;
  never_used_before: string;
  created_before: string;
}

export function hygieneCutoffs(now: Date, settings: Pick<TokenHygieneConfig, 'staleAfterMs' | 'maxAgeMs'>): HygieneCutoffs {
  const before = (ms: number) => new Date(now.getTime() - ms).toISOString();
  return { unused_before: before(settings.staleAfterMs), never_used_before: before(NEVER_USED_GRACE_MS), created_before: before(settings.maxAgeMs) };
}

/** A cutoff as the dialect compares it: SQLite compares text, so a cutoff in any other form than the stored one (no milliseconds, an offset) is made canonical first. */
function cutoff(dialect: SqlDialect, name: keyof HygieneCutoffs): string {
  return dialect === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%fZ', :${name})` : `:${name}`;
}

function staleTokensSql(dialect: SqlDialect): string {
  return `SELECT id, name, created_at, last_used_at, flags FROM (
  SELECT id, name, created_at, last_used_at,
    TRIM(CASE WHEN last_used_at IS NOT NULL AND last_used_at < ${cutoff(dialect, 'unused_before')} THEN 'unused ' ELSE '' END
      || CASE WHEN last_used_at IS NULL AND created_at < ${cutoff(dialect, 'never_used_before')} THEN 'never-used ' ELSE '' END
      || CASE WHEN created_at < ${cutoff(dialect, 'created_before')} THEN 'too-old' ELSE '' END) AS flags
  FROM personal_access_tokens
  WHERE removed_at IS NULL
) flagged
WHERE flags <> ''
ORDER BY created_at, id`;
}

/** Present tokens with at least one flag, oldest first; `flags` is the flags separated by spaces. The dialects read it alike. */
export const STALE_TOKENS_SQL: { readonly [D in SqlDialect]: string } = { sqlite: staleTokensSql('sqlite'), postgres: staleTokensSql('postgres') };

export interface FlaggedToken {
  id: string;
  name: string | null;
  createdAt: string | null;
  lastUsedAt: string | null;
  flags: TokenFlag[];
}

/** The flagged tokens, read through `reader`. */
export async function readTokenHygiene(reader: AuditReader, cutoffs: HygieneCutoffs): Promise<FlaggedToken[]> {
  const cursor = await reader.openQuery(STALE_TOKENS_SQL[reader.dialect], { ...cutoffs });
  const found: FlaggedToken[] = [];
  try {
    for (let rows = await cursor.read(500); rows.length > 0; rows = await cursor.read(500)) {
      for (const row of rows) {
        found.push({
          id: String(row.id),
          name: row.name === null ? null : String(row.name),
          createdAt: isoOrNull(row.created_at),
          lastUsedAt: isoOrNull(row.last_used_at),
          flags: String(row.flags).split(' ').filter((f): f is TokenFlag => (TOKEN_FLAGS as readonly string[]).includes(f)),
        });
      }
      if (rows.length < 500) break;
    }
  } finally {
    await cursor.close();
  }
  return found;
}

/** How many tokens carry each flag. */
export function countFlags(tokens: readonly FlaggedToken[]): Record<TokenFlag, number> {
  const counts = { unused: 0, 'never-used': 0, 'too-old': 0 };
  for (const token of tokens) for (const flag of token.flags) counts[flag] += 1;
  return counts;
}

function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}
