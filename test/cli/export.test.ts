/**
 * `flatfile-audit export` against real stores filled by real syncs: --after continues exactly where
 * the last run stopped (late events included), NDJSON carries every audit_trail column, CSV cells
 * from users and guests are neutralised, and memory stays flat however many rows go out.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { openWritable } from '../../src/store/sqlite/open.js';

const nextPosition = (stderr: string): string => {
  const match = /^next: (\d+)$/m.exec(stderr);
  if (!match) throw new Error(`no "next:" line in ${stderr}`);
  return match[1]!;
};
const ndjson = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('export', () => {
  it('--after continues exactly after the last run: a late event with an old createdAt is in the next run, no row twice', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 60 } });
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent' };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);

    const first = await runCli(['export'], env);
    expect(first.code, first.stderr).toBe(0);
    const firstRows = ndjson(first.stdout);
    expect(firstRows.map((r) => r.event_id).sort()).toEqual(sim.eventIds());
    // Every audit_trail column, plus the position.
    const columns = readDb(env.AUDIT_DB, (db) => db.prepare('SELECT * FROM audit_trail LIMIT 1').columns().map((c) => c.name));
    expect(Object.keys(firstRows[0]!)).toEqual(['position', ...columns]);
    const after = nextPosition(first.stderr);

    // New events, and one that arrives late: older than events the first export already sent.
    const [envA, envB] = sim.environments();
    const fresh = sim.addEvents(envA!.id, 4).map((e) => e.id);
    const newest = readDb(env.AUDIT_DB, (db) => db.prepare('SELECT MAX(created_at) FROM events WHERE environment_id = ?').pluck().get(envB!.id) as string);
    const lateCreatedAt = new Date(Date.parse(newest) - 60_000).toISOString();
    const late = sim.addEvents(envB!.id, 1, { createdAt: lateCreatedAt }).map((e) => e.id);
    expect(firstRows.some((r) => String(r.created_at) > lateCreatedAt)).toBe(true);
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);

    const second = await runCli(['export', '--after', after], env);
    expect(second.code, second.stderr).toBe(0);
    const secondIds = ndjson(second.stdout).map((r) => r.event_id);
    expect([...secondIds].sort()).toEqual([...fresh, ...late].sort());

    // Nothing new: no rows, and the same position to continue from.
    const third = await runCli(['export', '--after', nextPosition(second.stderr)], env);
    expect(third.stdout).toBe('');
    expect(nextPosition(third.stderr)).toBe(nextPosition(second.stderr));

    // Filters narrow a run; --out writes a new private file and refuses an existing one.
    const out = join(tempDir(), 'exports', 'a.ndjson');
    const filtered = await runCli(['export', '--environment', envB!.id, '--since', lateCreatedAt.slice(0, 10), '--out', out], env);
    expect(filtered.code, filtered.stderr).toBe(0);
    const filteredRows = ndjson(readFileSync(out, 'utf8'));
    expect(filteredRows.length).toBeGreaterThan(0);
    expect(filteredRows.every((r) => r.environment_id === envB!.id && String(r.created_at) >= lateCreatedAt.slice(0, 10))).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const again = await runCli(['export', '--out', out], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('refusing to overwrite');
    expect(ndjson(readFileSync(out, 'utf8'))).toEqual(filteredRows);

    expect((await runCli(['export', '--after', 'yesterday'], env)).code).toBe(2);
    expect((await runCli(['export', '--since', 'soon'], env)).code).toBe(2);
    expect((await runCli(['export', '--until', '2026-01-31T12:00'], env)).code).toBe(2);
  });

  it('CSV neutralises cells from user and guest names that a spreadsheet would run as formulas', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 40 } });
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent' };
    const environmentId = sim.environments()[0]!.id;
    const user = sim.users()[0]!;
    const guest = sim.guests(environmentId)[0]!;
    sim.addEvents(environmentId, 1, { actorId: user.id, topic: 'job:created' });
    sim.addEvents(environmentId, 1, { actorId: guest.id, topic: 'job:updated' });
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    // Names are what users and guests typed; make them hostile where the sync stored them (today's
    // names, actor_current_*: the names at the time come from the versions the sync logged).
    const db = new Database(env.AUDIT_DB);
    db.prepare('UPDATE users SET name = ? WHERE id = ?').run('=HYPERLINK("http://x.example","click")', user.id);
    db.prepare('UPDATE guests SET name = ?, email = ? WHERE id = ?').run('@SUM(1+1)', '+cmd|/c calc', guest.id);
    db.close();

    const result = await runCli(['export', '--format', 'csv'], env);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'position,event_id,created_at,environment_id,environment_name,topic,domain,space_id,actor_id,actor_type,actor_name,actor_email,actor_removed_at,workbook_id,sheet_id,job_id,acknowledged_at,' +
        'actor_current_name,actor_current_email,file_id,document_id,app_id,action_name,origin_id,acknowledged_by,outcome,is_prod,space_name,deleted_at,ingested_at',
    );
    const userLine = lines.find((l) => l.includes('job:created') && l.includes(user.id))!;
    expect(userLine).toContain(`,"'=HYPERLINK(""http://x.example"",""click"")",`);
    const guestLine = lines.find((l) => l.includes('job:updated') && l.includes(guest.id))!;
    expect(guestLine).toContain(`,'@SUM(1+1),'+cmd|/c calc,`);
    // No cell anywhere starts a formula.
    for (const line of lines.slice(1)) expect(line).not.toMatch(/(^|,)"?[=+\-@\t\r]/);
  });

  it('a run that fails leaves no cut-off --out file behind and prints no position', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'not-audit.db');
    const db = new Database(dbPath);
    db.exec('CREATE TABLE other (x)');
    db.close();
    const out = join(dir, 'out.ndjson');
    const result = await runCli(['export', '--out', out], { AUDIT_DB: dbPath });
    expect(result.code).not.toBe(0);
    expect(result.stderr).not.toContain('next:');
    expect(existsSync(out)).toBe(false);
  });

  it('streams 100k rows in flat memory: peak RSS of the process stays well below the size of the data', async () => {
    const dbPath = tempDbPath();
    const rows = 100_000;
    // Built directly: the export reads what is stored, and a sync of 100k events would only make the test slow.
    const db = openWritable(dbPath);
    const name = 'N'.repeat(3000);
    db.prepare(`INSERT INTO users (id, email, name, raw, first_synced_at, synced_at) VALUES ('us_usr_big', 'big@example.com', ?, '{}', '2026-01-01', '2026-01-01')`).run(name);
    const insert = db.prepare(`INSERT INTO events (id, environment_id, created_at, topic, domain, actor_id, ingested_at, raw) VALUES (?, 'us_env_1', ?, 'job:created', 'job', 'us_usr_big', '2026-01-01', '{}')`);
    db.transaction(() => {
      for (let i = 0; i < rows; i += 1) insert.run(`us_evt_${i}`, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString());
    })();
    db.close();

    // The child reports its own peak RSS as it exits. The CLI's baseline (its modules) is over 100 MB,
    // so compare a run of 10k rows with one of 100k: streamed, ten times the data barely moves the peak.
    const dir = tempDir();
    const report = join(dir, 'maxrss');
    const preload = join(dir, 'maxrss.cjs');
    writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS * 1024)));\n`);
    const measure = async (args: string[]) => {
      const child = spawn(process.execPath, ['--require', preload, BIN, 'export', ...args], { env: { PATH: process.env.PATH ?? '', AUDIT_DB: dbPath }, stdio: ['ignore', 'pipe', 'pipe'] });
      let bytes = 0;
      let lines = 0;
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (const byte of chunk) if (byte === 10) lines += 1;
      });
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(0);
      expect(nextPosition(stderr)).toBe(String(rows));
      return { bytes, lines, peakRss: Number(readFileSync(report, 'utf8')) };
    };
    const small = await measure(['--after', String(rows - rows / 10)]);
    const full = await measure([]);
    expect(small.lines).toBe(rows / 10);
    expect(full.lines).toBe(rows);
    expect(full.bytes).toBeGreaterThan(300 * 1024 * 1024);
    expect(full.peakRss - small.peakRss).toBeLessThan((full.bytes - small.bytes) / 4);
  }, 120_000);
});
