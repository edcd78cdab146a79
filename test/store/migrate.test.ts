import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { actorTypeCase } from '../../src/store/actor-type.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { LATEST_VERSION, MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import { openWritable } from '../../src/store/sqlite/open.js';
import { tempDbPath } from '../helpers/temp.js';

function schemaOf(db: Database.Database): string[] {
  return (db.prepare("SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").pluck().all() as string[]);
}

describe('migrations', () => {
  it('bring an empty file to the latest version', () => {
    const db = openWritable(tempDbPath());
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(schemaOf(db).join('\n')).toMatch(/table events/);
    db.close();
  });

  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
  });

  it.each(MIGRATIONS.map((m) => m.version))('from version %i - 1 with data, reach the same schema as from empty and keep the data', (version) => {
    const path = tempDbPath();
    const old = openWritable(path, { targetVersion: version - 1 });
    if (version > 1) old.prepare("INSERT INTO sync_runs (trigger, started_at, status) VALUES ('test', '2026-01-01T00:00:00.000Z', 'ok')").run();
    old.close();
    const upgraded = openWritable(path);
    const fresh = openWritable(':memory:');
    expect(schemaOf(upgraded)).toEqual(schemaOf(fresh));
    if (version > 1) expect(upgraded.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get()).toBe(1);
    upgraded.close();
    fresh.close();
  });

  it("reconcile-runs from the version before: listing_windows keeps its rows and ids, takes kind 'reconcile', and numbers on after them", () => {
    const path = tempDbPath();
    const before = MIGRATIONS.find((m) => m.name === 'reconcile-runs')!.version - 1;
    const old = openWritable(path, { targetVersion: before });
    const insert = (db: Database.Database, kind: string) =>
      db.prepare(`INSERT INTO listing_windows (environment_id, kind, since, until, started_at, completed_at, resumed_at_page, pages, served, new_events)
                  VALUES ('us_env_a', ?, NULL, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:01.000Z', 1, 2, 30, 3)`).run(kind);
    insert(old, 'incremental');
    insert(old, 'catch-up');
    old.prepare("DELETE FROM listing_windows WHERE kind = 'catch-up'").run();
    expect(() => insert(old, 'reconcile')).toThrow(/CHECK constraint failed/);
    old.close();
    const upgraded = openWritable(path);
    expect(upgraded.prepare('SELECT id, kind, served FROM listing_windows').all()).toEqual([{ id: 1, kind: 'incremental', served: 30 }]);
    // AUTOINCREMENT: the deleted id 2 is not handed out again.
    expect(Number(insert(upgraded, 'reconcile').lastInsertRowid)).toBe(3);
    expect(upgraded.prepare('SELECT COUNT(*) FROM reconcile_runs').pluck().get()).toBe(0);
    upgraded.close();
  });

  it('are idempotent: opening twice changes nothing', () => {
    const path = tempDbPath();
    openWritable(path).close();
    const again = openWritable(path);
    expect(migrate(again)).toBe(LATEST_VERSION);
    again.close();
  });

  it('refuse a database from a newer flatfile-audit', () => {
    const path = tempDbPath();
    const db = openWritable(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => openWritable(path)).toThrow(/newer than this flatfile-audit knows/);
  });
});

describe('several processes opening a new file at once', () => {
  it('apply each migration once, and every process opens the file', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const openJs = fileURLToPath(new URL('../../dist/src/store/sqlite/open.js', import.meta.url));
    // Many rounds: switching a new file to WAL races (open.ts switchToWal); one round in a few dozen lost a process to it.
    for (let round = 0; round < 20; round += 1) {
      const path = tempDbPath();
      const script = `import(${JSON.stringify(openJs)}).then((m) => { m.openWritable(${JSON.stringify(path)}).close(); })`;
      const codes = await Promise.all(
        [0, 1, 2, 3].map(
          () =>
            new Promise<{ code: number | null; stderr: string }>((resolve) => {
              const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
              let stderr = '';
              child.stderr.on('data', (chunk) => (stderr += chunk));
              child.on('close', (code) => resolve({ code, stderr }));
            }),
        ),
      );
      expect(codes, JSON.stringify(codes)).toEqual([0, 1, 2, 3].map(() => ({ code: 0, stderr: '' })));
      const db = openWritable(path);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      db.close();
    }
  });
});

describe('event-counts (migration 16)', () => {
  it('fills event_counts from the events already stored, per environment, hour and the view\'s actor type', () => {
    const path = tempDbPath();
    const before = MIGRATIONS.find((m) => m.name === 'event-counts')!.version - 1;
    const old = openWritable(path, { targetVersion: before });
    const insert = old.prepare(
      `INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, ingested_at, raw, chain_seq, chain_hash)
       VALUES (?, ?, ?, 'x:y', 'x', ?, '2026-11-01T00:00:00.000Z', '{}', ?, x'00')`,
    );
    const actors = [null, 'us_usr_1', 'us_g_1', 'us_ag_1', 'us_key_1', 'someone'];
    for (let n = 1; n <= 60; n += 1) {
      const env = n % 3 === 0 ? 'us_env_b' : 'us_env_a';
      insert.run(`us_evt_${n}`, env, new Date(Date.parse('2026-10-01T00:00:00.000Z') + n * 11 * 60_000).toISOString(), actors[n % actors.length], n);
    }
    old.close();
    const upgraded = openWritable(path);
    const counts = upgraded.prepare('SELECT environment_id, hour, actor_type, count FROM event_counts ORDER BY 1, 2, 3').all();
    const events = upgraded.prepare(
      `SELECT environment_id, substr(created_at, 1, 13) || ':00:00.000Z' AS hour, actor_type, count(*) AS count FROM audit_trail GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ).all();
    expect(counts).toEqual(events);
    expect(new Set(counts.map((r) => (r as { actor_type: string }).actor_type))).toEqual(new Set(['user', 'guest', 'agent', 'api_key', 'unknown']));
    upgraded.close();
  });

  it('the actor-type rule is one: the view\'s CASE and the migration\'s are what src/store/actor-type.ts writes', () => {
    const db = openWritable(':memory:');
    const view = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_trail'").pluck().get() as string;
    expect(view).toContain(`${actorTypeCase('e.actor_id')}              AS actor_type`);
    expect(MIGRATIONS.find((m) => m.name === 'event-counts')!.sql).toContain(actorTypeCase('actor_id'));
    db.close();
  });
});
