/**
 * A plain-http FLATFILE_API_URL would send the token in clear text: it is refused at start, before
 * any connection, unless the host is this machine or AUDIT_ALLOW_INSECURE_HTTP=1 says so.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { assertSecureApiUrl } from '../../src/secure-api-url.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

describe('assertSecureApiUrl', () => {
  it.each([
    'https://platform.flatfile.com/api/v1',
    'http://127.0.0.1:8787/api/v1',
    'http://127.42.0.9/api/v1',
    'http://localhost:8787/api/v1',
    'http://LOCALHOST/api/v1',
    'http://[::1]:8787/api/v1',
    'http://[::ffff:127.0.0.1]/api/v1',
  ])('accepts %s', (url) => {
    expect(() => assertSecureApiUrl(new URL(url), {})).not.toThrow();
  });

  it.each([
    ['http://platform.flatfile.com/api/v1', 'https://platform.flatfile.com/api/v1'],
    ['http://10.0.0.7:8080/api/v1', 'https://10.0.0.7:8080/api/v1'],
    ['http://0.0.0.0:8787/api/v1', 'https://0.0.0.0:8787/api/v1'],
    ['http://127.0.0.1.nip.io/api/v1', 'https://127.0.0.1.nip.io/api/v1'],
    ['http://localhost.example.com/api/v1', 'https://localhost.example.com/api/v1'],
    ['http://[::2]/api/v1', 'https://[::2]/api/v1'],
  ])('refuses %s and names the https form', (url, secure) => {
    expect(() => assertSecureApiUrl(new URL(url), {})).toThrow(ConfigError);
    expect(() => assertSecureApiUrl(new URL(url), {})).toThrow(`; use ${secure} (or set AUDIT_ALLOW_INSECURE_HTTP=1`);
  });

  it('accepts any http URL with AUDIT_ALLOW_INSECURE_HTTP=1, and refuses a value it cannot read', () => {
    expect(() => assertSecureApiUrl(new URL('http://flatfile.internal/api/v1'), { AUDIT_ALLOW_INSECURE_HTTP: '1' })).not.toThrow();
    expect(() => assertSecureApiUrl(new URL('http://flatfile.internal/api/v1'), { AUDIT_ALLOW_INSECURE_HTTP: '0' })).toThrow(/plain http/);
    expect(() => assertSecureApiUrl(new URL('http://flatfile.internal/api/v1'), { AUDIT_ALLOW_INSECURE_HTTP: 'maybe' })).toThrow('AUDIT_ALLOW_INSECURE_HTTP must be 1 or 0, got "maybe"');
  });

  it('is applied by loadConfig to the URL in use (Flatfile form: /v1 is added later), and a URL with credentials never shows them', () => {
    expect(() => loadConfig({ FLATFILE_API_URL: 'http://flatfile.internal/api/v1' })).toThrow(
      'FLATFILE_API_URL uses plain http to flatfile.internal, which would send the token unencrypted; use https://flatfile.internal/api (or set AUDIT_ALLOW_INSECURE_HTTP=1 if TLS ends in front of it)',
    );
    expect(() => loadConfig({ FLATFILE_API_URL: 'http://user:pw-secret@flatfile.internal/api/v1' })).toThrow(/^(?!.*pw-secret).*FLATFILE_API_URL must not hold a user name or password/);
  });
});

/** A TCP server that counts connections and answers none of them. */
async function connectionCounter(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

describe('the CLI with a plain-http FLATFILE_API_URL', () => {
  it('exits 2 with the message before connecting; allowed, the same URL is connected to', async () => {
    const counter = await connectionCounter();
    // 0.0.0.0 reaches this machine's listeners on Linux, but is not a loopback address.
    const env = { FLATFILE_API_URL: `http://0.0.0.0:${counter.port}/api/v1`, FLATFILE_TOKEN: 'sk_test_0123456789abcdef', AUDIT_DB: join(tempDir(), 'a.db'), AUDIT_MAX_RETRIES: '0', LOG_LEVEL: 'silent' };
    const refused = await runCli(['sync', '--once'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `flatfile-audit: FLATFILE_API_URL uses plain http to 0.0.0.0:${counter.port}, which would send the token unencrypted; use https://0.0.0.0:${counter.port}/api (or set AUDIT_ALLOW_INSECURE_HTTP=1 if TLS ends in front of it)\n`,
    );
    expect(counter.connections()).toBe(0);

    const allowed = await runCli(['sync', '--once'], { ...env, AUDIT_ALLOW_INSECURE_HTTP: '1' });
    expect(allowed.code).toBe(1); // the counter hangs up on every request
    expect(counter.connections()).toBeGreaterThan(0);
  });
});
