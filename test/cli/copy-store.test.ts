/**
 * `flatfile-audit copy-store`, as a child process: a SQLite store synced from the simulator over
 * HTTP, copied into a real PostgreSQL database, compared row by row through the read seam, and
 * verified there; a copy killed mid-transaction and run again; a catch-up copy of the tail only;
 * and the targets and sources it refuses.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { runCli, startCli } from '../helpers/cli.js';
import { expectSameContents } from '../helpers/copy-store.js';
import { freshSchema, PG_HOST, PG_PORT, pgQuery, pgSettings, testDatabase } from '../helpers/postgres.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const db = testDatabase();

/** Each test runs the CLI several times, on a machine that may be busy. */
const LONG = 300_000;

interface Copied {
  table: string;
  copied: number;
  inTarget: number;
}

/** The per-table lines of copy-store's report. */
function copiedCounts(stdout: string): Record<string, Copied> {
  const counts: Record<string, Copied> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(\w+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) counts[m[1]!] = { table: m[1]!, copied: Number(m[2]), inTarget: Number(m[3]) };
  }
  return counts;
}

/** A SQLite store with all kinds of rows: events of several environments, removed inventory rows, a rejected payload, payload characters jsonb refuses, several runs. */
async function syncedSource(events = 40) {
  const { url, sim } = await simulator({ seed: 7, account: { environments: 3, eventsPerEnvironment: events, users: 4 } });
  const dbPath = tempDbPath();
  await runSync({ url, dbPath });
  const [first, second] = sim.environments();
  sim.removeUser(sim.users()[0]!.id);
  sim.removeGuest(sim.guests(first!.id)[0]!.id);
  sim.addRawEvent(second!.id, { id: 'us_evt_copybad00001', topic: 42, context: {} });
  sim.addRawEvent(first!.id, {
    id: 'us_evt_copynul00001',
    topic: 'records:created',
    domain: 'workbook',
    createdAt: sim.clock().toISOString(),
    context: { environmentId: first!.id },
    payload: { note: 'a\u0000b\ud800c' },
  });
  sim.addEvents(first!.id, 5);
  await runSync({ url, dbPath });
  return { url, sim, dbPath };
}

