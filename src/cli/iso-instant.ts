import { ConfigError } from '../errors.js';

/**
 * An ISO 8601 date (midnight UTC) or instant with its zone (a time without one would be read in the
 * local zone, silently), normalised to the stored form (UTC, milliseconds, Z) so text comparison is
 * time comparison.
 */
export function isoInstant(option: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(ms)) throw new ConfigError(`${option} must be an ISO 8601 date or instant like 2026-01-31 or 2026-01-31T12:00:00Z (a time needs its zone), got "${text}"`);
  return new Date(ms).toISOString();
}
