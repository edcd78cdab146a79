/**
 * Re-sync controls through the real CLI, against the simulator over HTTP, on a SQLite file and on
 * PostgreSQL: events served late (backdated beyond the lookback) that the incremental run missed are
 * recovered by `sync --once --environment ID --since` and by `cursor reset` plus a run, exactly
 * them and nothing else; and the refusals change nothing.
 */
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { EnvironmentCursor } from '../../src/store/audit-store.js';
import { openReader, openStore } from '../../src/store/open-store.js';
import { runCli } from '../helpers/cli.js';
import { freshSchema, testDatabase } from '../helpers/postgres.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';

const pg = testDatabase();
const HOUR = 3_600_000;

type StoreEnv = () => Record<string, string>;
const STORES: Array<[string, StoreEnv]> = [
  ['SQLite', () => ({ AUDIT_DB: tempDbPath() })],
  ['PostgreSQL', () => ({ AUDIT_DATABASE_URL: pg.url, AUDIT_DATABASE_SCHEMA: freshSchema() })],
];

/** A simulator with two environments, synced once, then given `late` events per environment dated 2 h before its high-water mark: the next incremental run misses them. */
async function missedLateEvents(storeEnv: Record<string, string>, late: number) {
  const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 60, users: 3, spacesPerEnvironment: 1, guestsPerEnvironment: 1, agentsPerEnvironment: 1 } });
  const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_PAGE_SIZE: '25', LOG_LEVEL: 'info', ...storeEnv };
  const [a, b] = sim.environments().map((e) => e.id) as [string, string];
  await cli(['sync', '--once'], env);
  // Two hours before the earlier of the two high-water marks: well outside either's lookback.
  const highWater = [(await cursor(env, a)).highWater!, (await cursor(env, b)).highWater!].sort()[0]!;
  const lateAt = new Date(Date.parse(highWater) - 2 * HOUR).toISOString();
  const lateIds = {
    [a]: sim.addEvents(a, late, { createdAt: lateAt }).map((e) => e.id),
    [b]: sim.addEvents(b, late, { createdAt: lateAt }).map((e) => e.id),
  };
  const incremental = await cli(['sync', '--once'], env);
  expect(incremental.stdout).toMatch(/: 0 new events/);
  expect(await storedIds(env)).toEqual(without(sim.eventIds(), [...lateIds[a]!, ...lateIds[b]!]));
  return { sim, env, a, b, lateAt, lateIds };
}

async function cli(args: string[], env: Record<string, string>, code = 0) {
  const result = await runCli(args, env);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
  return result;
}

async function cursor(env: Record<string, string>, environmentId: string): Promise<EnvironmentCursor> {
  const store = await openStore(loadConfig(env));
  try {
    return (await store.readCursor(environmentId))!;
  } finally {
    await store.close();
  }
}

async function select(env: Record<string, string>, sql: string): Promise<Array<Record<string, unknown>>> {
  const reader = await openReader(loadConfig(env));
  try {
    const rows = await reader.openQuery(sql);
    try {
      const all: Array<Record<string, unknown>> = [];
      for (let chunk = await rows.read(500); chunk.length > 0; chunk = await rows.read(500)) all.push(...chunk);
      return all;
    } finally {
      await rows.close();
    }
  } finally {
    await reader.close();
  }
}

async function storedIds(env: Record<string, string>): Promise<string[]> {
  return (await select(env, 'SELECT id FROM events ORDER BY id')).map((r) => String(r.id));
}

function without(ids: string[], removed: string[]): string[] {
  return ids.filter((id) => !removed.includes(id)).sort();
}

async function operatorActions(env: Record<string, string>) {
  const rows = await select(env, 'SELECT action, environment_id, operator, host, detail FROM operator_actions ORDER BY id');
  return rows.map((r) => ({ ...r, detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail }));
}

