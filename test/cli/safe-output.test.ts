/**
 * Stored text is written by outsiders (event payloads from the API, names, error messages): what
 * `query` and `status` print of it must not reach the terminal as control sequences, nor a
 * spreadsheet as formulas. The real binary, a database filled by a real sync.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startSimulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { TEST_PAT } from '../helpers/simulator.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Sets the terminal's title, rings the bell, clears the screen; then a formula and a bidi override. */
const HOSTILE = '\u001b]0;owned\u0007\u001b[2J=HYPERLINK("http://x.example")\u202Etxt.exe';

describe('hostile stored text', () => {
  let dbPath: string;
  beforeAll(async () => {
    const running = await startSimulator({ pats: [TEST_PAT], account: { environments: 2, eventsPerEnvironment: 10 } });
    const env = running.sim.environments()[0]!;
    running.sim.addEvents(env.id, 3, { topic: HOSTILE });
    const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-safe-'));
    dbPath = join(dir, 'audit.db');
    const sync = await runCli(['sync', '--once'], { FLATFILE_API_URL: running.url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath });
    expect(sync.code, sync.stderr).toBe(0);
    // What status shows comes from the store; put hostile text where a failing API would.
    const db = new Database(dbPath);
    db.prepare('UPDATE environments SET name = ? WHERE id = ?').run(HOSTILE, env.id);
    db.prepare('UPDATE sync_cursors SET last_error = ?, last_error_at = last_success_at WHERE environment_id = ?').run(HOSTILE, env.id);
    db.prepare('UPDATE sync_runs SET error = ?').run(HOSTILE);
    db.close();
    return async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    };
  });

  it('the sync stored the hostile topic as it came, so the outputs below really meet it', async () => {
    const result = await runCli(['query', 'SELECT COUNT(*) AS n FROM events WHERE topic = :t', '--json', '--param', `t=${HOSTILE}`], { AUDIT_DB: dbPath });
    expect(JSON.parse(result.stdout)).toEqual([{ n: 3 }]);
  });

  it.each([
    ['table', []],
    ['csv', ['--csv']],
    ['json', ['--json']],
  ])('query as %s prints no control or bidi character raw', async (_format, flags) => {
    const result = await runCli(['query', 'SELECT topic, raw FROM events WHERE topic LIKE :p', ...flags, '--param', 'p=%owned%'], { AUDIT_DB: dbPath });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/owned/);
    expect(result.stdout).not.toMatch(RAW_UNSAFE);
  });

  it('query --csv neutralises formulas in text but keeps negative numbers as numbers', async () => {
    const result = await runCli(['query', "SELECT topic, -5 AS amount, '-5' AS label FROM events WHERE topic LIKE '%owned%' LIMIT 1", '--csv'], { AUDIT_DB: dbPath });
    expect(result.stdout).toBe(`topic,amount,label\n"\\x1b]0;owned\\x07\\x1b[2J=HYPERLINK(""http://x.example"")\\u202etxt.exe",-5,'-5\n`);
    const formula = await runCli(['query', "SELECT '=cmd|'' /C calc''!A0' AS a, '@SUM(1)' AS b, '+1' AS c", '--csv'], { AUDIT_DB: dbPath });
    expect(formula.stdout).toBe("a,b,c\n'=cmd|' /C calc'!A0,'@SUM(1),'+1\n");
  });

  it('query --json keeps the exact text: it parses back to what is stored', async () => {
    const result = await runCli(['query', "SELECT DISTINCT topic FROM events WHERE topic LIKE '%owned%'", '--json'], { AUDIT_DB: dbPath });
    expect(JSON.parse(result.stdout)).toEqual([{ topic: HOSTILE }]);
  });

  it('status, as text and as JSON, prints no control or bidi character raw', async () => {
    const text = await runCli(['status', '--no-queue'], { AUDIT_DB: dbPath });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('\\x1b]0;owned\\x07');
    expect(text.stdout).toMatch(/last run 1 .*error: \\x1b\]0;owned/);
    expect(text.stdout).not.toMatch(RAW_UNSAFE);
    const json = await runCli(['status', '--json', '--no-queue'], { AUDIT_DB: dbPath });
    expect(json.stdout).not.toMatch(RAW_UNSAFE);
    expect(JSON.parse(json.stdout).lastRun.error).toBe(HOSTILE);
  });

  it('an error line stays one line with nothing raw, whatever it quotes', async () => {
    const result = await runCli(['query', 'SELECT 1 FROM "\u001b]0;owned\u0007\u001b[2J\nsecond line"'], { AUDIT_DB: dbPath });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('flatfile-audit: query failed: no such table: \\x1b]0;owned\\x07\\x1b[2J\\nsecond line\n');
  });
});
