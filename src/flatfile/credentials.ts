/**
 * Turns the configured credential into the Authorization header, once per sync run: a token file
 * is read again for every run (so a rotated token needs no restart), and legacy client id/secret
 * pairs are exchanged at POST /auth for a 24-hour access token, renewed before it expires or on
 * the first 401.
 */
import { open, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CredentialSource } from '../config.js';
import { ConfigError, TokenRejectedError } from '../errors.js';
import type { AccessToken } from './types.js';

export interface Authenticator {
  /** The header value to send now. */
  authorization(signal?: AbortSignal): Promise<string>;
  /** Called after a 401/403 (at most once per request): true when a fresh credential was obtained, worth one more try. */
  renew(signal?: AbortSignal): Promise<boolean>;
  /** The remedy named in a token-rejected message. */
  readonly remedy: string;
}

/** Exchanges client id and secret for an access token; supplied by the HTTP client. */
export type TokenExchange = (clientId: string, secret: string, signal?: AbortSignal) => Promise<AccessToken>;

const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/** Builds the authenticator for one run; reads the token file now. */
export async function createAuthenticator(source: CredentialSource, exchange: TokenExchange, now: () => number = Date.now): Promise<Authenticator> {
  switch (source.kind) {
    case 'token':
      return staticToken(source.token, `create a new Personal Access Token and set ${source.variable}`);
    case 'token-file':
      return tokenFromFile(source.path, source.credentialsDirectory, await readTokenFile(source.path, source.credentialsDirectory));
    case 'legacy':
      return exchangedToken(source.clientId, source.secret, exchange, now);
    case 'none':
      throw new ConfigError(
        'no Flatfile credential: set FLATFILE_TOKEN (a Personal Access Token; FLATFILE_BEARER_TOKEN or FLATFILE_API_KEY work too), FLATFILE_TOKEN_FILE, or FLATFILE_CLIENT_ID and FLATFILE_SECRET',
      );
  }
}

/** Where the credential comes from, for status and logs: the variable's name (and a file's path), never a value. */
export function describeCredential(source: CredentialSource): string {
  switch (source.kind) {
    case 'token':
      return source.variable;
    case 'token-file':
      return `FLATFILE_TOKEN_FILE (${source.path})`;
    case 'legacy':
      return 'FLATFILE_CLIENT_ID/FLATFILE_SECRET';
    case 'none':
      return 'none set';
  }
}

/** The token in FLATFILE_TOKEN_FILE, with its ownership and mode checked (see below). */
export async function readTokenFile(path: string, credentialsDirectory: string | undefined): Promise<string> {
  let text: string;
  let mode: number;
  let owner: number;
  try {
    const file = await open(path, 'r');
    try {
      ({ mode, uid: owner } = await file.stat());
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`FLATFILE_TOKEN_FILE ${path} cannot be read (${code})`);
  }
  const systemdCredential = credentialsDirectory !== undefined && (await isDirectlyIn(path, credentialsDirectory));
  // A token another user owns can be swapped by them for one of their choosing, and one others
  // can read is a token others can use: refuse both, as ssh does for keys.
  // Except what systemd hands a service (LoadCredential=): it writes the file as root, mode 0400,
  // and grants the service's user alone an ACL entry to read it; that entry shows in the mode as
  // group read (the ACL mask). The directory is the service's own and mounted read-only, so
  // neither root's ownership nor that bit lets anyone else at the token.
  const self = process.getuid?.();
  if (self !== undefined && owner !== self && !(systemdCredential && owner === 0)) {
    throw new ConfigError(`FLATFILE_TOKEN_FILE ${path} belongs to uid ${owner}, not to the user running flatfile-audit (uid ${self}); chown it to that user`);
  }
  if ((mode & (systemdCredential ? 0o037 : 0o077)) !== 0) {
    throw new ConfigError(`FLATFILE_TOKEN_FILE ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`);
  }
  const token = text.trim();
  if (!token) throw new ConfigError(`FLATFILE_TOKEN_FILE ${path} is empty`);
  if (/\s/.test(token)) throw new ConfigError(`FLATFILE_TOKEN_FILE ${path} must hold just the token on one line`);
  return token;
}

/** Whether `path` is a file right inside `directory`, links resolved; false when either cannot be resolved. */
async function isDirectlyIn(path: string, directory: string): Promise<boolean> {
  try {
    const [file, dir] = await Promise.all([realpath(path), realpath(directory)]);
    return dirname(file) === dir;
  } catch {
    return false;
  }
}

function staticToken(token: string, remedy: string): Authenticator {
  const header = `Bearer ${token}`;
  return {
    remedy,
    authorization: async () => header,
    renew: async () => false,
  };
}

/**
 * The token a run read from FLATFILE_TOKEN_FILE. Refused (401/403), the file is read again: when
 * it holds another token now, the request is tried once more with it. So a run that started before
 * a rotation (`token rotate`, or the worker's scheduled one) outlives the deletion of the token it
 * started with, rather than failing halfway: rotation may delete the old token as soon as the new
 * one is in the file and accepted.
 */
function tokenFromFile(path: string, credentialsDirectory: string | undefined, first: string): Authenticator {
  let header = `Bearer ${first}`;
  return {
    remedy: `create a new Personal Access Token and write it to ${path}`,
    authorization: async () => header,
    async renew() {
      let now: string;
      try {
        now = await readTokenFile(path, credentialsDirectory);
      } catch {
        return false; // the refusal stands; the next run reports the file's trouble
      }
      if (`Bearer ${now}` === header) return false;
      header = `Bearer ${now}`;
      return true;
    },
  };
}

function exchangedToken(clientId: string, secret: string, exchange: TokenExchange, now: () => number): Authenticator {
  let current: { header: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const fetchNew = (signal?: AbortSignal): Promise<string> => {
    inFlight ??= exchange(clientId, secret, signal)
      .then((answer) => {
        const expires = Date.parse(answer.expires);
        const lifetime = Number.isNaN(expires) ? Number(answer.expiresIn) * 1000 : expires - now();
        // Renew 5 minutes early, or at 90% of a lifetime shorter than that.
        const margin = Math.min(RENEW_BEFORE_EXPIRY_MS, lifetime * 0.1);
        current = { header: `Bearer ${answer.accessToken}`, renewAt: now() + Math.max(0, lifetime - margin) };
        return current.header;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    remedy: 'check FLATFILE_CLIENT_ID and FLATFILE_SECRET, or switch to a Personal Access Token (FLATFILE_TOKEN)',
    async authorization(signal) {
      if (current && now() < current.renewAt) return current.header;
      return fetchNew(signal);
    },
    async renew(signal) {
      current = undefined;
      try {
        await fetchNew(signal);
      } catch (error) {
        if (error instanceof TokenRejectedError) return false;
        throw error;
      }
      return true;
    },
  };
}
