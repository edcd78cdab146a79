/**
 * `status --check` as cron, Nagios or a probe runs it: the real binary on real databases from syncs
 * against the simulator. Exit 0 when every environment synced within max-age, 1 when any is stale
 * or failing, 3 when the token is rejected; one line per problem. It needs no Redis (REDIS_URL
 * points at a closed port throughout) and sends the API exactly one request.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { assessStatus } from '../../src/cli/status-check.js';
import type { EnvironmentStatus, StoreStatus } from '../../src/store/audit-store.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/redis.js';
import { TEST_PAT, simulator } from '../helpers/simulator.js';
import { tempDir } from '../helpers/temp.js';

const SECOND_PAT = 'sk_test_pat_fedcba9876543210';

async function setup(environments = 2, now?: Date) {
  const { url, sim } = await simulator({ account: { environments, eventsPerEnvironment: 20 }, pats: [TEST_PAT, SECOND_PAT], ...(now ? { now } : {}) });
  const dir = tempDir();
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TEST_PAT}\n`, { mode: 0o600 });
  const env = {
    FLATFILE_API_URL: url,
    FLATFILE_TOKEN_FILE: tokenFile,
    AUDIT_DB: join(dir, 'audit.db'),
    AUDIT_REQUEST_TIMEOUT: '5s',
    AUDIT_MAX_RETRIES: '0',
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
  };
  const sync = async () => (await runCli(['sync', '--once'], { ...env, LOG_LEVEL: 'silent' })).code;
  /** Runs the check and counts the API requests it made. */
  const check = async (args: string[] = [], extra: Record<string, string> = {}) => {
    const before = sim.stats().requests;
    const result = await runCli(['status', '--check', ...args], { ...env, ...extra });
    return { ...result, lines: result.stdout.split('\n').filter(Boolean), requests: sim.stats().requests - before };
  };
  const label = (i: number) => `"${sim.environments()[i]!.name}" (${sim.environments()[i]!.id})`;
  return { sim, env, tokenFile, sync, check, label };
}

/** Moves an environment's last successful sync into the past, as an old database would have it. */
function age(dbPath: string, environmentId: string, ms: number): string {
  const at = new Date(Date.now() - ms).toISOString();
  const db = new Database(dbPath);
  try {
    db.prepare('UPDATE sync_cursors SET last_success_at = ? WHERE environment_id = ?').run(at, environmentId);
  } finally {
    db.close();
  }
  return at;
}

