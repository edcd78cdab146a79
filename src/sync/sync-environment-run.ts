/**
 * One environment as a unit of work of its own (a worker job): its own batch writer and its own
 * `sync_runs` row. Everything pending is committed before it returns or throws.
 */
import type { FlatfileHttp } from '../flatfile/http-client.js';
import type { Logger } from '../log.js';
import type { CheckpointWriter } from '../checkpoint/checkpoint-writer.js';
import type { AuditStore } from '../store/audit-store.js';
import { BatchWriter } from './batch-writer.js';
import { recordRun } from './record-run.js';
import { syncEnvironment, type EnvironmentReport, type EnvironmentRequest } from './sync-environment.js';
import type { SyncOptions } from './sync-options.js';

export interface EnvironmentRunDeps {
  http: FlatfileHttp;
  store: AuditStore;
  log: Logger;
  clock?: () => Date;
  signal: AbortSignal;
  checkpoints?: Pick<CheckpointWriter, 'append'> | undefined;
}

export interface EnvironmentRun {
  trigger: string;
  jobId?: string | undefined;
}

export async function syncEnvironmentRun(
  deps: EnvironmentRunDeps,
  environment: { id: string; name: string },
  options: SyncOptions,
  run: EnvironmentRun,
  request: EnvironmentRequest = {},
): Promise<EnvironmentReport & { runId: number; requests: number }> {
  const clock = deps.clock ?? (() => new Date());
  const writer = new BatchWriter(deps.store, options.writeBatchRows);
  const { runId, result } = await recordRun(
    deps.store,
    { startedAt: clock().toISOString(), trigger: run.trigger, scope: environment.id, jobId: run.jobId },
    clock,
    () => syncEnvironment({ ...deps, clock, writer }, environment, options, request),
    (report) => ({
      status: report.status === 'ok' ? 'ok' : 'partial',
      error: report.errors.length > 0 ? report.errors.join('; ') : null,
      newEvents: report.newEvents, rejected: report.rejected, pages: report.pages, requests: deps.http.stats.requests,
      environmentsOk: report.status === 'ok' ? 1 : 0, environmentsFailed: report.status === 'ok' ? 0 : 1,
      details: { environment: report, httpStats: deps.http.stats },
    }),
  );
  return { ...result, runId, requests: deps.http.stats.requests };
}
