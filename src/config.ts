/**
 * Every setting, read from the environment once at start and validated with one clear message
 * per bad value. Credentials are described here but read (token file included) at the start of
 * each sync, so a rotated token needs no restart: see src/flatfile/credentials.ts.
 */
import { dirname, join } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { ConfigError } from './errors.js';
import { parseDuration } from './duration.js';
import { REGION_API_URLS, DEFAULT_REGION, resolveApiEndpoint, type ApiEndpoint } from './flatfile/api-url.js';

/** The variables a Personal Access Token may come in: ours, and the two names Flatfile's own tools read. */
export const TOKEN_VARIABLES = ['FLATFILE_TOKEN', 'FLATFILE_BEARER_TOKEN', 'FLATFILE_API_KEY'] as const;
export type TokenVariable = (typeof TOKEN_VARIABLES)[number];
import { readProxySettings, type ProxySettings } from './proxy-settings.js';
import { assertSecureApiUrl } from './secure-api-url.js';
import { normalizeHostName } from './host-name.js';

export type CredentialSource =
  | { kind: 'token'; token: string; variable: TokenVariable }
  | {
      kind: 'token-file';
      path: string;
      /** CREDENTIALS_DIRECTORY: where systemd put this service's credentials (LoadCredential=), if it did. */
      credentialsDirectory?: string | undefined;
    }
  | { kind: 'legacy'; clientId: string; secret: string }
  | { kind: 'none' };

export interface Config {
  /** FLATFILE_API_URL / FLATFILE_REGION, resolved: see src/flatfile/api-url.ts. */
  api: ApiEndpoint;
  credentials: CredentialSource;
  dbPath: string;
  /** AUDIT_DATABASE_URL and its companions: the PostgreSQL store, or undefined for the SQLite file at dbPath. */
  postgres: PostgresConfig | undefined;
  /** Re-read this much before the newest event already stored, to catch events that show up late. */
  lookbackMs: number;
  /** How far past the API server's clock an event may be dated and still move the high-water mark. */
  maxClockSkewMs: number;
  /** Start of the first backfill (ISO); undefined means the whole history. */
  backfillSince: string | undefined;
  concurrency: number;
  pageSize: number;
  requestTimeoutMs: number;
  /** The largest API answer accepted, counted after decompression. */
  maxResponseBytes: number;
  /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY, read once. */
  proxy: ProxySettings;
  maxRetries: number;
  /** Rows gathered from fetched pages before one write transaction. */
  writeBatchRows: number;
  logLevel: string;
  logPretty: boolean;
  worker: WorkerConfig;
  checkpoints: CheckpointConfig;
  /** AUDIT_FORWARD_URL and its companions: the worker forwards the trail there (src/forward/); undefined: off. */
  forward: ForwardConfig | undefined;
  retention: RetentionConfig;
  reconcile: ReconcileConfig;
  tokens: TokenHygieneConfig;
}

/** Reconciliation (src/sync/reconcile-environment.ts): the worker's daily re-read of a window. */
export interface ReconcileConfig {
  /** AUDIT_RECONCILE_CRON: when the worker reconciles (default daily at 02:43 in AUDIT_SYNC_TZ); undefined ('off'): never. */
  cron: string | undefined;
  /** AUDIT_RECONCILE_WINDOW: how far back from now each reconcile lists again (default 7d). */
  windowMs: number;
}

export type ForwardFormat = 'ndjson' | 'splunk-hec';

/** Forwarding to a SIEM. `url` may hold a password: never log or show it (the destination name leaves it out). */
export interface ForwardConfig {
  /** AUDIT_FORWARD_URL: where batches are POSTed (http only to a loopback host). */
  url: string;
  /** AUDIT_FORWARD_FORMAT: ndjson (one audit_trail row per line) or splunk-hec (HEC event JSON). */
  format: ForwardFormat;
  /** AUDIT_FORWARD_TOKEN_FILE: the HEC token (splunk-hec only), read again for each batch. */
  tokenFile: string | undefined;
  /** AUDIT_FORWARD_BATCH: events per POST. */
  batchSize: number;
  /** AUDIT_FORWARD_TIMEOUT: a POST not answered in this long counts as failed (and is sent again). */
  timeoutMs: number;
  /** AUDIT_FORWARD_INTERVAL: how often the forwarder catches up besides after each sync. */
  intervalMs: number;
  /** AUDIT_FORWARD_MAX_BACKOFF: the longest wait between tries of one batch (a Retry-After is honoured up to this too). */
  maxBackoffMs: number;
  /** AUDIT_FORWARD_SOURCETYPE (splunk-hec): the sourcetype field. */
  sourcetype: string;
}

