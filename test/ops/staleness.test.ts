/** When data counts as stale, and the default bound taken from the cron. */
import { describe, expect, it } from 'vitest';
import { loadConfig, longestCronGapMs } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { assessStaleness } from '../../src/ops/staleness.js';
import type { EnvironmentSyncState } from '../../src/store/sync-state.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const env = (id: string, lastSuccessAt: string | null, name: string | null = `Env ${id}`): EnvironmentSyncState => ({ environmentId: id, name, lastSuccessAt, failing: false });

describe('assessStaleness', () => {
  const cases: Array<{ what: string; states: EnvironmentSyncState[]; upS: number; stale: boolean[]; reasons: RegExp[] }> = [
    { what: 'fresh', states: [env('a', ago(5))], upS: 600, stale: [false], reasons: [] },
    { what: 'exactly at the bound is not yet stale', states: [env('a', ago(20))], upS: 600, stale: [false], reasons: [] },
    { what: 'older than the bound', states: [env('a', ago(5)), env('b', ago(45))], upS: 600, stale: [false, true], reasons: [/^environment "Env b" \(b\): last successful sync 45 s ago \(stale after 20 s\)$/] },
    { what: 'never synced, worker just started', states: [env('a', null)], upS: 10, stale: [false], reasons: [] },
    { what: 'never synced, worker up longer than the bound', states: [env('a', null, null)], upS: 30, stale: [true], reasons: [/^environment a: no successful sync in the 30 s this worker has been up \(stale after 20 s\)$/] },
    { what: 'no environment yet, worker just started', states: [], upS: 10, stale: [], reasons: [] },
    { what: 'no environment after the bound (the account listing keeps failing)', states: [], upS: 30, stale: [], reasons: [/^no environment synced in the 30 s this worker has been up/] },
  ];
  it.each(cases)('$what', ({ states, upS, stale, reasons }) => {
    const result = assessStaleness(states, { now: NOW, startedAt: NOW - upS * 1000, staleAfterMs: 20_000 });
    expect(result.environments.map((e) => e.stale)).toEqual(stale);
    expect(result.reasons).toHaveLength(reasons.length);
    reasons.forEach((pattern, i) => expect(result.reasons[i]).toMatch(pattern));
  });

  it('names each environment with its age in seconds', () => {
    const result = assessStaleness([env('a', ago(7)), env('b', null)], { now: NOW, startedAt: NOW - 1000, staleAfterMs: 20_000 });
    expect(result.environments).toEqual([
      { id: 'a', name: 'Env a', ageS: 7, failing: false, stale: false },
      { id: 'b', name: 'Env b', ageS: null, failing: false, stale: false },
    ]);
  });
});

describe('AUDIT_STALE_AFTER', () => {
  const staleAfter = (env: Record<string, string>) => loadConfig(env).worker.staleAfterMs;
  const minutes = (m: number) => m * 60_000;

  it.each([
    { cron: '*/5 * * * *', expected: minutes(15), why: '3 × 5 min' },
    { cron: '* * * * *', expected: minutes(15), why: 'at least 15 min' },
    { cron: '0 * * * *', expected: minutes(180), why: '3 × 1 h' },
    { cron: '*/2 * * * * *', expected: minutes(15), why: 'a seconds cron is still at least 15 min' },
  ])('defaults to $why for "$cron"', ({ cron, expected }) => {
    expect(staleAfter({ AUDIT_SYNC_CRON: cron })).toBe(expected);
  });

  it('takes the longest gap, so a weekday-only cron allows for the weekend', () => {
    // From a Tuesday the next two runs are a day apart; the weekend gap is three days.
    expect(longestCronGapMs('0 9 * * 1-5', 'UTC', new Date('2026-12-01T10:00:00Z'))).toBe(3 * 24 * 3_600_000);
  });

  it('can be set to any duration', () => {
    expect(staleAfter({ AUDIT_STALE_AFTER: '20s' })).toBe(20_000);
    expect(staleAfter({ AUDIT_STALE_AFTER: '2h', AUDIT_SYNC_CRON: '0 0 * * *' })).toBe(7_200_000);
  });

  it('refuses a malformed value with one line naming the variable', () => {
    expect(() => staleAfter({ AUDIT_STALE_AFTER: 'soon' })).toThrow(ConfigError);
    expect(() => staleAfter({ AUDIT_STALE_AFTER: 'soon' })).toThrow(/^AUDIT_STALE_AFTER must be a duration/);
    expect(() => staleAfter({ AUDIT_WATCHDOG_INTERVAL: '0' })).toThrow(/^AUDIT_WATCHDOG_INTERVAL must be a duration/);
  });
});