describe('status --check', () => {
  it('exits 0 with one ok line when every environment synced within max-age, 1 naming the one that did not', async () => {
    const s = await setup();
    expect(await s.sync()).toBe(0);
    const ok = await s.check(['--max-age', '30m']);
    expect(ok).toMatchObject({ code: 0, stderr: '', requests: 1 });
    expect(ok.lines).toEqual(['ok: 2 environment(s) synced within 30m, the token accepted']);

    const id = s.sim.environments()[0]!.id;
    const at = age(s.env.AUDIT_DB, id, 2 * 3_600_000 + 5 * 60_000);
    const stale = await s.check(['--max-age', '30m']);
    expect(stale.code).toBe(1);
    expect(stale.lines).toEqual([`stale: environment ${s.label(0)}: last successful sync 2h 5m ago, at ${at} (max age 30m)`]);
    // The bound is what the operator says it is.
    expect((await s.check(['--max-age', '3h'])).code).toBe(0);

    // Without --max-age: AUDIT_STALE_AFTER, the bound /healthz uses.
    expect((await s.check([], { AUDIT_STALE_AFTER: '3h' })).code).toBe(0);
    expect((await s.check([], { AUDIT_STALE_AFTER: '1h' })).code).toBe(1);
    expect((await s.check([])).lines).toEqual([`stale: environment ${s.label(0)}: last successful sync 2h 5m ago, at ${at} (max age 15m)`]);

    // The next successful sync mends it.
    expect(await s.sync()).toBe(0);
    expect((await s.check(['--max-age', '30m'])).code).toBe(0);
  });

  it('exits 1 with a line per failing environment while the events listing answers 503, and 0 once it recovers', async () => {
    const s = await setup();
    expect(await s.sync()).toBe(0);
    s.sim.setFaults({ error5xxRate: 1, only: /\/events/ });
    expect(await s.sync()).toBe(1);
    const failing = await s.check(['--max-age', '30m']);
    expect(failing.code).toBe(1);
    expect(failing.lines).toHaveLength(2);
    for (const i of [0, 1]) {
      expect(failing.lines).toContainEqual(expect.stringMatching(new RegExp(`^failing: environment ${escape(s.label(i))}: its last sync failed at 20\\d\\d-[^:]+:\\d\\d:[\\d.]+Z: .*HTTP 50\\d`)));
    }
    s.sim.setFaults({ error5xxRate: 0 });
    expect(await s.sync()).toBe(0);
    expect((await s.check(['--max-age', '30m'])).code).toBe(0);
  });

  it('says so when the whole API answers 503: the last run failed, and the token could not be checked', async () => {
    const s = await setup();
    expect(await s.sync()).toBe(0);
    s.sim.setFaults({ error5xxRate: 1 });
    expect(await s.sync()).toBe(1);
    const result = await s.check(['--max-age', '30m']);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      expect.stringMatching(/^api: could not ask Flatfile whether the token is accepted: GET \/environments failed 2 times: HTTP 50\d$/),
      expect.stringMatching(/^failing: the last run \(2, account\) failed at 20\d\d-.*Z: .*HTTP 50\d/),
    ]);
  });

  it('exits 3 once the token is revoked, though the data is fresh, and 0 as soon as the token file holds a good one', async () => {
    const s = await setup();
    expect(await s.sync()).toBe(0);
    s.sim.revokeToken(TEST_PAT);
    const rejected = await s.check(['--max-age', '30m']);
    expect(rejected.code).toBe(3);
    expect(rejected.lines).toEqual([expect.stringMatching(/^token rejected: Flatfile rejected the token \(HTTP 401.*write it to .*token$/)]);
    expect(rejected.stdout + rejected.stderr).not.toContain(TEST_PAT);
    // A rejected token outranks staleness: the exit code says what to mend first; the lines say everything.
    age(s.env.AUDIT_DB, s.sim.environments()[1]!.id, 3_600_000);
    const both = await s.check(['--max-age', '30m']);
    expect(both.code).toBe(3);
    expect(both.lines).toHaveLength(2);
    expect(both.lines[1]).toMatch(new RegExp(`^stale: environment ${escape(s.label(1))}`));

    writeFileSync(s.tokenFile, `${SECOND_PAT}\n`);
    expect(await s.sync()).toBe(0);
    expect((await s.check(['--max-age', '30m'])).code).toBe(0);
  });

  it('exits 1 with one line when the visibility lag warns: events that show up late are about to outrun AUDIT_LOOKBACK', async () => {
    // The lag is reported over the last 24 hours of the API server's clock: the simulator's is today's.
    const s = await setup(2, new Date());
    expect(await s.sync()).toBe(0);
    expect((await s.check(['--max-age', '30m'])).code).toBe(0);
    // Events that became visible 10 minutes after their createdAt, read by the next incremental
    // listing (it starts AUDIT_LOOKBACK, 15m by default, before the high-water mark): p99 over half of it.
    const id = s.sim.environments()[0]!.id;
    s.sim.addEvents(id, 5, { createdAt: new Date(s.sim.clock().getTime() - 10 * 60_000) });
    expect(await s.sync()).toBe(0);
    const lagging = await s.check(['--max-age', '30m']);
    expect(lagging.code).toBe(1);
    expect(lagging.lines).toEqual([
      expect.stringMatching(new RegExp(`^lagging: visibility lag of ${escape(s.label(0))}: p99 \\d+s is \\d+% of AUDIT_LOOKBACK \\(900s\\); .*raise AUDIT_LOOKBACK$`)),
    ]);
    // A lookback that leaves room for it: ok again.
    expect((await s.check(['--max-age', '30m'], { AUDIT_LOOKBACK: '1h' })).code).toBe(0);
  });

  it('exits 1 when there is no database yet, and 2 on bad usage, before asking the API anything', async () => {
    const s = await setup();
    const missing = await s.check([]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^flatfile-audit: cannot open the database .*run a sync first/);
    expect(missing.requests).toBe(0);
    expect(await s.sync()).toBe(0);
    for (const [args, message] of [
      [['--check', '--max-age', 'soon'], 'flatfile-audit: --max-age must be a duration like 30m or 2h, got "soon"\n'],
      [['--max-age', '30m'], 'flatfile-audit: --max-age goes with --check: flatfile-audit status --check --max-age 30m\n'],
      [['--check', '--json'], 'flatfile-audit: status --check prints one line per problem; leave out --json\n'],
    ] as const) {
      const before = s.sim.stats().requests;
      const result = await runCli(['status', ...args], s.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(message);
      expect(s.sim.stats().requests).toBe(before);
    }
  });
});

