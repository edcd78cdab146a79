/**
 * `flatfile-audit cursor reset --environment ID --since ISO`: moves one environment's listing back
 * so that the next run (worker or sync --once) re-reads from there, storing what is missing (rule 11
 * of src/store/audit-store.ts; the plan in src/sync/plan-listing.ts). Logged with the old and the new
 * value, and recorded in operator_actions with who ran it.
 */
import type { Config } from '../config.js';
import { UnknownEnvironmentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EnvironmentCursor } from '../store/audit-store.js';
import { openStore } from '../store/open-store.js';
import { planReset } from '../sync/plan-listing.js';
import { syncOptionsFrom } from '../sync/sync-options.js';
import { EXIT, type CliContext } from './context.js';
import { currentOperator } from './operator.js';

export async function runCursorReset(ctx: CliContext, config: Config, log: Logger, request: { environmentId: string; since: string }): Promise<number> {
  const { environmentId, since } = request;
  const store = await openStore(config);
  try {
    const cursor = await store.readCursor(environmentId);
    if (!cursor) throw new UnknownEnvironmentError(environmentId, 'it has no cursor in the audit database: never synced');
    const now = new Date();
    const plan = planReset(cursor, since, { ...syncOptionsFrom(config), now });
    if (plan.kind === 'already') {
      ctx.stdout.write(`cursor of ${environmentId} left as it is: its next run reads from ${plan.since ?? 'the beginning'} anyway, no later than --since ${since}\n`);
      return EXIT.ok;
    }
    const operator = currentOperator();
    const result = await store.resetCursor({
      environmentId, listing: plan.listing, requestedSince: since, at: now.toISOString(),
      staleBefore: new Date(now.getTime() - config.worker.staleAfterMs).toISOString(), operator,
    });
    log.warn(
      { envId: environmentId, operator, actionId: result.actionId, requestedSince: since, before: position(result.before), after: position(result.after) },
      'cursor reset by an operator: the next run re-reads from the new position',
    );
    ctx.stdout.write(
      `cursor of ${environmentId} reset: the next run re-reads from ${plan.listing.since ?? 'the beginning'} ` +
        `(was: ${describePosition(result.before)}); recorded as operator action ${result.actionId}\n`,
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** What decides where the next run reads: the high-water mark and the listing under way. */
function position(cursor: EnvironmentCursor) {
  return { highWater: cursor.highWater, listing: cursor.listing && { since: cursor.listing.since, nextPage: cursor.listing.nextPage, pageSize: cursor.listing.pageSize } };
}

function describePosition(cursor: EnvironmentCursor): string {
  const listing = cursor.listing ? `, listing from ${cursor.listing.since ?? 'the beginning'} at page ${cursor.listing.nextPage}` : '';
  return `high water ${cursor.highWater ?? 'none'}${listing}`;
}