/** Rule 19 on the target: event_counts grouped, and the events grouped the same way (the audit_trail view's actor type). */
async function countsAndEvents(schema: string) {
  const counts = await pgQuery(db, schema, "SELECT environment_id, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') AS hour, actor_type, sum(count)::int AS n FROM event_counts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  const events = await pgQuery(db, schema, "SELECT environment_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') AS hour, actor_type, count(*)::int AS n FROM audit_trail GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  return { counts, events };
}

function copyEnv(dbPath: string, schema: string): Record<string, string> {
  return { AUDIT_DB: dbPath, AUDIT_DATABASE_SCHEMA: schema };
}

describe('copy-store', () => {
  it('copies every row exactly: the read seam shows the same rows in both stores, and verify passes on the target', async () => {
    const { dbPath, sim } = await syncedSource();
    // The source holds what the copy must carry over: removed rows, a rejected payload, a payload jsonb cannot take as it is.
    const kinds = readDb(dbPath, (d) => ({
      removed: d.prepare('SELECT COUNT(*) FROM users WHERE removed_at IS NOT NULL').pluck().get(),
      removedMemberships: d.prepare('SELECT COUNT(*) FROM guest_spaces WHERE removed_at IS NOT NULL').pluck().get(),
      rejected: d.prepare('SELECT COUNT(*) FROM rejected_events').pluck().get(),
      unstorable: d.prepare("SELECT COUNT(*) FROM events WHERE id = 'us_evt_copynul00001' AND raw LIKE '%\\u0000%'").pluck().get(),
      runs: d.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get(),
    }));
    expect(kinds).toEqual({ removed: 1, removedMemberships: expect.any(Number), rejected: 1, unstorable: 1, runs: 2 });
    expect(kinds.removedMemberships).toBeGreaterThan(0);

    const schema = freshSchema();
    const copy = await runCli(['copy-store', '--to', db.url, '--batch', '25'], copyEnv(dbPath, schema));
    expect(copy.code, copy.stderr + copy.stdout).toBe(0);
    const total = readDb(dbPath, (d) => d.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
    // Every event the simulator shows, and the one whose payload jsonb cannot take as it is (a raw event, outside its count).
    expect(total).toBe(sim.eventCount() + 1);
    expect(copy.stdout).toContain(`ok: ${total} events verified`);
    expect(copy.stdout).toContain('ok: inventories match their change log');
    expect(copy.stdout).toMatch(/copy-store: ok, the target verifies/);
    const counts = copiedCounts(copy.stdout);
    expect(counts.events).toEqual({ table: 'events', copied: total, inTarget: total });
    expect(counts.users).toEqual({ table: 'users', copied: 4, inTarget: 4 });

    const source = await expectSameContents(dbPath, db, schema);
    expect(source.tables.events).toHaveLength(total);
    const counted = await countsAndEvents(schema);
    expect(counted.counts).toEqual(counted.events);
    expect(counted.counts.reduce((sum, r) => sum + Number(r.n), 0)).toBe(total);

    const verify = await runCli(['verify', '--json'], { AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema });
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, rows: total, problemCount: 0 });

    // The identities moved past the copied ids: the next run PostgreSQL numbers is a new one.
    const store = PostgresStore.open(pgSettings(db, schema), { env: {} });
    try {
      const runId = await store.startRun({ trigger: 'test', startedAt: new Date().toISOString(), scope: 'account' });
      expect(runId).toBe(3);
    } finally {
      await store.close();
    }
  }, LONG);

  it('a copy SIGKILLed inside a transaction, run again, ends exact', async () => {
    const { dbPath, sim } = await syncedSource(60);
    const schema = freshSchema();
    const environments = sim.environments().map((e) => e.id).sort();
    // Hold the copy inside its first transaction of the second environment: an uncommitted head
    // row of ours makes its head upsert wait, after it inserted that page's events.
    const holder = new pg.Client({ host: PG_HOST, port: PG_PORT, user: 'postgres', database: db.name, options: `-c search_path=${schema}` });
    const { child, done } = startCli(['copy-store', '--to', db.url, '--batch', '7'], copyEnv(dbPath, schema));
    await holder.connect();
    try {
      await waitFor('the copy to create the schema', async () => (await pgQuery(db, schema, "SELECT to_regclass('event_chains') IS NOT NULL AS ok"))[0]?.ok);
      await holder.query('BEGIN');
      await holder.query("INSERT INTO event_chains (environment_id, last_seq, last_hash, updated_at) VALUES ($1, 0, '\\x'::bytea, now())", [environments[1]]);
      await waitFor('the copy to wait on the held row', async () => {
        const waiting = await pgQuery<{ n: number }>(db, schema, "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [db.name]);
        return waiting[0]!.n > 0;
      });
      child.kill('SIGKILL');
      const killed = await done;
      expect(killed.signal).toBe('SIGKILL');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    // What the copy left: the first environment whole, nothing of the second (its transaction died with it).
    const partial = await pgQuery<{ environment_id: string; n: number }>(db, schema, 'SELECT environment_id, COUNT(*)::int AS n FROM events GROUP BY 1 ORDER BY 1');
    const firstCount = readDb(dbPath, (d) => d.prepare('SELECT COUNT(*) FROM events WHERE environment_id = ?').pluck().get(environments[0]) as number);
    expect(partial).toEqual([{ environment_id: environments[0], n: firstCount }]);
    const partlyCounted = await countsAndEvents(schema);
    expect(partlyCounted.counts).toEqual(partlyCounted.events);

    const rerun = await runCli(['copy-store', '--to', db.url, '--batch', '7'], copyEnv(dbPath, schema));
    expect(rerun.code, rerun.stderr + rerun.stdout).toBe(0);
    const total = readDb(dbPath, (d) => d.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
    expect(copiedCounts(rerun.stdout).events).toEqual({ table: 'events', copied: total - partial[0]!.n, inTarget: total });
    await expectSameContents(dbPath, db, schema);
    const counted = await countsAndEvents(schema);
    expect(counted.counts).toEqual(counted.events);
  }, LONG);

  it('copies the source as of one moment, whatever a sync commits into it meanwhile', async () => {
    const { url, sim, dbPath } = await syncedSource();
    const schema = freshSchema();
    const before = readDb(dbPath, (d) => d.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
    const simBefore = sim.eventCount();
    // Hold the copy at the guests (after the events, their log and the other inventories) while a
    // sync removes a guest and adds events: read later, the guest's new row would not match the
    // change log copied before it.
    const holder = new pg.Client({ host: PG_HOST, port: PG_PORT, user: 'postgres', database: db.name, options: `-c search_path=${schema}` });
    const { done } = startCli(['copy-store', '--to', db.url], copyEnv(dbPath, schema));
    await holder.connect();
    try {
      await waitFor('the copy to create the schema', async () => (await pgQuery(db, schema, "SELECT to_regclass('guests') IS NOT NULL AS ok"))[0]?.ok);
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE guests IN SHARE MODE');
      await waitFor('the copy to wait for the guests', async () => {
        const waiting = await pgQuery<{ n: number }>(db, schema, "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [db.name]);
        return waiting[0]!.n > 0;
      });
      const [first] = sim.environments();
      sim.removeGuest(sim.guests(first!.id)[1]!.id);
      sim.addEvents(first!.id, 9);
      await runSync({ url, dbPath });
      // The 9 added, and the guestRemoved events of the removal.
      expect(readDb(dbPath, (d) => d.prepare('SELECT COUNT(*) FROM events').pluck().get())).toBe(before + sim.eventCount() - simBefore);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const copy = await done;
    expect(copy.code, copy.stderr + copy.stdout).toBe(0);
    expect(copy.stdout).toContain('ok: inventories match their change log');
    expect(copiedCounts(copy.stdout).events).toEqual({ table: 'events', copied: before, inTarget: before });

    const tail = await runCli(['copy-store', '--to', db.url], copyEnv(dbPath, schema));
    expect(tail.code, tail.stderr + tail.stdout).toBe(0);
    expect(copiedCounts(tail.stdout).events!.copied).toBe(sim.eventCount() - simBefore);
    await expectSameContents(dbPath, db, schema);
  }, LONG);

  it('a second pass copies only what was synced since the first', async () => {
    const { url, sim, dbPath } = await syncedSource();
    const schema = freshSchema();
    const first = await runCli(['copy-store', '--to', db.url], copyEnv(dbPath, schema));
    expect(first.code, first.stderr + first.stdout).toBe(0);

    const again = await runCli(['copy-store', '--to', db.url], copyEnv(dbPath, schema));
    expect(again.code, again.stderr).toBe(0);
    const idle = copiedCounts(again.stdout);
    expect(Object.values(idle).filter((t) => t.copied > 0)).toEqual([]);

    const [, second, third] = sim.environments();
    sim.addEvents(second!.id, 11);
    sim.addEvents(third!.id, 4);
    sim.removeSpace(sim.spaces(third!.id)[0]!.id);
    await runSync({ url, dbPath });

    const tail = await runCli(['copy-store', '--to', db.url], copyEnv(dbPath, schema));
    expect(tail.code, tail.stderr + tail.stdout).toBe(0);
    const counts = copiedCounts(tail.stdout);
    expect(counts.events!.copied).toBe(15);
    expect(counts.sync_runs!.copied).toBe(1);
    expect(counts.spaces!.copied).toBeGreaterThan(0);
    expect(counts.inventory_changes!.copied).toBeGreaterThan(0);
    await expectSameContents(dbPath, db, schema);
  }, LONG);

  it('refuses without a postgres --to or without a source, in one line, never printing the password', async () => {
    const dbPath = tempDbPath();
    const schema = freshSchema();
    const withPassword = db.url.replace('postgres@', 'postgres:Sup3rSecretPw@');

    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['copy-store'], copyEnv(dbPath, schema), /copy-store needs --to postgres:\/\//],
      [['copy-store', '--to', 'mysql://root:Sup3rSecretPw@db/audit'], copyEnv(dbPath, schema), /--to must start with postgres:\/\/ or postgresql:\/\//],
      [['copy-store', '--to', withPassword], copyEnv(`${dbPath}.missing`, schema), /AUDIT_DB .*\.missing does not exist/],
    ];
    for (const [args, env, message] of cases) {
      const refused = await runCli(args, env);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stdout + refused.stderr).not.toContain('Sup3rSecretPw');
    }
    // Nothing was created for a refused copy.
    expect(await pgQuery(db, schema, "SELECT to_regclass('events') AS t")).toEqual([{ t: null }]);
  }, LONG);

  it('refuses a target holding another trail or one ahead of the source, before writing a row; never prints the password', async () => {
    const { dbPath, url, sim } = await syncedSource(10);
    const schema = freshSchema();
    const withPassword = db.url.replace('postgres@', 'postgres:Sup3rSecretPw@');
    const copied = await runCli(['copy-store', '--to', withPassword], copyEnv(dbPath, schema));
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).not.toContain('Sup3rSecretPw');
    expect(copied.stdout).toContain(`postgres://postgres@${PG_HOST}:${PG_PORT}/${db.name} (schema ${schema})`);

    // Another account's store into the same target: refused before a row is written.
    const other = await simulator({ seed: 99, account: { environments: 2, eventsPerEnvironment: 10 } });
    const otherPath = tempDbPath();
    await runSync({ url: other.url, dbPath: otherPath });
    const before = await pgQuery(db, schema, 'SELECT COUNT(*)::int AS n FROM events');
    const foreign = await runCli(['copy-store', '--to', withPassword], copyEnv(otherPath, schema));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/^flatfile-audit: the target postgres:\/\/postgres@.* already holds another audit trail \(environment \S+ has a chain there, none in the source\)/);
    expect(foreign.stderr.trim().split('\n')).toHaveLength(1);
    expect(foreign.stderr).not.toContain('Sup3rSecretPw');
    expect(await pgQuery(db, schema, 'SELECT COUNT(*)::int AS n FROM events')).toEqual(before);

    // The same environments, another chain: a source whose event at the target's head differs.
    const forked = tempDbPath();
    const original = new Database(dbPath, { readonly: true });
    await original.backup(forked);
    original.close();
    const fork = new Database(forked);
    const env = sim.environments().map((e) => e.id).sort()[0]!;
    fork.prepare('UPDATE events SET chain_hash = zeroblob(32) WHERE environment_id = ? AND chain_seq = (SELECT last_seq FROM event_chains WHERE environment_id = ?)').run(env, env);
    fork.close();
    const forkCopy = await runCli(['copy-store', '--to', db.url], copyEnv(forked, schema));
    expect(forkCopy.code).toBe(2);
    expect(forkCopy.stderr).toMatch(/already holds another audit trail \(environment \S+'s event \d+ has another chain hash there\)/);

    // Workers already write to the target: it is ahead of the source, and a copy would move it back.
    sim.addEvents(sim.environments()[0]!.id, 3);
    const sync = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema, AUDIT_DB: dbPath });
    expect(sync.code, sync.stderr).toBe(0);
    const ahead = await runCli(['copy-store', '--to', db.url], copyEnv(dbPath, schema));
    expect(ahead.code).toBe(2);
    expect(ahead.stderr).toMatch(/is ahead of .*: workers write to it already/);
  }, LONG);
});
