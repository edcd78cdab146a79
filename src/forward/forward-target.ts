/**
 * Where the forwarder POSTs, split from the secrets in AUDIT_FORWARD_URL: the destination's name
 * (what logs, metrics, the store and `status` show) keeps only the format, origin and path, never
 * the user, password or query (a token may hide in either); a password travels as Basic auth.
 */
import type { ForwardConfig } from '../config.js';

export interface ForwardTarget {
  /** `<format> <origin><path>`: the key of the forwarder's position, safe to show. */
  destination: string;
  /** The URL without user and password (fetch refuses credentials in a URL). */
  url: string;
  /** `Basic …` when the URL held a user or password. */
  basicAuth: string | undefined;
}

export function forwardTarget(config: Pick<ForwardConfig, 'url' | 'format'>): ForwardTarget {
  const url = new URL(config.url);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return {
    destination: `${config.format} ${url.origin}${url.pathname}`,
    url: url.toString(),
    basicAuth: user || password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined,
  };
}
