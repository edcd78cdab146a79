/**
 * The measured network bound: our HTTP client fetching and parsing every events page the way the
 * sync does (the same environments at once, one request in flight each, pages in order), storing
 * nothing. On a busy machine the computed bound stays put while everything real slows down; this
 * one slows down with it, so the sync is compared with what the network and the parsing allow today.
 */
import pLimit from 'p-limit';
import { loadConfig } from '../src/config.js';
import { connectFlatfile } from '../src/flatfile/connect.js';
import { listEnvironments } from '../src/flatfile/environments.js';
import { fetchEventsPage } from '../src/flatfile/events.js';
import { createLogger } from '../src/log.js';
import type { FetchOnlyJob, FetchOnlyResult } from './jobs.js';

export async function runFetchOnly(job: FetchOnlyJob): Promise<FetchOnlyResult> {
  const config = loadConfig({ LOG_LEVEL: 'error', ...job.env, FLATFILE_API_URL: job.url, FLATFILE_TOKEN: job.token, AUDIT_DB: '/nonexistent/unused.db' });
  const http = await connectFlatfile(config, createLogger({ level: 'error' }));
  const started = performance.now();
  const environments = await listEnvironments(http, config.pageSize);
  const limit = pLimit(config.concurrency);
  let pages = 0;
  let events = 0;
  await Promise.all(
    environments.records.map((environment) =>
      limit(async () => {
        for (let pageNumber = 1; ; pageNumber += 1) {
          const page = await fetchEventsPage(http, { environmentId: environment.id, since: null, pageNumber, pageSize: config.pageSize });
          if (page.served === 0) return;
          pages += 1;
          events += page.events.length;
        }
      }),
    ),
  );
  return { seconds: (performance.now() - started) / 1000, pages, events };
}
