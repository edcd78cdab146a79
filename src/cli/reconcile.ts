/**
 * `flatfile-audit reconcile [--window 7d] [--environment ID]`: lists each environment's events of the
 * window again, straight into the database (no Redis), stores what the incremental runs missed, and
 * prints the drift per environment (src/sync/reconcile-environment.ts). Drift is a finding, not a
 * failure: exit 0, with a warning naming the AUDIT_LOOKBACK that would have caught the late events.
 */
import type { Config } from '../config.js';
import { connectFlatfile, connectionSummary } from '../flatfile/connect.js';
import { formatDuration, lookbackSetting } from '../duration.js';
import type { Logger } from '../log.js';
import { openStore } from '../store/open-store.js';
import { reconcileAccount, type EnvironmentReconcileReport } from '../sync/reconcile-account.js';
import { syncOptionsFrom } from '../sync/sync-options.js';
import { EXIT, type CliContext } from './context.js';
import { escapeControl } from '../output/safe-text.js';

export async function runReconcile(ctx: CliContext, config: Config, log: Logger, request: { windowMs: number; environmentId: string | undefined }): Promise<number> {
  const store = await openStore(config);
  let reports: EnvironmentReconcileReport[];
  try {
    const http = await connectFlatfile(config, log);
    log.info({ api: connectionSummary(config), windowMs: request.windowMs, environmentId: request.environmentId }, 'reconcile starting');
    reports = await reconcileAccount(
      { http, store, log, clock: () => new Date(), signal: ctx.signal },
      { ...syncOptionsFrom(config), windowMs: request.windowMs, trigger: 'cli' },
      request.environmentId,
    );
  } finally {
    await store.close();
  }
  for (const report of reports) ctx.stdout.write(`${escapeControl(formatReconcileLine(report))}\n`);
  ctx.stdout.write(`${formatReconcileSummary(reports)}\n`);
  for (const report of reports) {
    const label = escapeControl(`${report.name} (${report.environmentId})`);
    if (report.status === 'failed') ctx.stderr.write(`flatfile-audit: reconcile of ${label} failed: ${escapeControl(report.error)}\n`);
    if (report.status === 'ok' && report.drift.lateEvents > 0) {
      ctx.stderr.write(
        `flatfile-audit: warning: ${report.drift.lateEvents} event(s) of ${label} were missed by the incremental sync and are now stored; ` +
          `AUDIT_LOOKBACK=${lookbackSetting(report.drift.neededLookbackMs!)} would have caught them (now ${lookbackSetting(config.lookbackMs)})\n`,
      );
    }
  }
  return reports.some((r) => r.status === 'failed') ? EXIT.failed : EXIT.ok;
}

/** One environment's line: its window, what was listed, and what was late. */
export function formatReconcileLine(report: EnvironmentReconcileReport): string {
  const label = `${report.name} (${report.environmentId})`;
  if (report.status === 'failed') return `${label}: failed: ${report.error}`;
  if (report.status === 'skipped') return `${label}: skipped: ${report.reason}`;
  const d = report.drift;
  const late = d.lateEvents === 0
    ? '0 late'
    : `${d.lateEvents} late (up to ${formatDuration(d.maxLateMs!)} late, median ${formatDuration(d.medianLateMs!)}; AUDIT_LOOKBACK=${lookbackSetting(d.neededLookbackMs!)} would have caught them)`;
  return `${label}: ${d.since} to ${d.until}: ${d.pages} pages, ${d.served} events listed, ${d.newEvents} new, ${late}`;
}

export function formatReconcileSummary(reports: readonly EnvironmentReconcileReport[]): string {
  const ok = reports.filter((r) => r.status === 'ok');
  const late = ok.reduce((n, r) => n + r.drift.lateEvents, 0);
  const drifting = ok.filter((r) => r.drift.lateEvents > 0).length;
  const skipped = reports.filter((r) => r.status === 'skipped').length;
  const failed = reports.filter((r) => r.status === 'failed').length;
  return `reconciled ${ok.length} environment(s): ${late} late event(s) in ${drifting} of them; ${skipped} skipped, ${failed} failed`;
}
