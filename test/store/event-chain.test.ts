/** Tamper evidence: rows edited, deleted or slipped in behind the sync's back are found by verify. */
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openWritable } from '../../src/store/sqlite/open.js';
import { chainHashV1, type ChainedRow } from '../../src/store/chain/event-chain.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { EventRecord } from '../../src/records.js';
import type { PageWrite } from '../../src/store/audit-store.js';
import { runCli } from '../helpers/cli.js';
import { verifyChainsOf as verify } from '../helpers/snapshot.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

function event(environmentId: string, n: number): EventRecord {
  const createdAt = new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 1000).toISOString();
  return {
    id: `us_evt_${environmentId}_${n}`, environmentId, createdAt, topic: 'workbook:updated', domain: 'workbook', actorId: 'us_usr_1',
    spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: JSON.stringify({ n }),
  };
}

function page(environmentId: string, from: number, to: number): PageWrite {
  const events = Array.from({ length: to - from + 1 }, (_v, i) => event(environmentId, from + i));
  return { environmentId, events, rejected: [], cursor: { kind: 'progress', listing: { since: null, pageSize: 10, nextPage: 2, maxCreatedAt: null, pageFill: 10, startedAt: '2026-11-01T00:00:00.000Z' } } };
}

/** Edits the file as an intruder would: with the sqlite3 command-line tool where there is one. */
function tamper(path: string, sql: string): void {
  try {
    execFileSync('sqlite3', [path, sql], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const db = new Database(path);
    db.exec(sql);
    db.close();
  }
}

async function storeWithEvents(): Promise<string> {
  const path = tempDbPath();
  const store = SqliteStore.open(path);
  await store.writePages([page('us_env_a', 1, 5), page('us_env_b', 1, 3)]);
  await store.writePages([page('us_env_a', 4, 8)]); // 4 and 5 again: ignored, the chain does not move
  await store.close();
  return path;
}

describe('the event hash chain', () => {
  it('verifies an untouched database, with one link per stored event', async () => {
    const path = await storeWithEvents();
    const report = await verify(path);
    expect(report).toMatchObject({ ok: true, rows: 11, problemCount: 0 });
    expect(report.environments.map((e) => [e.environmentId, e.rows, e.headSeq])).toEqual([['us_env_a', 8, 8], ['us_env_b', 3, 3]]);
  });

  it.each([
    ['an edited payload', "UPDATE events SET raw = '{\"n\":99}' WHERE id = 'us_evt_us_env_a_3'", 'changed', 3],
    ['an edited actor column', "UPDATE events SET actor_id = 'us_usr_2' WHERE id = 'us_evt_us_env_a_6'", 'changed', 6],
    ['a deleted row in the middle', "DELETE FROM events WHERE id = 'us_evt_us_env_a_4'", 'missing', 4],
    ['deleted rows at the end', "DELETE FROM events WHERE id IN ('us_evt_us_env_a_7', 'us_evt_us_env_a_8')", 'truncated', 7],
    [
      'a row slipped in',
      "INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw) VALUES ('us_evt_fake', 'us_env_b', '2026-10-01T00:00:09.000Z', 'file:deleted', 'file', '2026-11-01T00:00:00.000Z', '{}')",
      'unchained',
      null,
    ],
  ])('finds %s', async (_name, sql, kind, seq) => {
    const path = await storeWithEvents();
    tamper(path, sql);
    const report = await verify(path);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind, seq });
  });

  it('walks each chain in sequence order, not rowid order: a row moved to the end of the table unchanged still verifies', async () => {
    const path = await storeWithEvents();
    tamper(path, "CREATE TEMP TABLE moved AS SELECT * FROM events WHERE id = 'us_evt_us_env_a_3'; DELETE FROM events WHERE id = 'us_evt_us_env_a_3'; INSERT INTO events SELECT * FROM moved;");
    expect(readDb(path, (db) => db.prepare('SELECT id FROM events ORDER BY rowid DESC LIMIT 1').pluck().get())).toBe('us_evt_us_env_a_3');
    expect(await verify(path)).toMatchObject({ ok: true, rows: 11, problemCount: 0 });
  });

  it('flatfile-audit verify exits 0 when intact and 1 with the problem when not', async () => {
    const path = await storeWithEvents();
    const clean = await runCli(['verify'], { AUDIT_DB: path });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/ok: 11 events verified/);
    tamper(path, "UPDATE events SET topic = 'space:deleted' WHERE id = 'us_evt_us_env_b_2'");
    const tampered = await runCli(['verify'], { AUDIT_DB: path });
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/us_env_b\s+changed\s+2\s+us_evt_us_env_b_2/);
    expect(tampered.stdout).toMatch(/TAMPERED: 1 problem\(s\) in 11 events/);
  });

  // Version 5 changed how a row is hashed (a digest of the row, then the link): rows chained before
  // keep their first-form hashes, and verify must check each row in the form it was chained in.
  describe('across the change of hash form (schema version 5)', () => {
    /** Events a version-4 flatfile-audit stored (first-form hashes), then more stored by this one. */
    async function upgradedStore(): Promise<string> {
      const path = tempDbPath();
      const old = openWritable(path, { targetVersion: 4 });
      const insert = old.prepare(
        `INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw, chain_seq, chain_hash) VALUES (?, 'us_env_a', ?, 'x:y', 'x', ?, '{}', ?, ?)`,
      );
      let head: Buffer | null = null;
      for (let seq = 1; seq <= 3; seq += 1) {
        const row: ChainedRow = {
          id: `us_evt_v4_${seq}`, environment_id: 'us_env_a', created_at: `2026-09-0${seq}T00:00:00.000Z`, topic: 'x:y', domain: 'x', actor_id: null,
          space_id: null, workbook_id: null, sheet_id: null, job_id: null, acknowledged_at: null, deleted_at: null, ingested_at: '2026-10-01T00:00:00.000Z', raw: '{}',
        };
        head = chainHashV1(head, row);
        insert.run(row.id, row.created_at, row.ingested_at, seq, head);
      }
      old.prepare(`INSERT INTO event_chains (environment_id, last_seq, last_hash, updated_at) VALUES ('us_env_a', 3, ?, '2026-10-01T00:00:00.000Z')`).run(head);
      // A version-4 file verifies as it is, before anything migrates it.
      expect(await verify(path)).toMatchObject({ ok: true, rows: 3 });
      old.close();
      const store = SqliteStore.open(path);
      await store.writePages([page('us_env_a', 1, 4)]);
      await store.close();
      return path;
    }

    it('verifies the older rows in the first form and the newer ones in the current form', async () => {
      const path = await upgradedStore();
      expect(await verify(path)).toMatchObject({ ok: true, rows: 7, problemCount: 0 });
      expect(readDb(path, (db) => db.prepare('SELECT v1_through_seq, last_seq FROM event_chains').get())).toEqual({ v1_through_seq: 3, last_seq: 7 });
    });

    it.each([
      ['an older row', "UPDATE events SET topic = 'space:deleted' WHERE id = 'us_evt_v4_2'", 2],
      ['a newer row', "UPDATE events SET topic = 'space:deleted' WHERE id = 'us_evt_us_env_a_2'", 5],
    ])('finds %s edited', async (_name, sql, seq) => {
      const path = await upgradedStore();
      tamper(path, sql);
      expect((await verify(path)).problems).toEqual([expect.objectContaining({ kind: 'changed', seq })]);
    });
  });

  it('is built over rows stored before the chain existed, by the migration', async () => {
    const path = tempDbPath();
    const old = openWritable(path, { targetVersion: 2 });
    const insert = old.prepare(`INSERT INTO events (id, environment_id, created_at, topic, domain, ingested_at, raw) VALUES (?, ?, ?, 'x:y', 'x', '2026-11-01T00:00:00.000Z', '{}')`);
    for (let i = 0; i < 5; i += 1) insert.run(`us_evt_old_${i}`, i % 2 ? 'us_env_a' : 'us_env_b', `2026-10-0${i + 1}T00:00:00.000Z`);
    old.close();
    const store = SqliteStore.open(path);
    await store.writePages([page('us_env_a', 1, 2)]);
    await store.close();
    expect(await verify(path)).toMatchObject({ ok: true, rows: 7 });
    expect((await verify(path)).environments.find((e) => e.environmentId === 'us_env_a')!.headSeq).toBe(4);
  });
});
