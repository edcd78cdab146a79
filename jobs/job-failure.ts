/**
 * Turns what a sync threw into what BullMQ should do with the job:
 * - a rejected token, broken settings or an answer over AUDIT_MAX_RESPONSE_BYTES: fail now, no
 *   retries (UnrecoverableError); the next scheduled run tries again and reads the token file afresh;
 * - a 429: hand the wait to the queue's rate limiter and put the job back without using an attempt;
 * - a shutdown: put the job back in the queue for the next worker, without using an attempt;
 * - anything else: fail the attempt, to be retried with backoff.
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { AbortedError, ConfigError, RateLimitedError, ResponseTooLargeError, TokenRejectedError, describeError } from '../src/errors.js';
import type { JobContext } from './job-context.js';

export async function handleJobFailure(error: unknown, job: Job, token: string | undefined, signal: AbortSignal, ctx: JobContext): Promise<never> {
  const log = ctx.log.child({ jobId: job.id, job: job.name });
  if (error instanceof TokenRejectedError || error instanceof ConfigError || error instanceof ResponseTooLargeError) {
    if (error instanceof TokenRejectedError) ctx.metrics.tokenRejected.set(1);
    log.error({ code: error.code }, describeError(error));
    throw new UnrecoverableError(describeError(error));
  }
  if (error instanceof RateLimitedError) {
    log.warn({ waitMs: error.waitMs }, 'Flatfile API rate limit: pausing the queue');
    // Redis refuses a zero expiry (SET … PX 0), and a Retry-After of 0 with no jitter asks for exactly that.
    await ctx.queue.rateLimit(Math.max(1, Math.ceil(error.waitMs)));
    throw Worker.RateLimitError();
  }
  if (error instanceof AbortedError && signal.aborted) {
    log.info('shutting down: job returned to the queue');
    await job.moveToWait(token);
    throw new WaitingError();
  }
  throw error;
}
