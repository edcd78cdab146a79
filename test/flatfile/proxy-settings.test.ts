/** Which requests go through which proxy: HTTPS_PROXY / HTTP_PROXY and NO_PROXY, as curl and Go read them. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { proxyAuthorization, proxyFor, readProxySettings } from '../../src/proxy-settings.js';

const PROXY = 'http://proxy.corp:3128/';

function via(target: string, env: Record<string, string>): string | undefined {
  return proxyFor(new URL(target), readProxySettings(env))?.href;
}

describe('proxyFor', () => {
  it('uses HTTPS_PROXY for https targets and HTTP_PROXY for http ones, lower-case names first', () => {
    expect(via('https://platform.flatfile.com/api/v1', { HTTPS_PROXY: PROXY })).toBe(PROXY);
    expect(via('https://platform.flatfile.com/api/v1', { https_proxy: PROXY, HTTPS_PROXY: 'http://other:1/' })).toBe(PROXY);
    expect(via('https://platform.flatfile.com/api/v1', { HTTP_PROXY: PROXY })).toBeUndefined();
    expect(via('http://flatfile.internal/api/v1', { HTTP_PROXY: PROXY })).toBe(PROXY);
    expect(via('http://flatfile.internal/api/v1', { HTTPS_PROXY: PROXY })).toBeUndefined();
    expect(via('https://platform.flatfile.com/api/v1', { HTTPS_PROXY: '  ' })).toBeUndefined();
    expect(via('https://platform.flatfile.com/api/v1', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe(PROXY); // no scheme: http
  });

  it.each([
    ['platform.flatfile.com', 'https://platform.flatfile.com/api/v1', true],
    ['flatfile.com', 'https://platform.flatfile.com/api/v1', true],
    ['.flatfile.com', 'https://flatfile.com/api/v1', true],
    ['*.flatfile.com', 'https://platform.flatfile.com/api/v1', true],
    ['FLATFILE.COM', 'https://platform.flatfile.com/api/v1', true],
    ['latfile.com', 'https://platform.flatfile.com/api/v1', false],
    ['flatfile.com.evil', 'https://platform.flatfile.com/api/v1', false],
    ['*', 'https://platform.flatfile.com/api/v1', true],
    ['example.org, *', 'https://platform.flatfile.com/api/v1', true],
    ['example.org platform.flatfile.com', 'https://platform.flatfile.com/api/v1', true],
    ['flatfile.com:443', 'https://platform.flatfile.com/api/v1', true],
    ['flatfile.com:8443', 'https://platform.flatfile.com/api/v1', false],
    ['flatfile.com:8443', 'https://platform.flatfile.com:8443/api/v1', true],
    ['10.0.0.0/8', 'https://10.1.2.3/api/v1', true],
    ['10.0.0.0/8', 'https://11.1.2.3/api/v1', false],
    ['10.0.0.0/8', 'https://ten.example/api/v1', false], // names are not resolved
    ['192.168.1.5', 'https://192.168.1.5/api/v1', true],
    ['192.168.1.5:443', 'https://192.168.1.5:8443/api/v1', false],
    ['fd00::/8', 'https://[fd00::1]/api/v1', true],
    ['[fd00::1]:443', 'https://[fd00::1]/api/v1', true],
    ['not a cidr/99, , ', 'https://platform.flatfile.com/api/v1', false],
  ])('NO_PROXY=%j for %s bypasses: %s', (noProxy, target, bypassed) => {
    expect(via(target, { HTTPS_PROXY: PROXY, NO_PROXY: noProxy })).toBe(bypassed ? undefined : PROXY);
    expect(via(target, { HTTPS_PROXY: PROXY, no_proxy: noProxy })).toBe(bypassed ? undefined : PROXY);
  });

  it.each(['http://127.0.0.1:8787/api/v1', 'http://127.9.9.9/api/v1', 'http://localhost:8787/api/v1', 'https://[::1]:8443/api/v1'])(
    'never proxies this machine: %s',
    (target) => {
      expect(via(target, { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY })).toBeUndefined();
    },
  );
});

describe('readProxySettings', () => {
  it.each([
    ['socks5://proxy.corp:1080', 'HTTPS_PROXY must be an http:// proxy URL (https:// and socks proxies are not supported), got "socks5://proxy.corp:1080"'],
    ['https://user:pw@proxy.corp', 'HTTPS_PROXY must be an http:// proxy URL (https:// and socks proxies are not supported), got "https://***@proxy.corp"'],
    ['http://user:pw@[bad', 'HTTPS_PROXY must be a proxy URL like http://proxy.example.com:3128, got "http://***@[bad"'],
  ])('refuses %s with one line, credentials hidden', (value, message) => {
    expect(() => readProxySettings({ HTTPS_PROXY: value })).toThrow(ConfigError);
    expect(() => readProxySettings({ HTTPS_PROXY: value })).toThrow(message);
  });

  it('turns proxy credentials into a basic Proxy-Authorization header, percent-decoded', () => {
    const { https } = readProxySettings({ HTTPS_PROXY: 'http://svc%40corp:p%3Ass@proxy.corp:3128' });
    expect(proxyAuthorization(https!)).toBe(`Basic ${Buffer.from('svc@corp:p:ss').toString('base64')}`);
    expect(proxyAuthorization(readProxySettings({ HTTPS_PROXY: PROXY }).https!)).toBeUndefined();
  });
});
