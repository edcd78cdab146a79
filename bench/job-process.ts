/**
 * One measured piece of work in a process of its own, so its peak RSS is its alone and its heap
 * holds nothing of the bench's. The job is JSON in argv[2]; the result is one JSON line on stdout.
 */
import { copyWrite, readEventCopy } from './copy-write.js';
import { runFetchOnly } from './fetch-only.js';
import type { Job, JobResults } from './jobs.js';
import { runNaiveSync } from './naive-sync.js';
import { rawWrite, readEventRows } from './raw-write.js';
import { runRealSync } from './real-sync.js';
import { round } from './timeline.js';
import { readPages, storeWrite } from './write-path.js';

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const startRssMb = round(process.memoryUsage.rss() / 2 ** 20, 1);

async function run(): Promise<JobResults[Job['kind']]> {
  switch (job.kind) {
    case 'sync':
      return runRealSync(job);
    case 'naive':
      return runNaiveSync(job);
    case 'store-write':
      return storeWrite(job.dbPath, readPages(job.pagesFile), job.settings);
    case 'fetch-only':
      return runFetchOnly(job);
    case 'copy-write':
      return copyWrite(job.target, await readEventCopy(job.source));
    case 'raw-write': {
      const rows = readEventRows(job.sourceDb);
      return { seconds: rawWrite(job.dbPath, rows), rows: rows.rows.length };
    }
  }
}

const result = await run();
process.stdout.write(`${JSON.stringify({ ...result, startRssMb, peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1) })}\n`);
