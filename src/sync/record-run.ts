/** Wraps a piece of sync work in a `sync_runs` row: opened before, closed after with its figures or its error. */
import { describeError } from '../errors.js';
import type { AuditStore, RunStart, RunSummary } from '../store/audit-store.js';

export type RunFigures = Omit<RunSummary, 'finishedAt' | 'error' | 'status'> & { status: 'ok' | 'partial'; error?: string | null };

export async function recordRun<T>(
  store: AuditStore,
  start: RunStart,
  clock: () => Date,
  work: (runId: number) => Promise<T>,
  figures: (result: T) => RunFigures,
): Promise<{ runId: number; result: T }> {
  const runId = await store.startRun(start);
  let result: T;
  try {
    result = await work(runId);
  } catch (error) {
    await store.finishRun(runId, {
      status: 'failed', finishedAt: clock().toISOString(), newEvents: 0, rejected: 0, pages: 0, requests: 0,
      environmentsOk: 0, environmentsFailed: 0, error: describeError(error), details: null,
    });
    throw error;
  }
  const summary = figures(result);
  await store.finishRun(runId, { ...summary, error: summary.error ?? null, finishedAt: clock().toISOString() });
  return { runId, result };
}
