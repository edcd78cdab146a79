import { ApiError, ListingFailedError, ResponseTooLargeError, RetriesExhaustedError } from '../errors.js';

/**
 * True for failures that concern one environment only (it answered 404, kept failing, or sent
 * something unusable or too large): that environment is marked failed and the others go on. Everything else (a
 * rejected token, a store failure, cancellation, a bug) stops the whole run.
 */
export function isEnvironmentScoped(error: unknown): boolean {
  return error instanceof ApiError || error instanceof RetriesExhaustedError || error instanceof ListingFailedError || error instanceof ResponseTooLargeError;
}
