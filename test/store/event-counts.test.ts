/**
 * utcHour (event-counts.ts) reads the hour off the text of a plain ISO UTC time and leaves every
 * other text to Date: the same hour as Date gives for every input, the same error for none.
 */
import { describe, expect, it } from 'vitest';
import { utcHour } from '../../src/store/event-counts.js';

/** utcHour as it was: always through Date. */
function oracle(createdAt: string): string {
  return `${new Date(createdAt).toISOString().slice(0, 13)}:00:00.000Z`;
}

const TIMES = [
  '2026-10-01T00:00:00.000Z', '2026-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z',
  '2024-02-28T12:00:00.000Z', '2024-02-29T12:00:00.000Z', '2023-02-29T12:00:00.000Z', '2026-02-30T05:00:00.000Z', '2026-04-31T23:30:00.000Z',
  '2026-10-01T24:00:00.000Z', '2026-01-09T09:09:09.009Z', '2026-10-19T19:19:19.190Z',
  '2026-10-01T00:00:00Z', '2026-10-01T00:00:00.5Z', '2026-10-01T01:30:00.000+02:00', '2026-10-01T23:30:00.000-01:00', '2026-10-01',
  '+012026-10-01T00:00:00.000Z', '2026-10-01T00:00:00.000z', '2026-10-01 00:00:00.000Z',
];
const INVALID = ['2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z', '2026-10-00T00:00:00.000Z', '2026-10-32T00:00:00.000Z', '2026-10-01T25:00:00.000Z', '2026-10-01T23:59:60.000Z', '2026-10-01T23:60:00.000Z', 'not a time', ''];

describe('utcHour', () => {
  it('gives the hour Date gives, for plain and awkward times', () => {
    expect(TIMES.map(utcHour)).toEqual(TIMES.map(oracle));
    // Days and hours past their range roll over: such texts must not be cut to their hour.
    expect(['2026-02-30T05:00:00.000Z', '2026-10-01T24:00:00.000Z'].map(utcHour)).toEqual(['2026-03-02T05:00:00.000Z', '2026-10-02T00:00:00.000Z']);
  });

  it('throws as Date does for a time Date cannot read', () => {
    for (const text of INVALID) {
      expect(() => oracle(text)).toThrow(RangeError);
      expect(() => utcHour(text)).toThrow(RangeError);
    }
  });
});
