/**
 * The API URL must not send the token in clear text: plain http is refused at start, before any
 * connection, unless the host is this machine (the bundled simulator) or the operator says
 * AUDIT_ALLOW_INSECURE_HTTP=1 (a TLS-terminating sidecar, a test rig).
 */
import { ConfigError } from './errors.js';
import { isLoopbackHost } from './host-name.js';

type Env = Record<string, string | undefined>;

/** Throws ConfigError for an http:// URL to another host, unless insecure http is allowed. */
export function assertSecureApiUrl(url: URL, env: Env): void {
  if (url.protocol !== 'http:') return;
  if (isLoopbackHost(url.hostname) || insecureHttpAllowed(env)) return;
  const secure = new URL(url.href);
  secure.protocol = 'https:';
  secure.username = '';
  secure.password = '';
  throw new ConfigError(
    `FLATFILE_API_URL uses plain http to ${url.host}, which would send the token unencrypted; use ${secure.href.replace(/\/+$/, '')} (or set AUDIT_ALLOW_INSECURE_HTTP=1 if TLS ends in front of it)`,
  );
}

function insecureHttpAllowed(env: Env): boolean {
  const raw = env.AUDIT_ALLOW_INSECURE_HTTP?.trim().toLowerCase() ?? '';
  if (['', '0', 'false', 'no', 'off'].includes(raw)) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  throw new ConfigError(`AUDIT_ALLOW_INSECURE_HTTP must be 1 or 0, got "${raw}"`);
}
