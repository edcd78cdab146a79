/**
 * Which proxy, if any, carries a request to the API: HTTPS_PROXY for https targets, HTTP_PROXY for
 * http ones (lower-case names win when both are set, as in curl), unless NO_PROXY names the host.
 * Loopback hosts are never proxied (Go's rule), so the bundled simulator and demo keep working on a
 * machine whose environment points everything at a corporate proxy.
 *
 * NO_PROXY: a comma- or space-separated list. `*` bypasses every host; `example.com` (also written
 * `.example.com` or `*.example.com`) matches that host and its subdomains; an IP address or a CIDR
 * block matches targets written as IP addresses (nothing is resolved); any entry may end in `:port`
 * to match that port only.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from './errors.js';
import { isLoopbackHost } from './host-name.js';

export interface ProxySettings {
  /** Proxy for https targets (reached with CONNECT), or undefined. */
  https: URL | undefined;
  /** Proxy for http targets (absolute-URI requests), or undefined. */
  http: URL | undefined;
  noProxy: NoProxy;
}

/** Parsed NO_PROXY. */
export interface NoProxy {
  all: boolean;
  rules: NoProxyRule[];
}

type NoProxyRule =
  | { kind: 'domain'; domain: string; port: number | undefined }
  | { kind: 'address'; list: BlockList; port: number | undefined };

type Env = Record<string, string | undefined>;

export const NO_PROXY_SETTINGS: ProxySettings = { https: undefined, http: undefined, noProxy: { all: false, rules: [] } };


/** Reads the proxy variables; throws ConfigError for a proxy URL that cannot be used. */
export function readProxySettings(env: Env): ProxySettings {
  return {
    https: readProxyUrl(env, 'https_proxy', 'HTTPS_PROXY'),
    http: readProxyUrl(env, 'http_proxy', 'HTTP_PROXY'),
    noProxy: parseNoProxy(firstSet(env, 'no_proxy', 'NO_PROXY')?.value ?? ''),
  };
}

/** The proxy to use for `target`, or undefined to connect straight. */
export function proxyFor(target: URL, settings: ProxySettings): URL | undefined {
  const proxy = target.protocol === 'https:' ? settings.https : target.protocol === 'http:' ? settings.http : undefined;
  if (proxy === undefined) return undefined;
  const host = bareHost(target.hostname);
  if (isLoopbackHost(host)) return undefined;
  return bypasses(settings.noProxy, host, effectivePort(target)) ? undefined : proxy;
}

/** The Proxy-Authorization header for a proxy URL with credentials, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '' && proxy.password === '') return undefined;
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/** host:port of a proxy, for messages (never its credentials). */
export function describeProxy(proxy: URL): string {
  return `${proxy.hostname}:${effectivePort(proxy)}`;
}

export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}


export function parseNoProxy(text: string): NoProxy {
  const noProxy: NoProxy = { all: false, rules: [] };
  for (const raw of text.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') {
      noProxy.all = true;
      continue;
    }
    const rule = parseRule(entry);
    if (rule) noProxy.rules.push(rule);
  }
  return noProxy;
}

function parseRule(entry: string): NoProxyRule | undefined {
  const { host, port } = splitPort(entry);
  if (host.includes('/')) {
    const [address = '', bitsText = ''] = host.split('/');
    const family = isIP(address);
    const bits = Number(bitsText);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) return undefined; // unreadable entries are skipped, as curl and Go do
    const list = new BlockList();
    list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'address', list, port };
  }
  const family = isIP(host);
  if (family !== 0) {
    const list = new BlockList();
    list.addAddress(host, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'address', list, port };
  }
  const domain = host.replace(/^\*?\.+/, '');
  return domain === '' ? undefined : { kind: 'domain', domain, port };
}

/** "host:port", "[v6]:port", "[v6]", or a bare IPv6 address (which has no port). */
function splitPort(entry: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1]!, port: Number(withPort[2]) };
  return { host: entry, port: undefined };
}

function bypasses(noProxy: NoProxy, host: string, port: number): boolean {
  if (noProxy.all) return true;
  const name = host.toLowerCase();
  const family = isIP(name);
  return noProxy.rules.some((rule) => {
    if (rule.port !== undefined && rule.port !== port) return false;
    if (rule.kind === 'address') return family !== 0 && rule.list.check(name, family === 4 ? 'ipv4' : 'ipv6');
    return family === 0 && (name === rule.domain || name.endsWith(`.${rule.domain}`));
  });
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function firstSet(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function readProxyUrl(env: Env, ...names: string[]): URL | undefined {
  const found = firstSet(env, ...names);
  if (found === undefined) return undefined;
  const { name, value } = found;
  // curl and most tools take "proxy.corp:3128" to mean an http proxy.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${name} must be a proxy URL like http://proxy.example.com:3128, got "${hideCredentials(value)}"`);
  }
  if (url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http:// proxy URL (https:// and socks proxies are not supported), got "${hideCredentials(value)}"`);
  }
  if (url.hostname === '') throw new ConfigError(`${name} must name the proxy host, got "${hideCredentials(value)}"`);
  return url;
}

function hideCredentials(value: string): string {
  return value.replace(/\/\/[^/@]*@/, '//***@');
}
