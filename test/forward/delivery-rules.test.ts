/** How the forwarder reads a receiver's answer, and how long it waits before trying again. */
import { describe, expect, it } from 'vitest';
import { backoffMs, classifyAnswer, retryAfterMs } from '../../src/forward/delivery-rules.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('classifyAnswer', () => {
  it.each([
    [200, null, { kind: 'acknowledged' }],
    [204, null, { kind: 'acknowledged' }],
    [429, '7', { kind: 'retry', reason: 'HTTP 429', waitMs: 7000 }],
    [503, 'Mon, 30 Nov 2026 12:00:05 GMT', { kind: 'retry', reason: 'HTTP 503', waitMs: 5000 }],
    [503, null, { kind: 'retry', reason: 'HTTP 503', waitMs: undefined }],
    [429, '99999', { kind: 'retry', reason: 'HTTP 429', waitMs: 60_000 }],
    [500, null, { kind: 'retry', reason: 'HTTP 500' }],
    [408, null, { kind: 'retry', reason: 'HTTP 408' }],
    [400, null, { kind: 'refused', reason: 'HTTP 400' }],
    [401, null, { kind: 'refused', reason: 'HTTP 401: check AUDIT_FORWARD_TOKEN_FILE (or the URL credentials)' }],
    [413, null, { kind: 'refused', reason: 'HTTP 413: lower AUDIT_FORWARD_BATCH' }],
    [302, null, { kind: 'refused', reason: 'HTTP 302' }],
  ] as const)('HTTP %i (Retry-After %s)', (status, retryAfter, expected) => {
    expect(classifyAnswer(status, retryAfter, NOW, 60_000)).toEqual(expected);
  });
});

describe('retryAfterMs and backoffMs', () => {
  it('reads seconds and dates, ignores nonsense, never waits less than 0', () => {
    expect(retryAfterMs('0', NOW, 1000)).toBe(0);
    expect(retryAfterMs('soon', NOW, 1000)).toBeUndefined();
    expect(retryAfterMs('Mon, 30 Nov 2026 11:00:00 GMT', NOW, 1000)).toBe(0);
  });

  it('grows with each try up to the cap, between half and all of it', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 60_000, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 60_000, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(40, 60_000, () => 1)).toBe(60_000);
  });
});