/** Retention (src/retention/): off unless AUDIT_RETENTION is set. */
export interface RetentionConfig {
  /** AUDIT_RETENTION: the worker prunes events created longer ago than this; undefined keeps everything. */
  keepMs: number | undefined;
  /** AUDIT_ARCHIVE_DIR: where prune archives go (default: an `archives` directory beside AUDIT_DB). */
  archiveDir: string;
  /** AUDIT_RETENTION_ARCHIVE=false: the worker prunes without writing archives. */
  archive: boolean;
  /** AUDIT_RETENTION_CRON: when the worker prunes (default daily at 03:17 in AUDIT_SYNC_TZ). */
  cron: string;
}

/** Personal Access Token hygiene (src/token-hygiene.ts). */
export interface TokenHygieneConfig {
  /** AUDIT_PAT_STALE_AFTER: a token last used longer ago than this is flagged unused. */
  staleAfterMs: number;
  /** AUDIT_PAT_MAX_AGE: a token created longer ago than this is flagged for rotation. */
  maxAgeMs: number;
  /** AUDIT_PAT_ROTATE_EVERY: the worker rotates the token in FLATFILE_TOKEN_FILE once it is this old; undefined: never. */
  rotateEveryMs?: number | undefined;
}

/** The PostgreSQL store (src/store/postgres/). `url` holds the password when the URL has one: never log or show it (describe it with describePostgresTarget). */
export interface PostgresConfig {
  /** AUDIT_DATABASE_URL: postgres:// or postgresql://; what it leaves out comes from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGPASSFILE. */
  url: string;
  /** AUDIT_DATABASE_SCHEMA: created if missing; every connection's search_path. */
  schema: string;
  /** AUDIT_DATABASE_POOL_SIZE: connections one process keeps at most. */
  poolSize: number;
  /** AUDIT_DATABASE_STATEMENT_TIMEOUT: the server cancels a statement (a lock wait included) running longer. */
  statementTimeoutMs: number;
}

/** Tamper evidence anchored outside the database (src/checkpoint/): all off unless `file` is set. */
export interface CheckpointConfig {
  /** AUDIT_CHECKPOINT_FILE: where checkpoints are appended; refused inside the database's directory (checked when opened). */
  file: string | undefined;
  /** AUDIT_SIGNING_KEY_FILE: an Ed25519 private key (PEM) that signs each checkpoint. */
  signingKeyFile: string | undefined;
  /** AUDIT_CHECKPOINT_URL: each checkpoint is also POSTed here. */
  url: string | undefined;
}

/** Settings of the scheduled worker (and of the CLI commands that talk to its queue). */
export interface WorkerConfig {
  redisUrl: string;
  /** BullMQ key prefix: several deployments can share one Redis under different prefixes. */
  queuePrefix: string;
  /** When the account sync fires: a 5-field cron, or 6 fields with seconds first. */
  cron: string;
  timezone: string;
  concurrency: number;
  /** Tries of a failing environment job before it stays failed (the next scheduled run starts afresh). */
  jobAttempts: number;
  /** Port of /healthz, /metrics and the queue dashboard; undefined turns the server off. */
  httpPort: number | undefined;
  httpHost: string;
  /** Names the ops port answers to besides localhost and IP addresses (the Host header; DNS rebinding). */
  httpAllowedHosts: string[];
  /** Unlocks the queue dashboard (basic auth with any user name, or a bearer token); required off loopback. */
  dashboardPassword: string | undefined;
  /** Serve the read-only audit explorer at /explorer on the ops port (AUDIT_EXPLORER=1); same access rule as the dashboard. */
  explorer: boolean;
  shutdownTimeoutMs: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after about this long. */
  jobLockMs: number;
  /** /healthz answers 503 once an environment's last successful sync is older than this. */
  staleAfterMs: number;
  /** How often every worker checks that the schedule is still in Redis (and puts it back if not). */
  watchdogIntervalMs: number;
}

