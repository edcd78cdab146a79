/**
 * `flatfile-audit prune` with real processes on a real SQLite file: while a `sync --once` writes and
 * sqlite3 processes read, it archives the oldest events (a private gzip NDJSON file whose rows
 * relink to the recorded cut), deletes them, and leaves a store that verifies and keeps syncing.
 */
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { readArchive, relink } from '../helpers/archive.js';
import { startReader } from '../helpers/reader-process.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const ids = (dbPath: string): string[] => readDb(dbPath, (db) => db.prepare('SELECT id FROM events ORDER BY id').pluck().all() as string[]);
const cuts = (dbPath: string) => readDb(dbPath, (db) => db.prepare('SELECT environment_id, first_seq, last_seq, hex(last_hash) AS hash, command, archive, archive_sha256 FROM chain_cuts ORDER BY environment_id').all() as Array<Record<string, string | number>>);

describe('prune', () => {
  it('archives and deletes the oldest events while a sync writes and sqlite3 processes read; the store verifies and syncs on', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 600 } });
    const dbPath = tempDbPath();
    // No lookback: the next listing starts at the high-water mark, and events before it may go.
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, AUDIT_PAGE_SIZE: '10', AUDIT_CONCURRENCY: '2', AUDIT_WRITE_BATCH: '1', AUDIT_LOOKBACK: '0s', LOG_LEVEL: 'silent' };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    // The backfill: one listing, chained newest first (the API's order), every event older than `before`.
    const old = ids(dbPath);
    const before = new Date(sim.clock().getTime() + 1).toISOString();
    // A sync an hour later brings a few newer events: the high-water mark, where the next listing starts, moves past `before`.
    sim.advanceClock(3_600_000);
    for (const e of sim.environments()) sim.addEvents(e.id, 5);
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const all = ids(dbPath);
    sim.advanceClock(3_600_000);
    for (const e of sim.environments()) sim.addEvents(e.id, 3000);
    sim.setFaults({ latencyMs: 40 });

    const reader = startReader(dbPath, 20);
    const sync = startCli(['sync', '--once'], env);
    await waitFor('the second sync to store new events', () => ids(dbPath).length > all.length + 20);
    const archive = join(tempDir(), 'archives', 'first.ndjson.gz');
    const prune = await runCli(['prune', '--before', before, '--archive', archive], env);
    const syncStillRunning = sync.child.exitCode === null;
    expect(prune.code, prune.stderr).toBe(0);
    expect(syncStillRunning).toBe(true);
    expect((await sync.done).code).toBe(0);
    await reader.stop();
    expect(reader.samples.filter((s) => s.error !== undefined)).toEqual([]);

    // Exactly the old events are gone, none came back with the sync (it reads from the high-water mark, which they are before), and all of them are archived.
    const now = ids(dbPath);
    expect(old.length).toBe(1200);
    expect(now.filter((id) => old.includes(id))).toEqual([]);
    expect(now.length).toBe(sim.eventCount() - old.length);
    const written = readArchive(archive);
    expect(written.events.map((e) => e.event.id).sort()).toEqual(old);
    expect(written.events[0]!.audit_trail).toMatchObject({ event_id: written.events[0]!.event.id, environment_id: written.events[0]!.environment_id });
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(archive)).mode & 0o777).toBe(0o700);
    // The archive relinks from the start of each chain to the cut the store recorded, whose checksum it has.
    const recorded = cuts(dbPath);
    expect(Object.fromEntries(recorded.map((c) => [c.environment_id, String(c.hash).toLowerCase()]))).toEqual(relink(written));
    const sha = (await import('node:crypto')).createHash('sha256').update((await import('node:fs')).readFileSync(archive)).digest('hex');
    for (const c of recorded) expect(c).toMatchObject({ first_seq: 1, archive, archive_sha256: sha, command: expect.stringMatching(/^prune --before .* \(.+@.+, pid \d+\)$/) });
    expect(prune.stdout).toContain(`archive: ${archive} (${old.length} events`);

    const verify = await runCli(['verify'], env);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/cut: us_env_\S+ pruned through seq \d+ at .* by prune --before/);

    // Nothing left to prune; an archive is never overwritten.
    expect(await runCli(['prune', '--before', before, '--archive', archive], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('nothing to prune') });
    const taken = join(dirname(archive), 'taken.ndjson.gz');
    writeFileSync(taken, 'mine');
    const later = new Date(sim.clock().getTime() + 1).toISOString();
    const refused = await runCli(['prune', '--before', later, '--archive', taken], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to overwrite');
    expect(ids(dbPath)).toEqual(now);
  }, 180_000);

  it('deletes the visibility lag counts of hours before its date, but not of the last 24 hours, and says how many', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 20 } });
    const dbPath = tempDbPath();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, LOG_LEVEL: 'silent' };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const hour = (ms: number) => `${new Date(ms).toISOString().slice(0, 13)}:00:00.000Z`;
    const recent = hour(Date.now() - 3_600_000);
    const db = new Database(dbPath);
    for (const h of ['2026-01-01T05:00:00.000Z', '2026-01-02T06:00:00.000Z', recent]) {
      db.prepare("INSERT INTO visibility_lag (hour, environment_id, topic, bucket, events) VALUES (?, 'us_env_x', 'records:updated', 40, 3)").run(h);
    }
    db.close();
    const before = new Date(Date.now() - 60_000).toISOString();
    const pruned = await runCli(['prune', '--before', before, '--no-archive'], env);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain(`visibility lag: 2 hourly count row(s) of hours before ${before} deleted (never of the last 24 hours)\n`);
    expect(readDb(dbPath, (d) => d.prepare('SELECT hour FROM visibility_lag').pluck().all())).toEqual([recent]);
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const env = { AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent' };
    for (const args of [['prune'], ['prune', '--before', 'yesterday'], ['prune', '--before', '2026-01-01T10:00:00'], ['prune', '--before', '2999-01-01'], ['prune', '--before', '2026-01-01', '--archive', 'x.gz', '--no-archive']]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(() => statSync(env.AUDIT_DB)).toThrow();
  });
});
