/**
 * The built CLI with the variables a Flatfile user already has: FLATFILE_API_URL in each of its
 * forms, FLATFILE_REGION, and the token under each of its names, against the simulator over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { TEST_PAT } from '../helpers/simulator.js';
import { LogSink } from '../helpers/sync.js';
import { startSimulatorProcess } from '../helpers/simulator-cli.js';
import { tempDbPath } from '../helpers/temp.js';

let running: RunningSimulator;
let origin: string;
let hostPort: string;

beforeAll(async () => {
  running = await startSimulator({ pats: [TEST_PAT], account: { environments: 1, eventsPerEnvironment: 5, spacesPerEnvironment: 1, guestsPerEnvironment: 1, users: 2 } });
  origin = new URL(running.url).origin;
  hostPort = new URL(running.url).host;
});
afterAll(() => running.close());

/** The first log line of the run, parsed (logs are JSON lines on stderr). */
function firstLogLine(result: CliResult): { msg: string; api: { apiUrl: string; region: string | null; apiUrlFrom: string; credential: string } } {
  return JSON.parse(result.stderr.split('\n')[0]!) as ReturnType<typeof firstLogLine>;
}

describe('FLATFILE_API_URL in every form', () => {
  it.each([
    ["Flatfile's form", () => `${origin}/api`],
    ["Flatfile's form with a trailing slash", () => `${origin}/api/`],
    ['with the version', () => `${origin}/api/v1`],
    ['with the version and a trailing slash', () => `${origin}/api/v1/`],
    ['without a scheme (loopback: http)', () => `${hostPort}/api`],
    ['without a scheme, with the version', () => `${hostPort}/api/v1/`],
  ])('%s', async (_name, url) => {
    const before = running.sim.stats();
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url(), FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'info' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/run 1 ok: 5 new events/);
    expect(firstLogLine(result)).toMatchObject({ msg: 'sync run starting', api: { apiUrl: `${origin}/api/v1`, region: null, apiUrlFrom: 'FLATFILE_API_URL' } });
    const after = running.sim.stats();
    expect(after.byRoute['GET /environments']).toBe((before.byRoute['GET /environments'] ?? 0) + 1);
    expect(after.byStatus['404'] ?? 0).toBe(before.byStatus['404'] ?? 0);
  });
});

describe('the token under each of its names', () => {
  it.each(['FLATFILE_TOKEN', 'FLATFILE_BEARER_TOKEN', 'FLATFILE_API_KEY'])('%s', async (name) => {
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: `${origin}/api`, [name]: TEST_PAT, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'debug' });
    expect(result.code, result.stderr).toBe(0);
    expect(firstLogLine(result).api.credential).toBe(name);
    expect(result.stdout + result.stderr).not.toContain(TEST_PAT);
  });

  it('a 401 on the first call says which API was asked, names the variable, and never the value', async () => {
    const wrong = 'sk_wrong_region_token_0000';
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: `${hostPort}/api`, FLATFILE_API_KEY: wrong, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'silent' });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `flatfile-audit: Flatfile rejected the token (HTTP 401: invalid token); the API in use is ${origin}/api (from FLATFILE_API_URL, not a Flatfile regional host): check that this token belongs to it; otherwise create a new Personal Access Token and set FLATFILE_API_KEY\n`,
    );
    expect(result.stdout + result.stderr).not.toContain(wrong);
  });
});

describe('bad combinations: one line, exit 2, no request', () => {
  it.each([
    ['two token aliases', () => ({ FLATFILE_BEARER_TOKEN: TEST_PAT, FLATFILE_API_KEY: TEST_PAT }), 'set only one of FLATFILE_BEARER_TOKEN, FLATFILE_API_KEY (they are aliases, and a token must come from one place)'],
    ['FLATFILE_TOKEN and an alias', () => ({ FLATFILE_TOKEN: TEST_PAT, FLATFILE_BEARER_TOKEN: 'sk_other' }), 'set only one of FLATFILE_TOKEN, FLATFILE_BEARER_TOKEN (they are aliases, and a token must come from one place)'],
    ['an alias and a token file', () => ({ FLATFILE_API_KEY: TEST_PAT, FLATFILE_TOKEN_FILE: '/nonexistent/token' }), 'set only one of FLATFILE_API_KEY, FLATFILE_TOKEN_FILE (they name different credentials)'],
    ['a region and a URL of another API', () => ({ FLATFILE_TOKEN: TEST_PAT, FLATFILE_REGION: 'eu' }), () => `FLATFILE_REGION=eu (https://platform.eu.flatfile.com/api) and FLATFILE_API_URL=${origin}/api name different APIs; set only one of them`],
    ['an unknown region', () => ({ FLATFILE_TOKEN: TEST_PAT, FLATFILE_REGION: 'mars' }), 'FLATFILE_REGION must be one of us, uk, eu, au, ca, got "mars"'],
  ])('%s', async (_name, extra, message) => {
    const before = running.sim.stats().requests;
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: `${origin}/api`, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'info', ...extra() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`flatfile-audit: ${typeof message === 'function' ? message() : message}\n`);
    expect(result.stdout).toBe('');
    expect(running.sim.stats().requests).toBe(before);
  });

  it.each([
    ['https://platform.flatfile.com', 'FLATFILE_API_URL https://platform.flatfile.com/ is not where Flatfile serves the API; use https://platform.flatfile.com/api'],
    ['ftp://platform.flatfile.com/api', 'FLATFILE_API_URL must be an http(s) URL like https://platform.eu.flatfile.com/api, got "ftp://platform.flatfile.com/api"'],
    ['https://ann:hunter2@proxy.example.com/api', 'FLATFILE_API_URL must not hold a user name or password (the token goes in FLATFILE_TOKEN), got "https://ann:***@proxy.example.com/api"'],
  ])('FLATFILE_API_URL=%s', async (url, message) => {
    const result = await runCli(['sync', '--once'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: tempDbPath() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`flatfile-audit: ${message}\n`);
  });
});