/** Flatfile's own form: the base without the version, which the client adds. */
export const DEFAULT_API_URL = REGION_API_URLS[DEFAULT_REGION];
const DEFAULT_SYNC_CRON = '*/5 * * * *';
const DEFAULT_SYNC_TZ = 'UTC';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses and validates all settings; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  return {
    api: readApiEndpoint(env),
    credentials: readCredentials(env),
    dbPath: readString(env, 'AUDIT_DB', './data/audit.db'),
    postgres: readPostgresConfig(env),
    lookbackMs: readDuration(env, 'AUDIT_LOOKBACK', '15m'),
    maxClockSkewMs: readDuration(env, 'AUDIT_MAX_CLOCK_SKEW', '10m'),
    backfillSince: readDate(env, 'AUDIT_BACKFILL_SINCE'),
    concurrency: readInt(env, 'AUDIT_CONCURRENCY', 8, 1, 64),
    pageSize: readInt(env, 'AUDIT_PAGE_SIZE', 100, 1, 1000),
    requestTimeoutMs: readDuration(env, 'AUDIT_REQUEST_TIMEOUT', '30s', 1),
    maxResponseBytes: readBytes(env, 'AUDIT_MAX_RESPONSE_BYTES', 64 * 2 ** 20, 2 ** 10, MAX_TEXT_BYTES),
    proxy: readProxySettings(env),
    maxRetries: readInt(env, 'AUDIT_MAX_RETRIES', 8, 0, 100),
    writeBatchRows: readInt(env, 'AUDIT_WRITE_BATCH', 1000, 1, 100_000),
    logLevel: readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    logPretty: readBoolean(env, 'LOG_PRETTY', false),
    worker: {
      redisUrl: readRedisUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379'),
      queuePrefix: readString(env, 'AUDIT_QUEUE_PREFIX', 'flatfile-audit'),
      cron: readCron(env, 'AUDIT_SYNC_CRON', DEFAULT_SYNC_CRON),
      timezone: readTimezone(env, 'AUDIT_SYNC_TZ', DEFAULT_SYNC_TZ),
      concurrency: readInt(env, 'AUDIT_WORKER_CONCURRENCY', 4, 1, 64),
      jobAttempts: readInt(env, 'AUDIT_JOB_ATTEMPTS', 5, 1, 100),
      httpPort: env.AUDIT_HTTP_PORT?.trim() ? readInt(env, 'AUDIT_HTTP_PORT', 0, 0, 65535) : undefined,
      httpHost: readString(env, 'AUDIT_HTTP_HOST', '127.0.0.1'),
      httpAllowedHosts: readHostNames(env, 'AUDIT_HTTP_ALLOWED_HOSTS'),
      dashboardPassword: readSecret(env, 'AUDIT_DASHBOARD_PASSWORD', 12),
      explorer: readBoolean(env, 'AUDIT_EXPLORER', false),
      shutdownTimeoutMs: readDuration(env, 'AUDIT_SHUTDOWN_TIMEOUT', '30s', 1),
      jobLockMs: readDuration(env, 'AUDIT_JOB_LOCK', '30s', 1000),
      staleAfterMs: readStaleAfter(env, 'AUDIT_STALE_AFTER', readCron(env, 'AUDIT_SYNC_CRON', DEFAULT_SYNC_CRON), readTimezone(env, 'AUDIT_SYNC_TZ', DEFAULT_SYNC_TZ)),
      watchdogIntervalMs: readDuration(env, 'AUDIT_WATCHDOG_INTERVAL', '1m', 100),
    },
    checkpoints: readCheckpointConfig(env),
    forward: readForwardConfig(env),
    retention: readRetentionConfig(env),
    reconcile: {
      cron: nonEmpty(env.AUDIT_RECONCILE_CRON)?.toLowerCase() === 'off' ? undefined : readCron(env, 'AUDIT_RECONCILE_CRON', '43 2 * * *'),
      windowMs: reconcileWindowMs('AUDIT_RECONCILE_WINDOW', nonEmpty(env.AUDIT_RECONCILE_WINDOW) ?? '7d'),
    },
    tokens: {
      staleAfterMs: readDuration(env, 'AUDIT_PAT_STALE_AFTER', '90d', 1),
      maxAgeMs: readDuration(env, 'AUDIT_PAT_MAX_AGE', '180d', 1),
      rotateEveryMs: readRotateEvery(env),
    },
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function readForwardConfig(env: Env): ForwardConfig | undefined {
  const value = nonEmpty(env.AUDIT_FORWARD_URL);
  if (value === undefined) {
    const orphan = ['AUDIT_FORWARD_FORMAT', 'AUDIT_FORWARD_TOKEN_FILE'].find((name) => nonEmpty(env[name]) !== undefined);
    if (orphan) throw new ConfigError(`${orphan} needs AUDIT_FORWARD_URL: without it nothing is forwarded`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('AUDIT_FORWARD_URL is not a valid URL (not shown: it may hold a password); expected https://host/path');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new ConfigError(`AUDIT_FORWARD_URL must be https (http only to localhost: the trail and any token would cross the network in clear), got a ${url.protocol} URL to ${url.hostname}`);
  }
  const format = readChoice(env, 'AUDIT_FORWARD_FORMAT', 'ndjson', ['ndjson', 'splunk-hec']) as ForwardFormat;
  const tokenFile = nonEmpty(env.AUDIT_FORWARD_TOKEN_FILE);
  if (format === 'splunk-hec' && tokenFile === undefined) throw new ConfigError('AUDIT_FORWARD_FORMAT=splunk-hec needs AUDIT_FORWARD_TOKEN_FILE: a file holding the HEC token');
  if (format !== 'splunk-hec' && tokenFile !== undefined) throw new ConfigError('AUDIT_FORWARD_TOKEN_FILE is only used with AUDIT_FORWARD_FORMAT=splunk-hec');
  return {
    url: value,
    format,
    tokenFile,
    batchSize: readInt(env, 'AUDIT_FORWARD_BATCH', 500, 1, 10_000),
    timeoutMs: readDuration(env, 'AUDIT_FORWARD_TIMEOUT', '30s', 100),
    intervalMs: readDuration(env, 'AUDIT_FORWARD_INTERVAL', '1m', 1000),
    maxBackoffMs: readDuration(env, 'AUDIT_FORWARD_MAX_BACKOFF', '5m', 100),
    sourcetype: readString(env, 'AUDIT_FORWARD_SOURCETYPE', 'flatfile:audit'),
  };
}

/**
 * A reconcile window (AUDIT_RECONCILE_WINDOW, reconcile --window): a duration of at least a minute.
 * Exported so the command line's --window is read by the same rule.
 */
export function reconcileWindowMs(name: string, raw: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined || ms < 60_000) throw new ConfigError(`${name} must be a duration of at least 1m, like 7d or 36h, got "${raw}"`);
  return ms;
}

/** Below this, AUDIT_RETENTION is surely a slip (15m for 15 months?): the trail would be gone by the next day. */
const MIN_RETENTION_MS = 86_400_000;

/** Below a day, AUDIT_PAT_ROTATE_EVERY is surely a slip (30m for 30 days?): the worker checks once a day anyway. */
const MIN_ROTATE_EVERY_MS = 86_400_000;

function readRotateEvery(env: Env): number | undefined {
  const raw = nonEmpty(env.AUDIT_PAT_ROTATE_EVERY);
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < MIN_ROTATE_EVERY_MS) throw new ConfigError(`AUDIT_PAT_ROTATE_EVERY must be a duration of at least 1d, like 30d (unset: the worker never rotates the token), got "${raw}"`);
  return ms;
}

