/**
 * Job `token-rotation`: the daily check of AUDIT_PAT_ROTATE_EVERY (src/tokens/rotation-check.ts),
 * which rotates the token in FLATFILE_TOKEN_FILE once it is older than that. One scheduler id for
 * every worker (scheduler.ts) means one check a day however many workers there are; the rotation
 * state beside the token file makes a second check right after a rotation find the token new.
 *
 * A check that cannot rotate (a token file the worker cannot write, such as a mounted secret; a
 * refused token) fails this one job, no retries, with one line, and sets
 * flatfile_audit_token_rotation_failing (the FlatfileAuditTokenRotationFailed alert). The job's
 * result holds ids, names and times, never a token's value.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { describeError } from '../src/errors.js';
import { checkTokenRotation, type RotationCheckOutcome } from '../src/tokens/rotation-check.js';
import type { JobContext } from './job-context.js';
import type { TokenRotationData } from './queue.js';

export async function processTokenRotation(job: Job<TokenRotationData>, signal: AbortSignal, ctx: JobContext): Promise<RotationCheckOutcome | { outcome: 'off' }> {
  const everyMs = ctx.config.tokens.rotateEveryMs;
  if (everyMs === undefined) return { outcome: 'off' };
  const log = ctx.log.child({ jobId: job.id, job: job.name });
  let outcome: RotationCheckOutcome;
  try {
    outcome = await checkTokenRotation(ctx.config, log, { everyMs, now: ctx.clock, signal });
  } catch (error) {
    // Stopped by a shutdown: nothing failed (a rotation cut short is settled by the next check, rotate-token.ts).
    if (signal.aborted) throw error;
    ctx.metrics.tokenRotationFailing.set(1);
    ctx.metrics.tokenRotationChecks.inc({ outcome: 'failed' });
    const message = `scheduled token rotation failed: ${describeError(error)}`;
    log.error({ err: error }, message);
    throw new UnrecoverableError(message);
  }
  ctx.metrics.tokenRotationFailing.set(0);
  ctx.metrics.tokenRotationChecks.inc({ outcome: outcome.outcome });
  if (outcome.outcome === 'rotated') {
    ctx.metrics.tokenRotatedAt.set(ctx.clock().getTime() / 1000);
    log.info({ tokenId: outcome.created?.id, deleted: outcome.deleted, replacedTokenCreatedAt: outcome.tokenCreatedAt }, 'scheduled token rotation: FLATFILE_TOKEN_FILE holds a new token');
    if (outcome.replacedUnknown) {
      log.warn('scheduled token rotation: the replaced token was not written by flatfile-audit and is still valid; delete it in the Flatfile dashboard (flatfile-audit query --saved stale-tokens lists the tokens)');
    }
  } else {
    log.info({ tokenCreatedAt: outcome.tokenCreatedAt, everyDays: everyMs / 86_400_000 }, 'scheduled token rotation: not due yet');
  }
  return outcome;
}
