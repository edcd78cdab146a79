/**
 * Times cross the store's interface as ISO-8601 UTC strings with milliseconds (records.ts), whose
 * text order is time order, and are kept as timestamptz. Both directions are exact for such strings:
 * a write parses to the microsecond, a read prints the same milliseconds back. The hash chain covers
 * the strings, so a value read back must be the very string that was hashed.
 */

const NORMALISED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The form a time is hashed and written in: the value itself when it already is ISO UTC with
 * milliseconds (every time the API client produces), else as Date prints it. A value Date cannot
 * read is passed on as it is, for the server to refuse with its own message.
 */
export function isoMillis(value: string): string {
  if (NORMALISED.test(value)) return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

export function isoMillisOrNull(value: string | null): string | null {
  return value === null ? null : isoMillis(value);
}

// What the server prints with DateStyle=ISO and TimeZone=UTC (both set on every connection), and
// with any other zone: `2026-10-01 00:00:01.5+00`, `2026-10-01 05:30:00+05:30`.
const TIMESTAMPTZ = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

/**
 * A timestamptz as the server prints it, as ISO UTC with milliseconds (microseconds cut off, never
 * rounded: rounding up could move a time past another one it was before). What it cannot read
 * (infinity, dates BC) is returned as printed.
 */
export function fromTimestamptz(text: string): string {
  const m = TIMESTAMPTZ.exec(text);
  if (!m) return text;
  const millis = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const sign = m[8];
  if (sign === undefined || (m[9] === '00' && (m[10] ?? '00') === '00' && (m[11] ?? '00') === '00')) {
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${millis}Z`;
  }
  const offsetMs = (sign === '-' ? -1 : 1) * ((Number(m[9]) * 60 + Number(m[10] ?? 0)) * 60 + Number(m[11] ?? 0)) * 1000;
  const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(millis));
  return new Date(local - offsetMs).toISOString();
}
