/**
 * The command line as a newcomer meets it: every command answers --help with its usage and exits
 * 0 without starting anything, --version prints package.json's version, and a misspelt command or
 * option exits 2 saying what was probably meant. The real binary, as a child process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/redis.js';
import { tempDir } from '../helpers/temp.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('--help', () => {
  it.each(Object.keys(COMMANDS))('%s --help prints its usage and every option, exits 0 and starts nothing', async (command) => {
    const dir = tempDir();
    const dbPath = join(dir, 'audit.db');
    // Nothing listens on this Redis port and no credential is set: a command that started would fail or hang.
    const env = { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, AUDIT_DB: dbPath, AUDIT_HTTP_PORT: '0', LOG_LEVEL: 'debug' };
    for (const flag of ['--help', '-h']) {
      const result = await runCli([command, flag], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^usage:\\n  flatfile-audit ${command}`));
      for (const option of Object.keys(COMMANDS[command as keyof typeof COMMANDS].options)) expect(result.stdout).toContain(`--${option}`);
      expect(result.stdout).toContain('exit codes: 0 ok');
    }
    expect(existsSync(dbPath)).toBe(false);
    expect(existsSync(join(dir, 'demo.db'))).toBe(false);
  });

  it('wins over everything else on the line: worker --help with other options, and demo --db X --help, create nothing', async () => {
    const dir = tempDir();
    const demoDb = join(dir, 'demo.db');
    expect((await runCli(['demo', '--db', demoDb, '--help'], {})).code).toBe(0);
    expect(existsSync(demoDb)).toBe(false);
    const worker = await runCli(['worker', '--frobnicate', '--help'], { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(worker.code).toBe(0);
    expect(worker.stdout).toMatch(/^usage:\n  flatfile-audit worker/);
  });

  it('help COMMAND is COMMAND --help; the overview lists every command, status --check and --version', async () => {
    expect((await runCli(['help', 'sync'], {})).stdout).toBe((await runCli(['sync', '--help'], {})).stdout);
    const overview = await runCli(['--help'], {});
    expect(overview.code).toBe(0);
    for (const command of Object.keys(COMMANDS)) expect(overview.stdout).toContain(`  flatfile-audit ${command}`);
    expect(overview.stdout).toContain('flatfile-audit status --check [--max-age 30m]');
    expect(overview.stdout).toContain('flatfile-audit --version');
  });
});

describe('--version', () => {
  it("prints package.json's version and exits 0", async () => {
    const result = await runCli(['--version'], {});
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('a misspelt command or option', () => {
  it.each([
    [['stauts'], 'flatfile-audit: unknown command "stauts"; did you mean status? run flatfile-audit --help\n'],
    [['qeury', 'SELECT 1'], 'flatfile-audit: unknown command "qeury"; did you mean query? run flatfile-audit --help\n'],
    [['simulate'], 'flatfile-audit: unknown command "simulate"; did you mean simulator? run flatfile-audit --help\n'],
    [['frobnicate'], 'flatfile-audit: unknown command "frobnicate"; run flatfile-audit --help\n'],
    [['sync', '--no-wiat'], 'flatfile-audit: unknown option --no-wiat for sync; did you mean --no-wait?\n'],
    [['sync', '--onec'], 'flatfile-audit: unknown option --onec for sync; did you mean --once?\n'],
    [['status', '--chek'], 'flatfile-audit: unknown option --chek for status; did you mean --check?\n'],
    [['status', '--check', '--max-ag', '1h'], 'flatfile-audit: unknown option --max-ag for status; did you mean --max-age?\n'],
    [['query', 'SELECT 1', '--max-row=5'], 'flatfile-audit: unknown option --max-row for query; did you mean --max-rows?\n'],
    [['verify', '--zebra'], 'flatfile-audit: unknown option --zebra for verify; flatfile-audit verify --help lists its options\n'],
    [['worker', '--once'], 'flatfile-audit: unknown option --once for worker; worker takes no options\n'],
    [['keygen', '-o', 'x'], 'flatfile-audit: unknown option -o for keygen; flatfile-audit keygen --help lists its options\n'],
  ])('%j exits 2 with one line saying what was meant', async (args, message) => {
    const result = await runCli(args, { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, AUDIT_DB: join(tempDir(), 'a.db') });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(message);
    expect(result.stdout).toBe('');
  });
});
