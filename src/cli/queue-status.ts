/** The queue part of `status`; says so plainly when Redis cannot be reached, instead of failing the command. */
import { readQueueReport, type QueueReport } from '../../jobs/queue-report.js';
import type { WorkerConfig } from '../config.js';
import { describeError } from '../errors.js';
import { formatTable } from '../output/format.js';
import { openQueue } from './queue-connection.js';
import { escapeControl } from '../output/safe-text.js';

export type QueueStatus = (QueueReport & { reachable: true }) | { reachable: false; error: string };

export async function readQueueStatus(config: WorkerConfig): Promise<QueueStatus> {
  let handle;
  try {
    handle = await openQueue(config, 1000);
  } catch (error) {
    return { reachable: false, error: describeError(error) };
  }
  try {
    return { reachable: true, ...(await readQueueReport(handle.queue)) };
  } finally {
    await handle.close();
  }
}

export function formatQueueStatus(status: QueueStatus): string {
  if (!status.reachable) return `queue: ${escapeControl(status.error)}\n`;
  const c = status.counts;
  const lines = [
    // From Redis, so written by whoever can write there: escaped like stored text.
    `queue: ${status.workers} worker(s) connected; next scheduled run ${status.nextRun ?? 'none (no worker has registered the schedule)'}`,
    `jobs: ${c.waiting ?? 0} waiting, ${c.active ?? 0} active, ${c.delayed ?? 0} delayed, ${c.failed ?? 0} failed, ${c.completed ?? 0} completed`,
  ].map(escapeControl);
  if (status.lastFailures.length > 0) {
    lines.push('last failures:', formatTable(status.lastFailures.map((f) => ({ scope: f.scope, at: f.at, reason: f.reason }))).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
