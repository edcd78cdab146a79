/**
 * Host names as the ops port compares them: lower case, without a trailing dot, IPv6 literals in
 * brackets. Shared by the setting (AUDIT_HTTP_ALLOWED_HOSTS, read in config.ts) and the check of
 * each request's Host header (src/ops/host-check.ts), so both sides mean the same thing.
 */
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * This machine: `localhost` and its subdomains (RFC 6761), 127.0.0.0/8 and ::1 (IPv4-mapped forms
 * included), bracketed or not. The one rule for every place that treats this machine apart (plain
 * http to the API, the proxy bypass, the dashboard without a password).
 */
export function isLoopbackHost(host: string): boolean {
  const bare = (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** A host name or address in its compared form; undefined when it is not one. */
export function normalizeHostName(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  if (lower.startsWith('[') && lower.endsWith(']')) return isIP(lower.slice(1, -1)) === 6 ? lower : undefined;
  if (isIP(lower) === 6) return `[${lower}]`;
  if (isIP(lower) === 4) return lower;
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  return /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(name) ? name : undefined;
}

/** The host part of a Host header (`name`, `name:port`, `[v6]:port`), compared form; undefined when malformed. */
export function hostOfHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(header.trim());
  return match ? normalizeHostName(match[1]!) : undefined;
}

/** An address literal (never a name DNS could rebind). */
export function isAddressLiteral(host: string): boolean {
  return isIP(host.startsWith('[') ? host.slice(1, -1) : host) !== 0;
}
