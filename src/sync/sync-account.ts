/**
 * One sync run over the whole account: environments and users first (account level), then every
 * environment with bounded concurrency. A failure scoped to one environment marks it failed and
 * the run goes on; a rejected token or a store failure cancels every request under way and ends
 * the run at once, leaving the stored data as it was (nothing uncommitted is written after it).
 */
import pLimit from 'p-limit';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import { AbortedError, describeError, toError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CheckpointWriter } from '../checkpoint/checkpoint-writer.js';
import type { AuditStore, RunStatus } from '../store/audit-store.js';
import { BatchWriter } from './batch-writer.js';
import type { SyncOptions } from './sync-options.js';
import { syncEnvironmentList, syncPersonalAccessTokens, syncUsers } from './sync-directory.js';
import { syncEnvironment, type EnvironmentReport } from './sync-environment.js';
import { warnVisibilityLag } from './warn-visibility-lag.js';

export interface SyncDeps {
  http: FlatfileHttp;
  store: AuditStore;
  log: Logger;
  clock?: () => Date;
  /** Cancels the run (shutdown); requests under way are aborted. */
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Appends a checkpoint after each environment (AUDIT_CHECKPOINT_FILE). */
  checkpoints?: Pick<CheckpointWriter, 'append'> | undefined;
}

export type SyncProgress =
  | { kind: 'environments'; environments: Array<{ id: string; name: string }> }
  | { kind: 'page'; environmentId: string; pages: number }
  | { kind: 'environment-done'; report: EnvironmentReport };

export interface RunReport {
  runId: number;
  status: Exclude<RunStatus, 'running'>;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  newEvents: number;
  rejected: number;
  pages: number;
  requests: number;
  users: number;
  environments: EnvironmentReport[];
  /** What ended the run early, if anything did. */
  error: Error | null;
}

export async function syncAccount(deps: SyncDeps, options: SyncOptions, trigger = 'cli'): Promise<RunReport> {
  const clock = deps.clock ?? (() => new Date());
  const { http, store } = deps;
  const startedAt = clock();
  const runId = await store.startRun({ startedAt: startedAt.toISOString(), trigger, scope: 'account' });
  const log = deps.log.child({ runId });
  const cancel = new AbortController();
  const onOuterAbort = () => cancel.abort(deps.signal?.reason);
  deps.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const writer = new BatchWriter(store, options.writeBatchRows);
  const environments: EnvironmentReport[] = [];
  let users = 0;
  let fatal: Error | null = null;

  try {
    const directory = { http, store, log, clock, signal: cancel.signal };
    const environmentList = await syncEnvironmentList(directory, options.pageSize);
    deps.onProgress?.({ kind: 'environments', environments: environmentList.map((e) => ({ id: e.id, name: e.name })) });
    users = await syncUsers(directory, options.pageSize);
    await syncPersonalAccessTokens(directory);

    const limit = pLimit(options.concurrency);
    await Promise.all(
      environmentList.map((environment) =>
        limit(async () => {
          if (cancel.signal.aborted) return;
          try {
            const report = await syncEnvironment(
              {
                http, store, writer, clock, signal: cancel.signal, checkpoints: deps.checkpoints,
                log: log.child({ envId: environment.id }),
                onPage: (environmentId, pages) => deps.onProgress?.({ kind: 'page', environmentId, pages }),
              },
              environment,
              options,
            );
            environments.push(report);
            deps.onProgress?.({ kind: 'environment-done', report });
          } catch (error) {
            // The first fatal error wins; the aborts it causes elsewhere are its echo, not news.
            if (!fatal) fatal = toError(error);
            cancel.abort(fatal);
          }
        }),
      ),
    );
  } catch (error) {
    fatal ??= toError(error);
    cancel.abort(fatal);
  } finally {
    deps.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (!fatal && deps.signal?.aborted) fatal = new AbortedError(deps.signal.reason);

  const failed = environments.filter((e) => e.status === 'failed').length;
  const status = fatal ? 'failed' : failed > 0 ? 'partial' : 'ok';
  const finishedAt = clock();
  const report: RunReport = {
    runId,
    status,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    // From the writer, not the environment reports: an environment cut short by a fatal error has no report, yet what it committed counts.
    newEvents: writer.totalInserted(),
    rejected: environments.reduce((n, e) => n + e.rejected, 0),
    pages: environments.reduce((n, e) => n + e.pages, 0),
    requests: http.stats.requests,
    users,
    environments,
    error: fatal,
  };
  const errorText = fatal ? describeError(fatal) : failed > 0 ? `${failed} environment(s) failed` : null;
  await store.finishRun(runId, {
    status, finishedAt: report.finishedAt, newEvents: report.newEvents, rejected: report.rejected, pages: report.pages,
    requests: report.requests, environmentsOk: environments.length - failed, environmentsFailed: failed, error: errorText,
    details: { environments, httpStats: http.stats },
  });
  if (fatal) log.error({ err: fatal }, 'sync run failed');
  else log.info({ newEvents: report.newEvents, durationMs: report.durationMs, status }, 'sync run finished');
  if (!fatal) await warnVisibilityLag(store, log, options.lookbackMs, finishedAt);
  return report;
}
