/** The human summary printed after `sync --once`: one row per environment, then the totals. */
import { formatDuration } from '../duration.js';
import { describeError } from '../errors.js';
import type { RunReport } from '../sync/sync-account.js';
import { formatTable } from '../output/format.js';

export function formatSyncSummary(report: RunReport): string {
  const rows = [...report.environments]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => ({
      environment: e.name,
      id: e.environmentId,
      'new events': e.newEvents,
      pages: e.pages,
      rejected: e.rejected,
      spaces: e.spaces,
      guests: e.guests,
      agents: e.agents,
      took: formatDuration(e.durationMs),
      status: e.status === 'ok' ? 'ok' : `FAILED: ${e.errors.join('; ')}`,
    }));
  const lines = [formatTable(rows).trimEnd()];
  lines.push(
    `run ${report.runId} ${report.status}: ${report.newEvents} new events, ${report.rejected} rejected, ${report.pages} pages, ` +
      `${report.requests} requests, ${report.users} users, ${report.environments.length} environments in ${formatDuration(report.durationMs)}`,
  );
  if (report.error) lines.push(`error: ${describeError(report.error)}`);
  return `${lines.join('\n')}\n`;
}
