/** The dashboard's guessing brake, on a controllable clock; and the host names the ops port compares. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { hostOfHeader, isAddressLiteral, normalizeHostName } from '../../src/host-name.js';
import { createLoginLimiter } from '../../src/ops/login-limiter.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('login limiter', () => {
  it('refuses a client after 5 failures in a minute, until the oldest leaves the window', () => {
    const c = clock();
    const limiter = createLoginLimiter({ now: c.now });
    for (let i = 0; i < 4; i++) {
      limiter.failed('10.0.0.1');
      c.advance(10_000);
    }
    expect(limiter.retryAfterS('10.0.0.1')).toBe(0);
    limiter.failed('10.0.0.1'); // 5 failures, the first 40 s ago
    expect(limiter.retryAfterS('10.0.0.1')).toBe(20);
    expect(limiter.retryAfterS('10.0.0.2')).toBe(0);
    c.advance(20_000);
    expect(limiter.retryAfterS('10.0.0.1')).toBe(0);
  });

  it('forgets a client after a correct password', () => {
    const limiter = createLoginLimiter({ now: clock().now });
    for (let i = 0; i < 4; i++) limiter.failed('a');
    limiter.succeeded('a');
    limiter.failed('a');
    expect(limiter.retryAfterS('a')).toBe(0);
  });

  it('tracks at most maxClients addresses, dropping the least recently failing', () => {
    const limiter = createLoginLimiter({ now: clock().now, maxFailures: 1, maxClients: 3 });
    for (const client of ['a', 'b', 'c']) limiter.failed(client);
    limiter.failed('a'); // a failed again: b is now the least recent
    limiter.failed('d');
    expect(['a', 'b', 'c', 'd'].map((client) => limiter.retryAfterS(client) > 0)).toEqual([true, false, true, true]);
  });
});

describe('host names', () => {
  it.each([
    ['localhost:9464', 'localhost'],
    ['LOCALHOST', 'localhost'],
    ['localhost.', 'localhost'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]:9464', '[::1]'],
    ['audit.internal:9464', 'audit.internal'],
    ['', undefined],
    ['evil.example:99999999', undefined],
    ['a b', undefined],
    ['::1', undefined], // a bare IPv6 address is not a valid Host header
    [undefined, undefined],
  ])('Host %j is host %j', (header, host) => {
    expect(hostOfHeader(header)).toBe(host);
  });

  it('knows address literals from names', () => {
    expect(['127.0.0.1', '[::1]', '10.0.0.5', 'localhost', 'evil.example'].map(isAddressLiteral)).toEqual([true, true, true, false, false]);
    expect(normalizeHostName('::1')).toBe('[::1]');
  });

  it('AUDIT_HTTP_ALLOWED_HOSTS takes names, and refuses a URL with one clear line', () => {
    expect(loadConfig({ AUDIT_HTTP_ALLOWED_HOSTS: ' Audit.Internal , ops.example.com,' }).worker.httpAllowedHosts).toEqual(['audit.internal', 'ops.example.com']);
    expect(() => loadConfig({ AUDIT_HTTP_ALLOWED_HOSTS: 'http://audit.internal' })).toThrow(
      'AUDIT_HTTP_ALLOWED_HOSTS must list host names separated by commas (no ports, no schemes), got "http://audit.internal"',
    );
  });
});