function readRetentionConfig(env: Env): RetentionConfig {
  const raw = nonEmpty(env.AUDIT_RETENTION);
  let keepMs: number | undefined;
  if (raw !== undefined) {
    keepMs = parseDuration(raw);
    if (keepMs === undefined || keepMs < MIN_RETENTION_MS) throw new ConfigError(`AUDIT_RETENTION must be a duration of at least 1d, like 400d (unset keeps every event), got "${raw}"`);
  }
  return {
    keepMs,
    archiveDir: readString(env, 'AUDIT_ARCHIVE_DIR', join(dirname(readString(env, 'AUDIT_DB', './data/audit.db')), 'archives')),
    archive: readBoolean(env, 'AUDIT_RETENTION_ARCHIVE', true),
    cron: readCron(env, 'AUDIT_RETENTION_CRON', '17 3 * * *'),
  };
}

/** At least this long, whatever the cron: one slow run must not make the data look stale. */
const MIN_DEFAULT_STALE_AFTER_MS = 15 * 60_000;

/** AUDIT_STALE_AFTER, or by default three times the cron's longest gap between runs, at least 15 minutes. */
function readStaleAfter(env: Env, name: string, cron: string, tz: string): number {
  if (nonEmpty(env[name]) !== undefined) return readDuration(env, name, '0', 1);
  return Math.max(MIN_DEFAULT_STALE_AFTER_MS, 3 * longestCronGapMs(cron, tz));
}

