/**
 * The token as systemd hands it to the service (LoadCredential=, see deploy/systemd): a file in
 * $CREDENTIALS_DIRECTORY written by root, mode 0400, that the service's user reads through an ACL
 * entry (which shows in the mode as group read, 0440). Made here the way systemd makes it (its
 * write_credential: fchmod 0400, then an ACL entry for the user), with the CLI run as another user.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, type CliResult } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDir } from '../helpers/temp.js';

const SERVICE_UID = 65534;
const SERVICE_GID = 65534;

function setfacl(entry: string, path: string): void {
  const result = spawnSync('setfacl', ['-m', entry, path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`setfacl -m ${entry} ${path} failed: ${result.error?.message ?? result.stderr}`);
}

/** The CLI as the service's user (the test runs as root, as CI does). */
function runAsService(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, uid: SERVICE_UID, gid: SERVICE_GID, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** A credentials directory and a token in it, as systemd leaves them for a service running as SERVICE_UID. */
function systemdCredential(base: string, token: string): { directory: string; file: string } {
  const directory = join(base, 'credentials');
  mkdirSync(directory);
  const file = join(directory, 'flatfile_token');
  writeFileSync(file, token);
  chmodSync(file, 0o400);
  setfacl(`u:${SERVICE_UID}:r`, file);
  chmodSync(directory, 0o500);
  setfacl(`u:${SERVICE_UID}:rx`, directory);
  return { directory, file };
}

describe('a token from systemd LoadCredential=', () => {
  it('is read by the service user from $CREDENTIALS_DIRECTORY, root-owned and 0440 by its ACL; the same file is refused elsewhere', async () => {
    expect(process.getuid!()).toBe(0);
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 10 } });
    const base = tempDir();
    chmodSync(base, 0o711);
    const data = join(base, 'data');
    mkdirSync(data, { mode: 0o700 });
    chownSync(data, SERVICE_UID, SERVICE_GID);
    const { directory, file } = systemdCredential(base, `${TEST_PAT}\n`);
    const stats = statSync(file);
    expect({ owner: stats.uid, mode: (stats.mode & 0o777).toString(8) }).toEqual({ owner: 0, mode: '440' });

    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN_FILE: file, AUDIT_DB: join(data, 'audit.db'), LOG_LEVEL: 'silent' };
    const accepted = await runAsService(['sync', '--once'], { ...env, CREDENTIALS_DIRECTORY: directory });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/run 1 ok: 10 new events/);

    // Outside a credentials directory systemd made for this process, the ordinary rules hold.
    const before = sim.stats().requests;
    const refused = await runAsService(['sync', '--once'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`flatfile-audit: FLATFILE_TOKEN_FILE ${file} belongs to uid 0, not to the user running flatfile-audit (uid ${SERVICE_UID}); chown it to that user\n`);
    const elsewhere = await runAsService(['sync', '--once'], { ...env, CREDENTIALS_DIRECTORY: data });
    expect(elsewhere.code).toBe(2);
    expect(sim.stats().requests).toBe(before);
  });

  it('is still refused in $CREDENTIALS_DIRECTORY when others can read it or another user owns it', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const base = tempDir();
    chmodSync(base, 0o711);
    const data = join(base, 'data');
    mkdirSync(data, { mode: 0o700 });
    chownSync(data, SERVICE_UID, SERVICE_GID);
    const { directory, file } = systemdCredential(base, `${TEST_PAT}\n`);
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN_FILE: file, AUDIT_DB: join(data, 'audit.db'), LOG_LEVEL: 'silent', CREDENTIALS_DIRECTORY: directory };

    chmodSync(file, 0o444);
    const readable = await runAsService(['sync', '--once'], env);
    expect(readable.code).toBe(2);
    expect(readable.stderr).toBe(`flatfile-audit: FLATFILE_TOKEN_FILE ${file} is readable by group or others (mode 444); run chmod 600 on it\n`);

    chmodSync(file, 0o400);
    setfacl(`u:${SERVICE_UID}:r`, file);
    chownSync(file, 65533, 65533);
    const foreign = await runAsService(['sync', '--once'], env);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/belongs to uid 65533, not to the user running flatfile-audit \(uid 65534\)/);
  });
});
