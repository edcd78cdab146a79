import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffMs, parseRetryAfter, rateLimitDelayMs, ruleFor } from '../../src/flatfile/retry-policy.js';

describe('ruleFor', () => {
  it.each([
    [200, 'ok'], [204, 'ok'], [400, 'fail'], [401, 'token-rejected'], [403, 'token-rejected'], [404, 'not-found'],
    [408, 'retry'], [409, 'fail'], [429, 'rate-limited'], [500, 'retry'], [502, 'retry'], [503, 'retry'], [504, 'retry'], [599, 'retry'],
  ])('HTTP %i → %s', (status, rule) => {
    expect(ruleFor(status)).toBe(rule);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-01T12:00:00.000Z');
  it.each([
    [null, undefined],
    ['3', 3000],
    ['0', 0],
    ['1.5', 1500],
    ['Sun, 01 Nov 2026 12:00:07 GMT', 7000],
    ['Sun, 01 Nov 2026 11:59:00 GMT', 0],
    ['soon', undefined],
  ])('%s → %s ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('backoff', () => {
  it('grows exponentially, stays within [ceiling/2, ceiling] and is capped', () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const ceiling = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt);
      expect(backoffMs(attempt, DEFAULT_RETRY_POLICY, () => 0)).toBe(ceiling / 2);
      expect(backoffMs(attempt, DEFAULT_RETRY_POLICY, () => 1)).toBe(ceiling);
    }
  });

  it('honours Retry-After up to the cap', () => {
    expect(rateLimitDelayMs(2000, 0, DEFAULT_RETRY_POLICY, () => 0)).toBe(2000);
    expect(rateLimitDelayMs(10 * 60_000, 0, DEFAULT_RETRY_POLICY, () => 0)).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
    expect(rateLimitDelayMs(undefined, 3, DEFAULT_RETRY_POLICY, () => 0)).toBe(backoffMs(3, DEFAULT_RETRY_POLICY, () => 0));
  });
});