/**
 * The longest gap between the next few fire times. Only the next two would do for a regular cron,
 * but a weekday-only one measured on a Tuesday would forget the weekend.
 */
export function longestCronGapMs(cron: string, tz: string, from: Date = new Date(), fires = 16): number {
  const times = CronExpressionParser.parse(cron, { tz, currentDate: from }).take(fires).map((d) => d.getTime());
  let longest = 0;
  for (let i = 1; i < times.length; i += 1) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest;
}

/** FLATFILE_API_URL or FLATFILE_REGION, refused before any connection when it would send the token in clear text. */
function readApiEndpoint(env: Env): ApiEndpoint {
  const api = resolveApiEndpoint(nonEmpty(env.FLATFILE_API_URL), nonEmpty(env.FLATFILE_REGION));
  assertSecureApiUrl(api.url, env);
  return api;
}

/** An answer is decoded into one string, and V8 strings stop short of 512 MiB. */
const MAX_TEXT_BYTES = 256 * 2 ** 20;
const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, kb: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20 };

/** A size in bytes, or with a unit: 67108864, 64MB, 64MiB, 512kb (units are powers of 1024). */
function readBytes(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw);
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  const value = match && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a size from 1KB to 256MB (a number of bytes, or with KB or MB), got "${raw}"`);
  }
  return value;
}

/** An http(s) URL setting; the value shown in an error has any credentials masked. */
function readUrl(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError(`${name} must be an http(s) URL, got "${redactUrl(value)}"`);
  return value.replace(/\/+$/, '');
}

function readCheckpointConfig(env: Env): CheckpointConfig {
  const file = nonEmpty(env.AUDIT_CHECKPOINT_FILE);
  const signingKeyFile = nonEmpty(env.AUDIT_SIGNING_KEY_FILE);
  const url = nonEmpty(env.AUDIT_CHECKPOINT_URL) === undefined ? undefined : readUrl(env, 'AUDIT_CHECKPOINT_URL', '');
  if (!file && (signingKeyFile || url)) {
    throw new ConfigError(`${signingKeyFile ? 'AUDIT_SIGNING_KEY_FILE' : 'AUDIT_CHECKPOINT_URL'} needs AUDIT_CHECKPOINT_FILE: checkpoints are chained through that file`);
  }
  return { file, signingKeyFile, url };
}

/** A lower-case SQL identifier: safe unquoted and in a connection's options, and the form psql users type. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function readPostgresConfig(env: Env): PostgresConfig | undefined {
  const url = nonEmpty(env.AUDIT_DATABASE_URL);
  if (url === undefined) {
    const orphan = ['AUDIT_DATABASE_SCHEMA', 'AUDIT_DATABASE_POOL_SIZE', 'AUDIT_DATABASE_STATEMENT_TIMEOUT'].find((name) => nonEmpty(env[name]) !== undefined);
    if (orphan) throw new ConfigError(`${orphan} needs AUDIT_DATABASE_URL: without it the SQLite file at AUDIT_DB is used`);
    return undefined;
  }
  return postgresConfig(env, url, 'AUDIT_DATABASE_URL');
}

/**
 * The PostgreSQL store at `url` (given as `source`: the variable or option messages name), with
 * the schema, pool size and statement timeout of `env`. Checked as AUDIT_DATABASE_URL is: `copy-store --to` takes the same URLs.
 */
export function postgresConfig(env: Env, url: string, source: string): PostgresConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Neither the value nor the parser's error (which carries the input) is shown: it may hold a password.
    throw new ConfigError(`${source} is not a valid URL (not shown: it may hold a password); expected postgres://user@host:port/database`);
  }
  // The authority form only: in `postgres:user:secret@host` the password would pass for a database name, and be echoed as one.
  if ((parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') || !/^postgres(ql)?:\/\//i.test(url)) {
    throw new ConfigError(`${source} must start with postgres:// or postgresql:// (value not shown: it may hold a password), got a ${parsed.protocol} URL`);
  }
  const schema = readString(env, 'AUDIT_DATABASE_SCHEMA', 'public');
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(`AUDIT_DATABASE_SCHEMA must be a lower-case SQL identifier (a-z, 0-9 and _, not starting with a digit, at most 63 characters), got "${schema}"`);
  }
  return {
    url,
    schema,
    poolSize: readInt(env, 'AUDIT_DATABASE_POOL_SIZE', 8, 1, 100),
    statementTimeoutMs: readDuration(env, 'AUDIT_DATABASE_STATEMENT_TIMEOUT', '1m', 1000),
  };
}

