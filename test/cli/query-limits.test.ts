/**
 * `query` cannot run away: it stops at --max-rows (saying more rows exist) and at --timeout, and
 * a stopped query holds no read snapshot, so the WAL can be checkpointed. The real binary, a
 * database made by a real sync, another connection writing and checkpointing beside it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { BIN, runCli, startCli } from '../helpers/cli.js';
import { TEST_PAT } from '../helpers/simulator.js';
import { readDb } from '../helpers/sync.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

/** Never ends and never yields a row: SQLite counts inside one sqlite3_step, reading `events` all along. */
const ENDLESS_COUNT = 'SELECT count(*) FROM events, (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)';
/** One row at once, then the endless count: the read snapshot is held from the first row on. */
const ONE_ROW_THEN_ENDLESS = `SELECT 1 AS x UNION ALL ${ENDLESS_COUNT}`;
/** Rows for ever. */
const ENDLESS_ROWS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c';
const numbers = (n: number) => `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) SELECT x FROM c`;

describe('query limits', () => {
  let dbPath: string;
  beforeAll(async () => {
    const running = await startSimulator({ pats: [TEST_PAT], account: { environments: 2, eventsPerEnvironment: 30 } });
    const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-query-'));
    dbPath = join(dir, 'audit.db');
    const sync = await runCli(['sync', '--once'], { FLATFILE_API_URL: running.url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath });
    expect(sync.code, sync.stderr).toBe(0);
    await running.close();
    return () => rmSync(dir, { recursive: true, force: true });
  });

  /** A second connection, as the sync's writer would be: it writes a frame to the WAL and checkpoints it all away. */
  function writer() {
    const db = new Database(dbPath);
    db.pragma('busy_timeout = 0');
    db.exec('CREATE TABLE IF NOT EXISTS test_scratch (x)');
    onTestFinished(() => void db.close());
    return () => {
      db.prepare('INSERT INTO test_scratch VALUES (1)').run();
      return (db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>)[0]!;
    };
  }

  /** The pid of the process the CLI runs the statement in. */
  function queryProcessOf(pid: number): Promise<number> {
    return waitFor('the query process', () => Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]));
  }

  /**
   * Reaped, or a zombie with no thread left: its files, and so its locks, are closed only when its
   * last thread has exited, which can be after the main thread already shows as a zombie.
   */
  function gone(pid: number): boolean {
    if (!existsSync(`/proc/${pid}`)) return true;
    const threads = readdirSync(`/proc/${pid}/task`);
    return threads.length === 1 && /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  }

  it('a statement that never ends stops at --timeout with one line, exit 1', async () => {
    const result = await runCli(['query', ENDLESS_COUNT, '--timeout', '2s'], { AUDIT_DB: dbPath });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('flatfile-audit: query stopped: it ran past --timeout 2s (0 rows printed); narrow it with WHERE or LIMIT, or allow more with --timeout\n');
    expect(result.stdout).toBe('');
  });

  it('a timed-out query has let go of its snapshot: the WAL checkpoints fully again', async () => {
    const checkpoint = writer();
    const query = startCli(['query', ONE_ROW_THEN_ENDLESS, '--csv', '--timeout', '5s'], { AUDIT_DB: dbPath });
    let stdout = '';
    query.child.stdout!.on('data', (chunk) => (stdout += chunk));
    await waitFor('the first row', () => stdout === 'x\n1\n');
    // While it runs, its snapshot keeps the WAL from being reset: this is what must not last.
    expect(checkpoint().busy).toBe(1);
    const result = await query.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^flatfile-audit: query stopped: it ran past --timeout 5s \(1 row printed\)/);
    expect(stdout).toBe('x\n1\n');
    expect(checkpoint()).toEqual({ busy: 0, log: 0, checkpointed: 0 });
  });

  it('a reader that stops reading cannot hold the snapshot past --timeout', async () => {
    const checkpoint = writer();
    // The CLI's stdout is a real pipe that nobody reads, as under a pager left open.
    const fifo = join(tempDir(), 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeEnd = openSync(fifo, 'w');
    const sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x, printf('%01000d', x) AS pad FROM events, c";
    const cli = spawn(process.execPath, [BIN, 'query', sql, '--csv', '--all', '--timeout', '3s'], { env: { PATH: process.env.PATH ?? '', AUDIT_DB: dbPath }, stdio: ['ignore', writeEnd, 'pipe'] });
    closeSync(writeEnd);
    let stderr = '';
    cli.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => cli.on('close', (code) => resolve(code)));
    onTestFinished(() => void (cli.exitCode === null && cli.kill('SIGKILL')));

    const statement = await queryProcessOf(cli.pid!);
    await waitFor('the query process to be stopped at its deadline', () => gone(statement), 30_000);
    expect(checkpoint()).toEqual({ busy: 0, log: 0, checkpointed: 0 });

    const reader = new Socket({ fd: readEnd, readable: true, writable: false });
    reader.resume();
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/^flatfile-audit: query stopped: it ran past --timeout 3s \(\d+ rows printed\)/);
    // Memory stays bounded: while nobody read, the statement was held back instead of its rows piling up.
    expect(Number(/\((\d+) rows printed\)/.exec(stderr)![1])).toBeLessThan(1000);
  });

  it('the statement does not outlive a CLI killed with SIGKILL', async () => {
    const checkpoint = writer();
    const query = startCli(['query', ONE_ROW_THEN_ENDLESS, '--csv', '--timeout', '1h'], { AUDIT_DB: dbPath });
    let stdout = '';
    query.child.stdout!.on('data', (chunk) => (stdout += chunk));
    await waitFor('the first row', () => stdout === 'x\n1\n');
    const statement = await queryProcessOf(query.child.pid!);
    query.child.kill('SIGKILL');
    await query.done;
    await waitFor('the orphaned query process to stop', () => gone(statement), 30_000);
    expect(checkpoint()).toEqual({ busy: 0, log: 0, checkpointed: 0 });
  });

  it('stops at 10000 rows by default, saying on stderr that more exist and how to get them', async () => {
    const result = await runCli(['query', ENDLESS_ROWS, '--csv'], { AUDIT_DB: dbPath });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines.at(-1)).toBe('10000');
    expect(result.stderr).toBe('flatfile-audit: showing the first 10000 rows; the query returns more: add --all for every row, or --max-rows with a larger number\n');
  });

  it('--max-rows N stops at N; the table says more were not shown', async () => {
    const result = await runCli(['query', ENDLESS_ROWS, '--max-rows', '3'], { AUDIT_DB: dbPath });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('x\n-\n1\n2\n3\n(3 rows, more not shown)\n');
    expect(result.stderr).toMatch(/^flatfile-audit: showing the first 3 rows; the query returns more/);
  });

  it('--all lifts the limit; a result of exactly the limit has no notice', async () => {
    const all = await runCli(['query', numbers(12_345), '--all', '--json'], { AUDIT_DB: dbPath });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toBe('');
    const rows = JSON.parse(all.stdout) as Array<{ x: number }>;
    expect(rows).toHaveLength(12_345);
    expect(rows.at(-1)).toEqual({ x: 12_345 });
    const exact = await runCli(['query', numbers(10_000)], { AUDIT_DB: dbPath });
    expect(exact.stderr).toBe('');
    expect(exact.stdout).toMatch(/\n10000\n\(10000 rows\)\n$/);
  });

  it('streams JSON byte for byte as JSON.stringify prints the whole result', async () => {
    const sql = 'SELECT id, topic, raw, created_at FROM events ORDER BY id';
    const result = await runCli(['query', sql, '--json', '--all'], { AUDIT_DB: dbPath });
    expect(result.stdout).toBe(`${JSON.stringify(readDb(dbPath, (db) => db.prepare(sql).all()), null, 2)}\n`);
    expect((await runCli(['query', 'SELECT 1 WHERE 0', '--json'], { AUDIT_DB: dbPath })).stdout).toBe('[]\n');
  });

  it.each([
    [['--max-rows', '0'], '--max-rows must be a whole number of at least 1, got "0"'],
    [['--max-rows', 'lots'], '--max-rows must be a whole number of at least 1, got "lots"'],
    [['--max-rows', '5', '--all'], 'give either --all or --max-rows, not both'],
    [['--timeout', 'soon'], '--timeout must be a duration like 60s or 10m, got "soon"'],
    [['--timeout', '0'], '--timeout must be a duration like 60s or 10m, got "0"'],
  ])('refuses %j with one line, exit 2', async (flags, message) => {
    const result = await runCli(['query', 'SELECT 1', ...flags], { AUDIT_DB: dbPath });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`flatfile-audit: ${message}\n`);
  });
});
