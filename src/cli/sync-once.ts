/** `flatfile-audit sync --once`: one full sync straight into the database, no Redis involved. */
import { loadConfig } from '../config.js';
import { connectFlatfile, connectionSummary, formatConnection } from '../flatfile/connect.js';
import { createLogger } from '../log.js';
import { openCheckpointWriter, prepareCheckpoints } from '../checkpoint/open-checkpoints.js';
import { openStore } from '../store/open-store.js';
import { syncAccount, type RunReport } from '../sync/sync-account.js';
import { syncOptionsFrom } from '../sync/sync-options.js';
import { TokenRejectedError, describeError } from '../errors.js';
import { EXIT, type CliContext } from './context.js';
import { terminalProgress } from './progress.js';
import { formatSyncSummary } from './sync-summary.js';

export async function syncOnce(ctx: CliContext): Promise<number> {
  const config = loadConfig(ctx.env);
  // On a terminal the progress lines say what info logs would; explicit LOG_LEVEL still wins.
  const level = ctx.env.LOG_LEVEL ? config.logLevel : ctx.stderr.isTTY ? 'warn' : config.logLevel;
  const log = createLogger({ level });
  const checkpointSettings = prepareCheckpoints(config);
  const store = await openStore(config);
  let report: RunReport;
  try {
    const checkpoints = checkpointSettings && openCheckpointWriter(checkpointSettings, store, log);
    try {
      const http = await connectFlatfile(config, log);
      // Logged once the credential has been read, so a bad token file still gets its one-line error alone.
      log.info({ api: connectionSummary(config) }, 'sync run starting');
      if (ctx.stderr.isTTY) ctx.stderr.write(`${formatConnection(config)}\n`);
      report = await syncAccount({ http, store, log, signal: ctx.signal, onProgress: terminalProgress(ctx.stderr), checkpoints }, syncOptionsFrom(config), 'cli');
    } finally {
      await checkpoints?.close();
    }
  } finally {
    await store.close();
  }
  ctx.stdout.write(formatSyncSummary(report));
  if (report.error instanceof TokenRejectedError) {
    ctx.stderr.write(`flatfile-audit: ${describeError(report.error)}\n`);
    return EXIT.tokenRejected;
  }
  if (report.error) ctx.stderr.write(`flatfile-audit: sync failed: ${describeError(report.error)}\n`);
  for (const failed of report.environments.filter((e) => e.status === 'failed')) {
    ctx.stderr.write(`flatfile-audit: environment ${failed.name} (${failed.environmentId}) failed: ${failed.errors.join('; ')}\n`);
  }
  return report.status === 'ok' ? EXIT.ok : EXIT.failed;
}
