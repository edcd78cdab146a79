/**
 * Every setting, read from the environment once at start and validated with one clear message
 * per bad value. Credentials are described here but read (token file included) at the start of
 * each sync, so a rotated token needs no restart: see src/flatfile/credentials.ts.
 */
import { CronExpressionParser } from 'cron-parser';
import { ConfigError } from './errors.js';
import { parseDuration } from './duration.js';
import { normalizeHostName } from './host-name.js';

export type CredentialSource =
  | { kind: 'token'; token: string }
  | { kind: 'token-file'; path: string }
  | { kind: 'legacy'; clientId: string; secret: string }
  | { kind: 'none' };

export interface Config {
  apiUrl: string;
  credentials: CredentialSource;
  dbPath: string;
  /** Re-read this much before the newest event already stored, to catch events that show up late. */
  lookbackMs: number;
  /** Start of the first backfill (ISO); undefined means the whole history. */
  backfillSince: string | undefined;
  concurrency: number;
  pageSize: number;
  requestTimeoutMs: number;
  maxRetries: number;
  /** Rows gathered from fetched pages before one write transaction. */
  writeBatchRows: number;
  logLevel: string;
  logPretty: boolean;
  worker: WorkerConfig;
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
  shutdownTimeoutMs: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after about this long. */
  jobLockMs: number;
}

export const DEFAULT_API_URL = 'https://platform.flatfile.com/api/v1';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses and validates all settings; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  return {
    apiUrl: readUrl(env, 'FLATFILE_API_URL', DEFAULT_API_URL),
    credentials: readCredentials(env),
    dbPath: readString(env, 'AUDIT_DB', './data/audit.db'),
    lookbackMs: readDuration(env, 'AUDIT_LOOKBACK', '15m'),
    backfillSince: readDate(env, 'AUDIT_BACKFILL_SINCE'),
    concurrency: readInt(env, 'AUDIT_CONCURRENCY', 4, 1, 64),
    pageSize: readInt(env, 'AUDIT_PAGE_SIZE', 100, 1, 1000),
    requestTimeoutMs: readDuration(env, 'AUDIT_REQUEST_TIMEOUT', '30s', 1),
    maxRetries: readInt(env, 'AUDIT_MAX_RETRIES', 8, 0, 100),
    writeBatchRows: readInt(env, 'AUDIT_WRITE_BATCH', 1000, 1, 100_000),
    logLevel: readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    logPretty: readBoolean(env, 'LOG_PRETTY', false),
    worker: {
      redisUrl: readRedisUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379'),
      queuePrefix: readString(env, 'AUDIT_QUEUE_PREFIX', 'flatfile-audit'),
      cron: readCron(env, 'AUDIT_SYNC_CRON', '*/5 * * * *'),
      timezone: readTimezone(env, 'AUDIT_SYNC_TZ', 'UTC'),
      concurrency: readInt(env, 'AUDIT_WORKER_CONCURRENCY', 4, 1, 64),
      jobAttempts: readInt(env, 'AUDIT_JOB_ATTEMPTS', 5, 1, 100),
      httpPort: env.AUDIT_HTTP_PORT?.trim() ? readInt(env, 'AUDIT_HTTP_PORT', 0, 0, 65535) : undefined,
      httpHost: readString(env, 'AUDIT_HTTP_HOST', '127.0.0.1'),
      httpAllowedHosts: readHostNames(env, 'AUDIT_HTTP_ALLOWED_HOSTS'),
      dashboardPassword: readSecret(env, 'AUDIT_DASHBOARD_PASSWORD', 12),
      shutdownTimeoutMs: readDuration(env, 'AUDIT_SHUTDOWN_TIMEOUT', '30s', 1),
      jobLockMs: readDuration(env, 'AUDIT_JOB_LOCK', '30s', 1000),
    },
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
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]*):([^@]*)@/, '//$1:***@');
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
  const token = nonEmpty(env.FLATFILE_TOKEN);
  const tokenFile = nonEmpty(env.FLATFILE_TOKEN_FILE);
  const clientId = nonEmpty(env.FLATFILE_CLIENT_ID);
  const secret = nonEmpty(env.FLATFILE_SECRET);
  const given = [token && 'FLATFILE_TOKEN', tokenFile && 'FLATFILE_TOKEN_FILE', (clientId || secret) && 'FLATFILE_CLIENT_ID/FLATFILE_SECRET'].filter(Boolean);
  if (given.length > 1) throw new ConfigError(`set only one of ${given.join(', ')} (they name different credentials)`);
  if (token) return { kind: 'token', token };
  if (tokenFile) return { kind: 'token-file', path: tokenFile };
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

function readUrl(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
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
