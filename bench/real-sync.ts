/** The real sync, wired as `flatfile-audit sync --once` wires it (SQLite or PostgreSQL), with a counter for the timeline. */
import { loadConfig } from '../src/config.js';
import { connectFlatfile } from '../src/flatfile/connect.js';
import { createLogger } from '../src/log.js';
import { openStore } from '../src/store/open-store.js';
import { syncAccount } from '../src/sync/sync-account.js';
import { syncOptionsFrom } from '../src/sync/sync-options.js';
import { countingStore } from './counting-store.js';
import type { SyncJob, SyncResult } from './jobs.js';
import { round, startTimeline } from './timeline.js';

export async function runRealSync(job: SyncJob): Promise<SyncResult> {
  const postgres = job.postgres
    ? { AUDIT_DATABASE_URL: job.postgres.url, AUDIT_DATABASE_SCHEMA: job.postgres.schema }
    : {};
  const config = loadConfig({ LOG_LEVEL: 'error', ...job.env, ...postgres, FLATFILE_API_URL: job.url, FLATFILE_TOKEN: job.token, AUDIT_DB: job.dbPath });
  const log = createLogger({ level: config.logLevel });
  // The store the configuration names, opened as `sync --once` opens it.
  const { store, stored } = countingStore(await openStore(config));
  try {
    const http = await connectFlatfile(config, log);
    const timeline = startTimeline(stored);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const report = await syncAccount({ http, store, log }, syncOptionsFrom(config), 'bench');
    const wallS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      status: report.status,
      error: report.error ? report.error.message : null,
      wallS,
      events: report.newEvents,
      pages: report.pages,
      requests: report.requests,
      timeline: timeline.stop(),
      details: {
        concurrency: config.concurrency,
        writeBatchRows: config.writeBatchRows,
        pageSize: config.pageSize,
        http: http.stats,
        // Every thread of the process (the event writer's too), in seconds.
        cpuS: { user: round(cpu.user / 1e6, 2), system: round(cpu.system / 1e6, 2) },
        memoryAtEndMb: Object.fromEntries(Object.entries(process.memoryUsage()).map(([key, bytes]) => [key, Math.round(bytes / 2 ** 20)])),
      },
    };
  } finally {
    await store.close();
  }
}
