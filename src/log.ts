/**
 * The root pino logger. JSON lines to stderr (stdout is kept for command output). Redaction is a
 * second line of defence: code never passes a secret to the logger on purpose, but if an object
 * holding one is logged by mistake, these paths are censored, and every line is masked by value
 * (mask-secrets.ts) before it is written, so a key inside a message or a URL is caught too.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { maskSecrets } from './mask-secrets.js';

export type { Logger };

const REDACT_PATHS = [
  'token',
  'secret',
  'accessToken',
  'guestLink',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.token',
  '*.secret',
  '*.accessToken',
  '*.guestLink',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'credentials.token',
  'credentials.secret',
  '*.credentials.token',
  '*.credentials.secret',
];

export interface LogOptions {
  level: string;
  /** Human-readable lines instead of JSON (LOG_PRETTY=1, or a terminal). */
  pretty?: boolean;
  /** Where lines go; defaults to stderr. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

/** Creates the root logger; children add `envId`, `runId` or `jobId`. */
export function createLogger(options: LogOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'flatfile-audit' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: maskSecrets },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info", not pino's 30: what Loki, Datadog and a person grepping the lines expect.
      formatters: { level: (label) => ({ level: label }) },
    },
    options.pretty
      ? pretty({ destination: options.destination ?? 2, sync: true, colorize: options.destination === undefined && process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' })
      : (options.destination ?? pino.destination({ fd: 2, sync: true })),
  );
}
