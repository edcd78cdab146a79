/**
 * From the settings (AUDIT_DATABASE_URL and the libpq variables) to the driver's pool settings, and
 * the one way a message names the database: without the password, always.
 *
 * libpq's conventions, as node-postgres follows them: what the URL leaves out comes from PGHOST,
 * PGPORT, PGUSER, PGDATABASE and PGPASSWORD (then localhost, 5432, the OS user, the user's name);
 * with no password anywhere, the driver looks in PGPASSFILE (default ~/.pgpass). `sslmode` in the URL
 * (or PGSSLMODE) turns TLS on: disable, no-verify, or require / verify-ca / verify-full, all three of
 * which verify the server's certificate in node-postgres, unless the URL also says
 * `uselibpqcompat=true` (then they mean what they mean to libpq); sslrootcert, sslcert and sslkey in
 * the URL name the files.
 */
import pg from 'pg';
import { parse } from 'pg-connection-string';
import type { PostgresConfig } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { fromTimestamptz } from './timestamps.js';

type Env = Record<string, string | undefined>;

/** How long opening a connection may take unless PGCONNECT_TIMEOUT says otherwise. */
const CONNECT_TIMEOUT_MS = 10_000;
/** An idle connection is closed after this long. */
const IDLE_TIMEOUT_MS = 30_000;

/** Where the store connects, with each part resolved as the driver resolves it: for messages. */
export interface PostgresTarget {
  user: string;
  host: string;
  port: number;
  database: string;
  schema: string;
}

const OID = { int8: 20, timestamptz: 1184, timestamp: 1114 } as const;

/**
 * Rows read through the store speak the store's interface: times as ISO strings (timestamps.ts) and
 * counts (bigint) as numbers, exact far beyond any count of events.
 */
function typeParser(oid: number, format?: string): (text: string) => unknown {
  if (format !== 'binary') {
    if (oid === OID.timestamptz) return fromTimestamptz;
    if (oid === OID.int8) return Number;
  }
  return pg.types.getTypeParser(oid, format as 'text');
}

function parseUrl(url: string): ReturnType<typeof parse> {
  try {
    return parse(url);
  } catch (error) {
    // Its message (a certificate file that cannot be read, an sslmode without what it needs) is
    // kept, the error itself is not: a URL parser's error carries the URL in its `input`.
    throw new ConfigError(`AUDIT_DATABASE_URL cannot be used: ${(error as Error).message}`);
  }
}

/** The target of `settings` as the driver will resolve it. */
export function postgresTarget(settings: PostgresConfig, env: Env = process.env): PostgresTarget {
  const url = parseUrl(settings.url);
  const user = url.user || env.PGUSER || env.USER || '';
  return {
    user,
    host: url.host || env.PGHOST || 'localhost',
    port: Number(url.port || env.PGPORT || 5432),
    database: url.database || env.PGDATABASE || user,
    schema: settings.schema,
  };
}

/** `postgres://user@host:port/database (schema s)`: never the password. */
export function describeTarget(target: PostgresTarget): string {
  const host = target.host.startsWith('/') ? `[socket ${target.host}]` : target.host.includes(':') ? `[${target.host}]` : target.host;
  return `postgres://${target.user}@${host}:${target.port}/${target.database} (schema ${target.schema})`;
}

/** The pool's settings: the URL's, the variables' and ours (schema, time zone, timeouts, pool size). */
export function poolSettings(settings: PostgresConfig, env: Env = process.env): pg.PoolConfig {
  const url = parseUrl(settings.url);
  const target = postgresTarget(settings, env);
  // Startup options: set before the first statement of every connection, so no query ever runs
  // in another schema, or prints times in another zone or style.
  const options = [url.options, `-c search_path=${settings.schema}`, '-c TimeZone=UTC', '-c DateStyle=ISO'].filter(Boolean).join(' ');
  const connectTimeout = Number(env.PGCONNECT_TIMEOUT);
  const config: pg.PoolConfig = {
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    // Undefined lets the driver read PGPASSWORD, then the password file.
    password: url.password || env.PGPASSWORD || undefined,
    options,
    application_name: url.application_name || env.PGAPPNAME || 'flatfile-audit',
    max: settings.poolSize,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: Number.isInteger(connectTimeout) && connectTimeout > 0 ? connectTimeout * 1000 : CONNECT_TIMEOUT_MS,
    // A statement (a lock wait included) running past this is cancelled by the server; a session
    // left idle inside a transaction (a stopped process) is ended, so its locks cannot hold a chain forever.
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.statementTimeoutMs,
    keepAlive: true,
    // Idle connections do not keep a finished command's process alive.
    allowExitOnIdle: true,
    types: { getTypeParser: typeParser } as pg.CustomTypesConfig,
  };
  if (url.ssl !== undefined) config.ssl = url.ssl as pg.PoolConfig['ssl'];
  return config;
}
