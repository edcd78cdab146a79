/**
 * Write-path headroom: the events pages of an account, fetched once at zero latency and saved as
 * the JSON text the API sent, are run through our own listing code (syncEvents: parsing and
 * validation, BatchWriter, SqliteStore.writePages with its cursors) with only the network taken
 * away, and timed against the raw loop on the same rows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import pLimit from 'p-limit';
import type { FlatfileHttp, Query } from '../src/flatfile/http-client.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { BatchWriter } from '../src/sync/batch-writer.js';
import { planListing } from '../src/sync/plan-listing.js';
import { ServerClock } from '../src/flatfile/server-clock.js';
import { syncEvents } from '../src/sync/sync-events.js';

/** Response bodies of GET /events per environment, page 1 first, as text. */
export type PageBodies = Map<string, string[]>;

/** Fetches every events page of every environment once and saves the bodies, one JSON line per page. */
export async function savePageBodies(file: string, url: string, token: string, environmentIds: readonly string[], pageSize: number): Promise<number> {
  const lines: string[] = [];
  for (const environmentId of environmentIds) {
    for (let pageNumber = 1; ; pageNumber++) {
      const query = `environmentId=${environmentId}&pageSize=${pageSize}&pageNumber=${pageNumber}&includeAcknowledged=true`;
      const response = await fetch(`${url}/events?${query}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.text();
      if (!response.ok) throw new Error(`GET /events answered ${response.status}: ${body.slice(0, 200)}`);
      if ((JSON.parse(body) as { data: unknown[] }).data.length === 0) break;
      lines.push(JSON.stringify({ environmentId, body }));
    }
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return lines.length;
}

export function readPages(file: string): PageBodies {
  const bodies: PageBodies = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const { environmentId, body } = JSON.parse(line) as { environmentId: string; body: string };
    const pages = bodies.get(environmentId) ?? [];
    pages.push(body);
    bodies.set(environmentId, pages);
  }
  return bodies;
}

export interface StorePathSettings {
  concurrency: number;
  writeBatchRows: number;
  pageSize: number;
}

/** Seconds our listing code takes to store `bodies` into a fresh database at `dbPath`. */
export async function storeWrite(dbPath: string, bodies: PageBodies, settings: StorePathSettings): Promise<{ seconds: number; rows: number }> {
  const store = SqliteStore.open(dbPath);
  // Stands in for FlatfileHttp: answers GET /events from memory, parsed from text as the client parses an answer.
  const http = {
    get: async (_path: string, query: Query): Promise<unknown> =>
      JSON.parse(bodies.get(String(query.environmentId))?.[Number(query.pageNumber) - 1] ?? '{"data":[]}'),
    serverClock: new ServerClock(),
  } as unknown as FlatfileHttp;
  try {
    const writer = new BatchWriter(store, settings.writeBatchRows);
    const deps = { http, writer, clock: () => new Date(), signal: new AbortController().signal, maxClockSkewMs: 10 * 60_000 };
    const limit = pLimit(settings.concurrency);
    const started = performance.now();
    await Promise.all(
      [...bodies.keys()].map((environmentId) =>
        limit(async () => {
          const start = planListing(undefined, { lookbackMs: 0, backfillSince: undefined, pageSize: settings.pageSize, now: new Date() });
          await syncEvents(deps, environmentId, start);
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const rows = [...bodies.keys()].reduce((sum, id) => sum + writer.insertedFor(id), 0);
    return { seconds, rows };
  } finally {
    await store.close();
  }
}
