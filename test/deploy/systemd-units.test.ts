/**
 * deploy/systemd: the units load in systemd (systemd-analyze verify), and the worker's unit keeps
 * the promises the README makes for it: its own user, its state directory, the token as a
 * credential, a stop timeout above the worker's shutdown bound, restarts on failure, a sandbox.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/duration.js';

const DIR = fileURLToPath(new URL('../../deploy/systemd/', import.meta.url));

/** A unit file as sections of key/value lists (a key may repeat, as Environment= does). */
function readUnit(name: string): Record<string, Array<[string, string]>> {
  const sections: Record<string, Array<[string, string]>> = {};
  let current: Array<[string, string]> | undefined;
  for (const raw of readFileSync(`${DIR}${name}`, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = [];
      continue;
    }
    const at = line.indexOf('=');
    if (!current || at < 1) throw new Error(`${name}: not a key=value line in a section: ${line}`);
    current.push([line.slice(0, at), line.slice(at + 1)]);
  }
  return sections;
}

const values = (entries: Array<[string, string]> | undefined, key: string) => (entries ?? []).filter(([k]) => k === key).map(([, v]) => v);
const one = (entries: Array<[string, string]> | undefined, key: string) => {
  const found = values(entries, key);
  expect(found, key).toHaveLength(1);
  return found[0]!;
};
const environment = (service: Array<[string, string]> | undefined) =>
  Object.fromEntries(values(service, 'Environment').map((assignment) => [assignment.slice(0, assignment.indexOf('=')), assignment.slice(assignment.indexOf('=') + 1)]));

describe('deploy/systemd', () => {
  const units = readdirSync(DIR).filter((name) => /\.(service|timer)$/.test(name)).sort();

  it('holds the worker, its check and the check\'s timer', () => {
    expect(units).toEqual(['flatfile-audit-check.service', 'flatfile-audit-check.timer', 'flatfile-audit.service']);
  });

  it('passes systemd-analyze verify', () => {
    const result = spawnSync('systemd-analyze', ['verify', ...units.map((name) => `${DIR}${name}`)], { encoding: 'utf8' });
    expect(result.error, 'systemd-analyze comes with the Debian package systemd (.ci/run installs it)').toBeUndefined();
    expect(result.status, result.stderr).toBe(0);
    // verify reports unknown keys and bad values as warnings with exit 0: none may be about our units.
    expect(result.stderr.split('\n').filter((line) => line.includes('flatfile-audit'))).toEqual([]);
  });

  it('runs the worker as its own user, with a state directory, the token as a credential, restarts and a bounded stop', () => {
    const { Service: service, Install: install } = readUnit('flatfile-audit.service');
    expect(one(service, 'User')).toBe('flatfile-audit');
    expect(one(service, 'Group')).toBe('flatfile-audit');
    expect(one(service, 'ExecStart')).toMatch(/\/bin\/flatfile-audit\.js worker$/);
    expect(one(service, 'StateDirectory')).toBe('flatfile-audit');
    expect(one(service, 'StateDirectoryMode')).toBe('0700');
    const env = environment(service);
    expect(env.AUDIT_DB).toBe('%S/flatfile-audit/audit.db');
    expect(one(service, 'LoadCredential')).toBe('flatfile_token:/etc/flatfile-audit/flatfile_token');
    expect(env.FLATFILE_TOKEN_FILE).toBe('%d/flatfile_token');
    expect(env).not.toHaveProperty('FLATFILE_TOKEN');
    expect(one(service, 'Restart')).toBe('on-failure');
    // systemd's SIGKILL must not cut the orderly shutdown short.
    const stopMs = parseDuration(one(service, 'TimeoutStopSec'))!;
    const shutdownMs = parseDuration(env.AUDIT_SHUTDOWN_TIMEOUT ?? '30s')!;
    expect(stopMs).toBeGreaterThan(shutdownMs);
    expect(one(install, 'WantedBy')).toBe('multi-user.target');
  });

  it.each(['flatfile-audit.service', 'flatfile-audit-check.service'])('sandboxes %s', (name) => {
    const { Service: service } = readUnit(name);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['RestrictSUIDSGID', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['UMask', '0077'],
    ]) {
      expect(one(service, key!), `${name} ${key}`).toBe(value);
    }
    // V8's JIT writes code and then runs it: this one would stop Node from starting.
    expect(values(service, 'MemoryDenyWriteExecute')).toEqual([]);
  });

  it('runs the check as the same user, with the same database and credential', () => {
    const worker = readUnit('flatfile-audit.service').Service;
    const check = readUnit('flatfile-audit-check.service').Service;
    expect(one(check, 'Type')).toBe('oneshot');
    expect(one(check, 'ExecStart')).toMatch(/\/bin\/flatfile-audit\.js status --check$/);
    for (const key of ['User', 'Group', 'StateDirectory', 'LoadCredential']) expect(one(check, key), key).toBe(one(worker, key));
    expect(environment(check).AUDIT_DB).toBe(environment(worker).AUDIT_DB);
    expect(environment(check).FLATFILE_TOKEN_FILE).toBe(environment(worker).FLATFILE_TOKEN_FILE);
    expect(one(readUnit('flatfile-audit-check.timer').Install, 'WantedBy')).toBe('timers.target');
  });
});