describe.each(STORES)('re-sync controls on %s', { timeout: 300_000 }, (_store, storeEnv) => {
  it('sync --once --environment --since stores exactly the missed events of that environment, and moves no cursor', async () => {
    const { sim, env, a, b, lateAt, lateIds } = await missedLateEvents(storeEnv(), 4);
    const cursors = { a: await cursor(env, a), b: await cursor(env, b) };
    const since = new Date(Date.parse(lateAt) - HOUR).toISOString();

    const resync = await cli(['sync', '--once', '--environment', a, '--since', since], env);
    expect(resync.stdout).toContain(`catch-up from ${since}: `);
    expect(resync.stdout).toMatch(/events listed, 4 of them missing and now stored/);
    expect(resync.stdout).toMatch(/run \d+ ok: .*: 4 new events/);
    // Exactly A's late events: B's stay missing, nothing else changed.
    expect(await storedIds(env)).toEqual(without(sim.eventIds(), lateIds[b]!));
    const afterA = await cursor(env, a);
    expect({ ...afterA, lastSuccessAt: null }).toEqual({ ...cursors.a, lastSuccessAt: null });
    expect(await cursor(env, b)).toEqual(cursors.b);
    expect(await select(env, `SELECT scope, status, trigger, new_events FROM sync_runs ORDER BY id DESC LIMIT 1`)).toEqual([{ scope: a, status: 'ok', trigger: 'cli', new_events: 4 }]);
    expect((await cli(['verify'], env)).stdout).not.toMatch(/FAIL|mismatch/i);

    // Idempotent: again, nothing is missing and nothing is stored.
    const again = await cli(['sync', '--once', '--environment', a, '--since', since], env);
    expect(again.stdout).toMatch(/events listed, 0 of them missing/);
    expect(await storedIds(env)).toEqual(without(sim.eventIds(), lateIds[b]!));

    // Coverage (rule 10): each listing that read to its end is recorded with what it found.
    const windows = await select(env, `SELECT kind, since, new_events FROM listing_windows WHERE environment_id = '${a}' ORDER BY id`);
    expect(windows.map((w) => [w.kind, w.kind === 'catch-up' ? w.since : '', Number(w.new_events)])).toEqual([
      ['incremental', '', sim.eventIds(a).length - 4], ['incremental', '', 0], ['catch-up', since, 4], ['incremental', '', 0], ['catch-up', since, 0], ['incremental', '', 0],
    ]);
  });

  it('cursor reset moves one environment back, logged and recorded; the next run stores only the missed events', async () => {
    const { sim, env, a, b, lateAt, lateIds } = await missedLateEvents(storeEnv(), 3);
    const before = await cursor(env, b);
    const since = new Date(Date.parse(lateAt) - HOUR).toISOString();

    const reset = await cli(['cursor', 'reset', '--environment', b, '--since', since], env);
    expect(reset.stdout).toContain(`cursor of ${b} reset: the next run re-reads from ${since} (was: high water ${before.highWater})`);
    const logged = reset.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg?.toString().startsWith('cursor reset by an operator'));
    expect(logged).toMatchObject({ level: 'warn', envId: b, requestedSince: since, before: { highWater: before.highWater, listing: null }, after: { highWater: before.highWater, listing: { since, nextPage: 1 } } });
    const [action] = await operatorActions(env);
    expect(action).toMatchObject({ action: 'cursor-reset', environment_id: b, operator: userInfo().username, detail: { requestedSince: since, before: { highWater: before.highWater, listing: null }, after: { listing: { since } } } });
    expect((await cursor(env, b)).highWater).toBe(before.highWater);

    const next = await cli(['sync', '--once'], env);
    expect(next.stdout).toMatch(/run \d+ ok: 3 new events/);
    expect(await storedIds(env)).toEqual(without(sim.eventIds(), lateIds[a]!));
    expect(await cursor(env, b)).toMatchObject({ highWater: before.highWater, listing: null });
  });

  it('refuses without --since, for an unknown environment, and while a run of it is alive, changing nothing', async () => {
    const { env, b } = await missedLateEvents(storeEnv(), 1);
    const before = await cursor(env, b);
    const since = '2026-01-01T00:00:00Z';

    const noSince = await cli(['cursor', 'reset', '--environment', b], env, 2);
    expect(noSince.stderr).toBe('flatfile-audit: cursor reset needs --since ISO, the time to re-read from (it never guesses how far back); nothing was changed\n');
    const unknown = await cli(['cursor', 'reset', '--environment', 'us_env_nope', '--since', since], env, 1);
    expect(unknown.stderr).toBe('flatfile-audit: unknown environment us_env_nope (it has no cursor in the audit database: never synced); list the environments with: flatfile-audit status\n');
    const unknownSync = await cli(['sync', '--once', '--environment', 'us_env_nope'], env, 1);
    expect(unknownSync.stderr).toMatch(/^flatfile-audit: unknown environment us_env_nope \(the API lists 2 environment\(s\) for this token, not this one\); list the environments with: flatfile-audit status\n$/);

    // A run of B under way (here: started by hand a moment ago, as a worker would have).
    const store = await openStore(loadConfig(env));
    try {
      const runId = await store.startRun({ startedAt: new Date().toISOString(), trigger: 'schedule', scope: b });
      const busy = await cli(['cursor', 'reset', '--environment', b, '--since', since], env, 1);
      expect(busy.stderr).toMatch(new RegExp(`^flatfile-audit: cursor of ${b} not reset: run ${runId} \\(environment sync, started .*\\) is still running .*; nothing was changed\\n$`));
      await store.finishRun(runId, { status: 'ok', finishedAt: new Date().toISOString(), newEvents: 0, rejected: 0, pages: 0, requests: 0, environmentsOk: 1, environmentsFailed: 0, error: null, details: null });
    } finally {
      await store.close();
    }
    expect(await cursor(env, b)).toEqual(before);
    expect(await operatorActions(env)).toEqual([]);
    // --since later than where the next run reads anyway: nothing to move.
    const later = await cli(['cursor', 'reset', '--environment', b, '--since', before.highWater!], env);
    expect(later.stdout).toMatch(/left as it is: its next run reads from .* anyway/);
    expect(await cursor(env, b)).toEqual(before);
    expect(await operatorActions(env)).toEqual([]);
  });
});
