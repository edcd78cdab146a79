/**
 * The few named errors flatfile-audit raises. Each has a stable `code` that callers branch on
 * (the CLI's exit code, the worker's retry decision); every wrapper keeps the original as `cause`.
 */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'TOKEN_REJECTED'
  | 'API_ERROR'
  | 'NOT_FOUND'
  | 'RETRIES_EXHAUSTED'
  | 'ABORTED'
  | 'STORE_FAILED'
  | 'QUERY_REFUSED'
  | 'RATE_LIMITED'
  | 'LISTING_FAILED'
  | 'RESPONSE_TOO_LARGE'
  | 'CHECKPOINT_FAILED'
  | 'QUERY_TIMEOUT'
  | 'COPY_REFUSED'
  | 'FORWARD_FAILED'
  | 'UNKNOWN_ENVIRONMENT'
  | 'RESET_REFUSED';

export class AuditError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A setting is missing or malformed; the message names the variable and what it expects. */
export class ConfigError extends AuditError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** The API refused the credential (401/403). Never retried: a new token is needed. */
export class TokenRejectedError extends AuditError {
  readonly status: number;

  constructor(status: number, detail: string, remedy = 'create a new Personal Access Token and set FLATFILE_TOKEN or FLATFILE_TOKEN_FILE') {
    super('TOKEN_REJECTED', `Flatfile rejected the token (HTTP ${status}${detail ? `: ${detail}` : ''}); ${remedy}`);
    this.status = status;
  }
}

/** A request failed in a way retrying cannot fix (a 4xx other than 401/403/404/408/429). */
export class ApiError extends AuditError {
  readonly status: number;

  constructor(status: number, message: string, code: ErrorCode = 'API_ERROR') {
    super(code, message);
    this.status = status;
  }
}

/** The object named in the request does not exist (any more). */
export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, message, 'NOT_FOUND');
  }
}

/**
 * One environment's events listing cannot be trusted to go on (the API kept changing its page size,
 * or served the same page for every page number): that environment fails for this run, the others go on.
 */
export class ListingFailedError extends AuditError {
  constructor(message: string) {
    super('LISTING_FAILED', message);
  }
}

/**
 * An answer was larger than AUDIT_MAX_RESPONSE_BYTES (counted after decompression), so it was cut
 * off unread. Never retried: the same request would bring the same answer.
 */
export class ResponseTooLargeError extends AuditError {
  readonly limitBytes: number;

  constructor(route: string, limitBytes: number) {
    super('RESPONSE_TOO_LARGE', `${route} answered more than ${formatBytes(limitBytes)} (counted after decompression) and was refused; raise AUDIT_MAX_RESPONSE_BYTES if such answers are expected`);
    this.limitBytes = limitBytes;
  }
}

function formatBytes(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

/** Transient failures outlasted the retry budget; `cause` is the last one. */
export class RetriesExhaustedError extends AuditError {
  constructor(message: string, cause: unknown) {
    super('RETRIES_EXHAUSTED', message, { cause });
  }
}

/**
 * The API asked us to slow down, and the caller chose to hand the wait to someone else (the worker
 * gives it to the queue's rate limiter instead of holding a job slot while it sleeps).
 */
export class RateLimitedError extends AuditError {
  readonly waitMs: number;

  constructor(waitMs: number) {
    super('RATE_LIMITED', `the API is rate limiting us; retry in ${Math.ceil(waitMs / 1000)} s`);
    this.waitMs = waitMs;
  }
}

/** The work was cancelled (shutdown, or another environment hit a fatal error). */
export class AbortedError extends AuditError {
  constructor(reason?: unknown) {
    super('ABORTED', 'sync aborted', { cause: reason });
  }
}

/** A checkpoint could not be written to AUDIT_CHECKPOINT_FILE (the sync's own data is unaffected). */
export class CheckpointError extends AuditError {
  constructor(message: string, cause?: unknown) {
    super('CHECKPOINT_FAILED', message, { cause });
  }
}

/** A `query` ran past its --timeout and was stopped (the rows read so far were printed). */
export class QueryTimeoutError extends AuditError {
  constructor(message: string) {
    super('QUERY_TIMEOUT', message);
  }
}

/**
 * `copy-store` will not copy into this target: it holds another trail, or one ahead of the source,
 * or the source holds what the target could not keep verifiable. Nothing was written.
 */
export class CopyRefusedError extends AuditError {
  constructor(message: string) {
    super('COPY_REFUSED', message);
  }
}

/** An environment id that neither the API nor the store knows; the message says how to list them. */
export class UnknownEnvironmentError extends AuditError {
  readonly environmentId: string;

  constructor(environmentId: string, where: string) {
    super('UNKNOWN_ENVIRONMENT', `unknown environment ${environmentId} (${where}); list the environments with: flatfile-audit status`);
    this.environmentId = environmentId;
  }
}

/** A cursor reset that would not be safe now (a run of the environment is under way): nothing was changed. */
export class CursorResetRefusedError extends AuditError {
  constructor(message: string) {
    super('RESET_REFUSED', message);
  }
}

/** Coerces anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${String(thrown)}`, { cause: thrown });
}

/** A batch was not acknowledged by the forwarding receiver after every try; the forwarder's position stays before it. */
export class ForwardFailedError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FORWARD_FAILED', message, options);
  }
}

/** One line for humans: the message plus the first cause's, without stacks. */
export function describeError(thrown: unknown): string {
  const error = toError(thrown);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message}: ${cause}` : error.message;
}
