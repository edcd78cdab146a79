/**
 * `flatfile-audit sync --once --environment ID [--since ISO]`: one environment synced straight into
 * the database (no Redis), as a worker's environment job would, in a sync_runs row of that
 * environment's scope. With --since, a catch-up listing first stores the events from that time on
 * that are missing (src/sync/catch-up-listing.ts), without touching the cursor; the usual
 * incremental listing follows.
 */
import { loadConfig } from '../config.js';
import { connectFlatfile, connectionSummary } from '../flatfile/connect.js';
import { listEnvironments } from '../flatfile/environments.js';
import { formatDuration } from '../duration.js';
import { UnknownEnvironmentError } from '../errors.js';
import { createLogger } from '../log.js';
import { openCheckpointWriter, prepareCheckpoints } from '../checkpoint/open-checkpoints.js';
import { openStore } from '../store/open-store.js';
import { syncEnvironmentRun } from '../sync/sync-environment-run.js';
import { syncOptionsFrom } from '../sync/sync-options.js';
import { EXIT, type CliContext } from './context.js';

export async function syncEnvironmentOnce(ctx: CliContext, request: { environmentId: string; since: string | undefined }): Promise<number> {
  const config = loadConfig(ctx.env);
  const log = createLogger({ level: config.logLevel }).child({ envId: request.environmentId });
  const checkpointSettings = prepareCheckpoints(config);
  const store = await openStore(config);
  try {
    const checkpoints = checkpointSettings && openCheckpointWriter(checkpointSettings, store, log);
    try {
      const http = await connectFlatfile(config, log);
      // Asked of the API, not the store: an environment created since the last run is synced too.
      const environments = await listEnvironments(http, config.pageSize, ctx.signal);
      const environment = environments.records.find((e) => e.id === request.environmentId);
      if (!environment) throw new UnknownEnvironmentError(request.environmentId, `the API lists ${environments.records.length} environment(s) for this token, not this one`);
      log.info({ api: connectionSummary(config), since: request.since }, 'environment sync starting');
      const report = await syncEnvironmentRun(
        { http, store, log, signal: ctx.signal, checkpoints },
        { id: environment.id, name: environment.name },
        syncOptionsFrom(config),
        { trigger: 'cli' },
        { catchUpSince: request.since },
      );
      const label = `${environment.name} (${environment.id})`;
      if (report.catchUp) {
        ctx.stdout.write(`catch-up from ${report.catchUp.since}: ${report.catchUp.served} events listed, ${report.catchUp.newEvents} of them missing and now stored\n`);
      }
      ctx.stdout.write(`run ${report.runId} ${report.status}: ${label}: ${report.newEvents} new events, ${report.pages} pages, ${report.rejected} rejected, ${report.requests} requests in ${formatDuration(report.durationMs)}\n`);
      if (report.status !== 'ok') ctx.stderr.write(`flatfile-audit: environment ${label} failed: ${report.errors.join('; ')}\n`);
      return report.status === 'ok' ? EXIT.ok : EXIT.failed;
    } finally {
      await checkpoints?.close();
    }
  } finally {
    await store.close();
  }
}
