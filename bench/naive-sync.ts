/**
 * The baseline a quick script would be: list the environments, then for each one in turn read
 * every events page one after another and insert each event with its own autocommit INSERT. It
 * writes into the same schema through the same connection settings (WAL, synchronous=NORMAL),
 * which flatters it: a script on SQLite's defaults would fsync every insert.
 */
import { openWritable } from '../src/store/sqlite/open.js';
import type { NaiveJob, SyncResult } from './jobs.js';
import { startTimeline } from './timeline.js';

type Json = Record<string, unknown>;

export async function runNaiveSync(job: NaiveJob): Promise<SyncResult> {
  const db = openWritable(job.dbPath);
  let requests = 0;
  const get = async (path: string): Promise<Json[]> => {
    requests += 1;
    const response = await fetch(`${job.url}${path}`, { headers: { authorization: `Bearer ${job.token}` } });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return ((await response.json()) as { data: Json[] }).data;
  };
  const insert = db.prepare(
    `INSERT OR IGNORE INTO events
       (id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id, acknowledged_at, deleted_at, ingested_at, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let stored = 0;
  let pages = 0;
  const timeline = startTimeline(() => stored);
  const started = performance.now();
  try {
    for (const environment of await get('/environments?pageSize=100')) {
      for (let pageNumber = 1; ; pageNumber++) {
        const events = await get(`/events?environmentId=${environment.id}&pageSize=${job.pageSize}&pageNumber=${pageNumber}&includeAcknowledged=true`);
        if (events.length === 0) break;
        pages += 1;
        for (const e of events) {
          const context = (e.context ?? {}) as Json;
          stored += insert.run(
            e.id, environment.id, e.createdAt, e.topic, e.domain ?? String(e.topic).split(':')[0], context.actorId ?? null,
            context.spaceId ?? null, context.workbookId ?? null, context.sheetId ?? null, context.jobId ?? null,
            e.acknowledgedAt ?? null, e.deletedAt ?? null, new Date().toISOString(), JSON.stringify(e),
          ).changes;
        }
      }
    }
    const wallS = (performance.now() - started) / 1000;
    return { status: 'ok', error: null, wallS, events: stored, pages, requests, timeline: timeline.stop() };
  } finally {
    db.close();
  }
}