describe('assessStatus', () => {
  const environment = (id: string, lastSuccessAt: string | null, extra: Partial<EnvironmentStatus> = {}): EnvironmentStatus => ({
    environmentId: id, name: `env ${id}`, removedAt: null, highWater: null, listingInProgress: false, lastSuccessAt, lastError: null, lastErrorAt: null, events: 0, ...extra,
  });
  const status = (environments: EnvironmentStatus[]): StoreStatus => ({ environments, futureDated: [], reconcile: [], lastRun: null, totals: { events: 0, rejected: 0, users: 0, guests: 0, spaces: 0, agents: 0 }, visibilityLag: [] });
  const now = Date.parse('2026-11-30T12:00:00Z');
  const accepted = { kind: 'accepted' } as const;
  const lookbackMs = 900_000;

  it('leaves removed environments out, and counts one never synced as stale', () => {
    const result = assessStatus({
      status: status([environment('a', '2026-11-30T11:59:00Z'), environment('b', null), environment('c', '2020-01-01T00:00:00Z', { removedAt: '2026-01-01T00:00:00Z' })]),
      token: accepted, maxAgeMs: 1_800_000, lookbackMs, now,
    });
    expect(result).toEqual({ exitCode: 1, lines: ['stale: environment "env b" (b) has never synced successfully'] });
  });

  it('is not ok with no environment at all', () => {
    expect(assessStatus({ status: status([]), token: accepted, maxAgeMs: 1_800_000, lookbackMs, now })).toEqual({ exitCode: 1, lines: ['stale: no environment has been synced yet'] });
  });

  it('is ok when the API is rate limiting the probe, and says the token was not checked', () => {
    expect(assessStatus({ status: status([environment('a', '2026-11-30T11:59:30Z')]), token: { kind: 'rate-limited' }, maxAgeMs: 60_000, lookbackMs, now })).toEqual({
      exitCode: 0, lines: ['ok: 1 environment(s) synced within 1m, the token not checked (the API is rate limiting)'],
    });
  });

  it("fails on an environment's visibility lag at half of AUDIT_LOOKBACK, not on a topic's or below it", () => {
    const lag = (environmentId: string, topic: string | null, p99Ms: number) => ({ environmentId, topic, events: 10, p50Ms: 1000, p99Ms });
    const fresh = [environment('a', '2026-11-30T11:59:30Z'), environment('b', '2026-11-30T11:59:30Z')];
    const check = (visibilityLag: StoreStatus['visibilityLag']) => assessStatus({ status: { ...status(fresh), visibilityLag }, token: accepted, maxAgeMs: 60_000, lookbackMs, now });
    expect(check([lag('a', null, 449_000), lag('a', 'job:created', 900_000)]).exitCode).toBe(0);
    expect(check([lag('a', null, 449_000), lag('b', null, 450_000)])).toEqual({
      exitCode: 1,
      lines: ['lagging: visibility lag of "env b" (b): p99 450s is 50% of AUDIT_LOOKBACK (900s); events that become visible later than the lookback are missed by the incremental listing: raise AUDIT_LOOKBACK'],
    });
  });

  it('keeps stored text on one line, with nothing a terminal acts on', () => {
    const result = assessStatus({ status: status([environment('a', '2026-11-30T11:59:30Z', { lastError: 'boom\n\u001b[31mred', lastErrorAt: '2026-11-30T11:59:40Z' })]), token: accepted, maxAgeMs: 60_000, lookbackMs, now });
    expect(result.lines).toEqual(['failing: environment "env a" (a): its last sync failed at 2026-11-30T11:59:40Z: boom\\n\\x1b[31mred']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
