/**
 * A time a person types (a saved query's parameter, an explorer filter) as the one form every store
 * keeps and compares: ISO-8601 UTC with milliseconds (`toISOString()`). Given as an ISO date
 * (`2026-11-30`, midnight UTC) or date and time with a zone (`2026-11-30T12:00:00Z`,
 * `…T13:00+01:00`); anything else, a time without a zone or a day that does not exist
 * (`2026-02-30`, which Date would roll into March), is not a time.
 */

const DATE_ONLY = /^\d{4}-\d\d-\d\d$/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)$/;

/** What a time looks like, for error messages. */
export const ISO_TIME_EXAMPLE = '2026-11-30 or 2026-11-30T12:00:00Z';

function realDay(date: string): boolean {
  const day = Date.parse(`${date}T00:00:00.000Z`);
  return !Number.isNaN(day) && new Date(day).toISOString().slice(0, 10) === date;
}

/** The time in canonical form; undefined when `value` is not an ISO date or zoned time. `endOfDay` reads a bare date as the day after it. */
export function canonicalTime(value: string, endOfDay = false): string | undefined {
  if (!realDay(value.slice(0, 10))) return undefined;
  if (DATE_ONLY.test(value)) return new Date(Date.parse(`${value}T00:00:00.000Z`) + (endOfDay ? 86_400_000 : 0)).toISOString();
  const time = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
