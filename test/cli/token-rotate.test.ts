/**
 * `token rotate` with the real CLI against the simulator over HTTP: the file always holds a working
 * token, even when the process is SIGKILLed at each step (requests held with sim.beforeAnswer); the
 * old token is deleted when known; what cannot be replaced is refused; no token value leaks.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiRequestInfo, Simulator } from '../../src/simulator/index.js';
import { runCli, startCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDir } from '../helpers/temp.js';

async function accepted(url: string, token: string): Promise<boolean> {
  const response = await fetch(`${url}/environments?pageSize=1`, { headers: { authorization: `Bearer ${token}` } });
  return response.status === 200;
}

function setup(url: string) {
  const dir = tempDir();
  const tokenFile = join(dir, 'flatfile-token');
  writeFileSync(tokenFile, `${TEST_PAT}\n`, { mode: 0o600 });
  const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN_FILE: tokenFile, AUDIT_REQUEST_TIMEOUT: '5s', AUDIT_MAX_RETRIES: '1', LOG_LEVEL: 'trace' };
  const inFile = () => readFileSync(tokenFile, 'utf8').trim();
  return { dir, tokenFile, env, inFile };
}

/** The id of the live PAT whose value is `token`. */
function idOf(sim: Simulator, token: string): string | undefined {
  return sim.personalAccessTokens().find((p) => sim.personalAccessTokenValue(p.id) === token)?.id;
}

/** Holds matching requests until released, then answers them with `then` (or lets them through). */
function hold(sim: Simulator, matches: (r: ApiRequestInfo) => boolean, then?: { status: number; message: string }) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  let done = false;
  sim.beforeAnswer = async (r) => {
    if (done || !matches(r)) return undefined;
    arrive();
    await gate;
    return then;
  };
  return { arrived, release: () => ((done = true), release()) };
}

describe('token rotate', () => {
  it('puts a new working token in the file (0600), deletes the one it wrote last time, and logs no token', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 3 } });
    const { tokenFile, env, inFile } = setup(url);

    const first = await runCli(['token', 'rotate', '--name', 'first'], env);
    expect(first.stderr.split('\n').filter((l) => l.includes('"level":"error"'))).toEqual([]);
    expect(first.code).toBe(0);
    const firstToken = inFile();
    expect(firstToken).not.toBe(TEST_PAT);
    expect(await accepted(url, firstToken)).toBe(true);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    // It did not write the token it replaced, so it leaves it and says so.
    expect(await accepted(url, TEST_PAT)).toBe(true);
    expect(first.stdout).toContain('is not known to token rotate');
    expect(first.stdout).toContain(idOf(sim, TEST_PAT)!);

    const second = await runCli(['token', 'rotate'], env);
    expect(second.code).toBe(0);
    expect(await accepted(url, inFile())).toBe(true);
    expect(await accepted(url, firstToken)).toBe(false);
    expect(second.stdout).toContain('deleted the replaced token');

    const state = readFileSync(`${tokenFile}.rotation.json`, 'utf8');
    expect(statSync(`${tokenFile}.rotation.json`).mode & 0o777).toBe(0o600);
    for (const secret of sim.secrets()) {
      expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(secret);
      expect(state).not.toContain(secret);
    }
  });

  it('lists the tokens it leaves one per line', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 3 } });
    const spare = sim.createPersonalAccessToken('spare').personalAccessToken.id;
    const { env } = setup(url);
    const result = await runCli(['token', 'rotate', '--name', 'next'], env);
    expect(result.code).toBe(0);
    const listed = result.stdout.split('\n').filter((l) => l.startsWith('  us_')).map((l) => l.trim().split(/\s+/)[0]);
    expect(listed.sort()).toEqual([idOf(sim, TEST_PAT)!, spare].sort());
    expect(result.stdout).not.toContain('\\n');
  });

  it('--revoke-id deletes the token named once the new one works', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 3 } });
    const { env, inFile } = setup(url);
    const result = await runCli(['token', 'rotate', '--revoke-id', idOf(sim, TEST_PAT)!], env);
    expect(result.code).toBe(0);
    expect(await accepted(url, TEST_PAT)).toBe(false);
    expect(await accepted(url, inFile())).toBe(true);
  });

  it('puts the old token back when Flatfile refuses the new one, deletes the new one, and exits 3', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 3 } });
    const { env, inFile } = setup(url);
    sim.beforeAnswer = (r) => (r.method === 'GET' && r.path === '/environments' ? { status: 401, message: 'invalid token' } : undefined);
    const result = await runCli(['token', 'rotate'], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('the new token was refused when checked, so FLATFILE_TOKEN_FILE holds the previous one again');
    expect(inFile()).toBe(TEST_PAT);
    sim.beforeAnswer = undefined;
    expect(await accepted(url, TEST_PAT)).toBe(true);
    expect(sim.personalAccessTokens().map((p) => p.id)).toEqual([idOf(sim, TEST_PAT)]);
  });

  it('refuses a token it cannot replace: from an environment variable, or a systemd credential', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 3 } });
    const { dir, env } = setup(url);
    const fromEnv = await runCli(['token', 'rotate'], { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr.trim()).toBe(
      'flatfile-audit: token rotate replaces the token in FLATFILE_TOKEN_FILE, but this one comes from FLATFILE_TOKEN, an environment variable it cannot change; keep the token in a file (mode 0600) named by FLATFILE_TOKEN_FILE',
    );
    const systemd = await runCli(['token', 'rotate'], { ...env, CREDENTIALS_DIRECTORY: dir });
    expect(systemd.code).toBe(2);
    expect(systemd.stderr).toContain('is a systemd credential (LoadCredential=), read-only to this service');
    expect(sim.personalAccessTokens()).toHaveLength(1); // nothing created
  });

  it.each([
    ['creating the new token', (r: ApiRequestInfo) => r.method === 'POST' && r.path === '/auth/personal-access-tokens'],
    ['checking the new token', (r: ApiRequestInfo) => r.method === 'GET' && r.path === '/environments'],
    ['deleting the old token', (r: ApiRequestInfo) => r.method === 'DELETE'],
  ])('SIGKILL while %s: the file holds a working token, and the next run finishes the job', async (_step, matches) => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 3 } });
    const { env, inFile } = setup(url);
    expect((await runCli(['token', 'rotate', '--revoke-id', idOf(sim, TEST_PAT)!], env)).code).toBe(0);

    // A creation held and then refused: the server never acted on it (one it did act on, whose
    // answer never came, is an unknown token: never used, the hygiene flags find it).
    const held = hold(sim, matches, matches({ method: 'POST', path: '/auth/personal-access-tokens', query: new URLSearchParams() }) ? { status: 503, message: 'gone' } : undefined);
    const { child, done } = startCli(['token', 'rotate'], env);
    await held.arrived;
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    held.release();
    expect(await accepted(url, inFile())).toBe(true);
    expect(statSync(env.FLATFILE_TOKEN_FILE).mode & 0o777).toBe(0o600);

    const after = await runCli(['token', 'rotate'], env);
    expect(after.stderr.split('\n').filter((l) => l.includes('"level":"error"'))).toEqual([]);
    expect(after.code).toBe(0);
    expect(await accepted(url, inFile())).toBe(true);
    // Every token the runs created is gone but the one in the file.
    expect(sim.personalAccessTokens().map((p) => p.id)).toEqual([idOf(sim, inFile())]);
  });
});
