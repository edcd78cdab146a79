/**
 * Is the configured credential accepted by Flatfile right now? One cheap authenticated request
 * (the first page of GET /environments, one item), made with the credential as a sync would read
 * it (a token file is read afresh). `status --check` asks this instead of trusting what the last
 * run stored, because a worker whose token is rejected while listing the environments stores no
 * run at all, and a token rotated since the last run is accepted already.
 */
import type { Config } from '../config.js';
import { RateLimitedError, TokenRejectedError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { connectFlatfile } from './connect.js';

export type TokenProbe =
  | { kind: 'accepted' }
  | { kind: 'rejected'; message: string }
  /** The API asked us to slow down before it said either way: not a problem of the token's. */
  | { kind: 'rate-limited' }
  /** No answer that says either way (network, a 5xx after one retry, another 4xx). */
  | { kind: 'failed'; message: string };

/** Retries of the probe's request: one, so a probe stays within about two request timeouts. */
const PROBE_RETRIES = 1;

/** Settings errors (no credential, an unreadable token file) are thrown: they are bad settings, not an answer. */
export async function probeToken(config: Config, log: Logger): Promise<TokenProbe> {
  const http = await connectFlatfile({ ...config, maxRetries: PROBE_RETRIES }, log, { onRateLimit: 'throw' });
  try {
    await http.get('/environments', { pageSize: 1, pageNumber: 1 });
    return { kind: 'accepted' };
  } catch (error) {
    if (error instanceof TokenRejectedError) return { kind: 'rejected', message: describeError(error) };
    if (error instanceof RateLimitedError) return { kind: 'rate-limited' };
    return { kind: 'failed', message: describeError(error) };
  }
}