describe('sync --once on a terminal', () => {
  it('says which API and which credential it uses before the progress lines', async () => {
    const stdout = new LogSink();
    const stderr = Object.assign(new LogSink(), { isTTY: true });
    const env = { FLATFILE_API_URL: `${hostPort}/api/`, FLATFILE_API_KEY: TEST_PAT, AUDIT_DB: tempDbPath() };
    const code = await main(['sync', '--once'], { env, stdout, stderr, signal: new AbortController().signal });
    expect(code, stderr.text).toBe(0);
    expect(stderr.lines[0]).toBe(`Flatfile API ${origin}/api/v1 (not a Flatfile regional host, from FLATFILE_API_URL); credential: FLATFILE_API_KEY`);
    expect(stderr.lines[1]).toBe('found 1 environment(s)');
    expect(stderr.text + stdout.text).not.toContain(TEST_PAT);
  });
});

describe('status shows the API URL in use and where the credential comes from', () => {
  let dbPath: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-dialect-'));
    dbPath = join(dir, 'audit.db');
    expect((await runCli(['sync', '--once'], { FLATFILE_API_URL: running.url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, LOG_LEVEL: 'silent' })).code).toBe(0);
    return () => rmSync(dir, { recursive: true, force: true });
  });
  it.each([
    ['a schemeless URL and FLATFILE_API_KEY', () => ({ FLATFILE_API_URL: `${hostPort}/api`, FLATFILE_API_KEY: TEST_PAT }), () => `Flatfile API ${origin}/api/v1 (not a Flatfile regional host, from FLATFILE_API_URL); credential: FLATFILE_API_KEY`],
    ['FLATFILE_REGION and FLATFILE_BEARER_TOKEN', () => ({ FLATFILE_REGION: 'EU', FLATFILE_BEARER_TOKEN: TEST_PAT }), () => 'Flatfile API https://platform.eu.flatfile.com/api/v1 (region eu, from FLATFILE_REGION); credential: FLATFILE_BEARER_TOKEN'],
    ['a regional host in FLATFILE_API_URL, no credential', () => ({ FLATFILE_API_URL: 'platform.au.flatfile.com/api/v1/' }), () => 'Flatfile API https://platform.au.flatfile.com/api/v1 (region au, from FLATFILE_API_URL); credential: none set'],
    ['nothing set', () => ({}), () => 'Flatfile API https://platform.flatfile.com/api/v1 (region us, the default); credential: none set'],
  ])('%s', async (_name, env, line) => {
    const text = await runCli(['status', '--no-queue'], { AUDIT_DB: dbPath, ...env() });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')).toContain(line());
    expect(text.stdout).not.toContain(TEST_PAT);
    const json = await runCli(['status', '--no-queue', '--json'], { AUDIT_DB: dbPath, ...env() });
    const api = (JSON.parse(json.stdout) as { api: { apiUrl: string } }).api;
    expect(line()).toContain(`Flatfile API ${api.apiUrl} `);
  });
});

describe('the simulator prints the variables in Flatfile\'s form', () => {
  it('and flatfile-audit runs with exactly what it printed', async () => {
    const simulator = await startSimulatorProcess(['--environments', '2', '--events', '30']);
    try {
      expect(simulator.printed.FLATFILE_API_URL).toBe(`${simulator.origin}/api`);
      const result = await runCli(['sync', '--once'], { ...simulator.printed, AUDIT_DB: tempDbPath(), LOG_LEVEL: 'info' });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/run 1 ok: 60 new events/);
      expect(firstLogLine(result).api).toEqual({ apiUrl: `${simulator.origin}/api/v1`, region: null, apiUrlFrom: 'FLATFILE_API_URL', credential: 'FLATFILE_BEARER_TOKEN' });
    } finally {
      await simulator.stop();
    }
  });
});

describe('demo in a Flatfile developer\'s shell', () => {
  it("sets the shell's Flatfile variables aside and syncs the simulator", async () => {
    const result = await runCli(['demo', '--db', tempDbPath()], { FLATFILE_API_KEY: 'sk_real_account', FLATFILE_REGION: 'eu', FLATFILE_API_URL: 'platform.eu.flatfile.com/api' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/The audit trail is in /);
  });
});