function readSecret(env: Env, name: string, minLength: number): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  if (raw.length < minLength) throw new ConfigError(`${name} must be at least ${minLength} characters long`);
  return raw;
}

function readHostNames(env: Env, name: string): string[] {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const host = normalizeHostName(entry);
      if (host === undefined) throw new ConfigError(`${name} must list host names separated by commas (no ports, no schemes), got "${entry}"`);
      return host;
    });
}

function readRedisUrl(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL, got "${redactUrl(value)}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(`${name} must be a redis:// or rediss:// URL, got "${redactUrl(value)}"`);
  return value;
}

/** A URL fit for an error message: any password replaced. */
/** The URL with its password masked; up to the last `@`, since a password may contain one. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]*):.*@(?=[^@]*$)/, '//$1:***@');
}

function readCron(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name, fallback);
  const fields = raw.split(/\s+/).length;
  if (fields !== 5 && fields !== 6) throw new ConfigError(`${name} must have 5 fields (or 6 with seconds first), got "${raw}"`);
  try {
    CronExpressionParser.parse(raw);
  } catch (error) {
    throw new ConfigError(`${name} "${raw}" is not a valid cron pattern: ${(error as Error).message}`);
  }
  return raw;
}

function readTimezone(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name, fallback);
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw });
  } catch {
    throw new ConfigError(`${name} must be an IANA time zone like UTC or Europe/Berlin, got "${raw}"`);
  }
  return raw;
}

function readCredentials(env: Env): CredentialSource {
  const tokens = TOKEN_VARIABLES.filter((name) => nonEmpty(env[name]) !== undefined);
  const tokenFile = nonEmpty(env.FLATFILE_TOKEN_FILE);
  const clientId = nonEmpty(env.FLATFILE_CLIENT_ID);
  const secret = nonEmpty(env.FLATFILE_SECRET);
  const given = [...tokens, tokenFile && 'FLATFILE_TOKEN_FILE', (clientId || secret) && 'FLATFILE_CLIENT_ID/FLATFILE_SECRET'].filter(Boolean);
  if (given.length > 1) {
    // Flatfile's own tools disagree on which alias wins (the SDK prefers FLATFILE_BEARER_TOKEN, its plugins FLATFILE_API_KEY): never guess.
    const why = given.length === tokens.length ? 'they are aliases, and a token must come from one place' : 'they name different credentials';
    throw new ConfigError(`set only one of ${given.join(', ')} (${why})`);
  }
  const variable = tokens[0];
  if (variable) return { kind: 'token', token: nonEmpty(env[variable])!, variable };
  if (tokenFile) return { kind: 'token-file', path: tokenFile, credentialsDirectory: nonEmpty(env.CREDENTIALS_DIRECTORY) };
  if (clientId || secret) {
    if (!clientId || !secret) throw new ConfigError('FLATFILE_CLIENT_ID and FLATFILE_SECRET must be set together');
    return { kind: 'legacy', clientId, secret };
  }
  return { kind: 'none' };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function readString(env: Env, name: string, fallback: string): string {
  return nonEmpty(env[name]) ?? fallback;
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function readDuration(env: Env, name: string, fallback: string, minMs = 0): number {
  const raw = nonEmpty(env[name]) ?? fallback;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < minMs) throw new ConfigError(`${name} must be a duration like 90s, 15m or 2h, got "${raw}"`);
  return ms;
}

function readDate(env: Env, name: string): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const time = Date.parse(raw);
  if (Number.isNaN(time)) throw new ConfigError(`${name} must be an ISO-8601 date like 2024-01-31T00:00:00Z, got "${raw}"`);
  return new Date(time).toISOString();
}

function readChoice(env: Env, name: string, fallback: string, choices: string[]): string {
  const raw = readString(env, name, fallback).toLowerCase();
  if (!choices.includes(raw)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}
