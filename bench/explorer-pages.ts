/**
 * The explorer's server time per page over a large trail (issue 15: median < 100 ms at 1M events on
 * SQLite and PostgreSQL). Every page is asked for over loopback HTTP from the real explorer server
 * (startExplorerServer, the one `flatfile-audit explorer` runs), one warm-up and `runs` timed
 * requests each; the time is from sending the request to the last byte of the answer (or, for a
 * download of the whole trail, to its first rows), so loopback and the client's parsing are in it.
 */
import { startExplorerServer } from '../src/explorer/explorer-server.js';
import { createLogger } from '../src/log.js';
import { openReader, type StoreSettings } from '../src/store/open-store.js';

export interface PageTiming {
  page: string;
  path: string;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** Rows the answer carried (trail rows listed, events in the chart, lines downloaded, access periods, tokens), for a check that it was not empty. */
  rows: number;
}

/** What the first requests showed, for the cases whose path depends on the data. */
export interface Seen {
  /** The trail's second page (its rel="next" link). */
  next: string;
  /** An event from the second page: one a person would open. */
  eventId: string;
  /** A keyset position halfway back in the trail. */
  deep: string;
  /** The end day of the trail and a week before it (ISO dates). */
  day: string;
  weekAgo: string;
}

/** One timed request: the whole answer, or the first rows of a download too large to wait for. */
export interface PageCase {
  page: string;
  path: (seen: Seen) => string;
  until?: 'first-rows';
}

const DAY = 86_400_000;

/**
 * Every page of the explorer with the filters people use, alone, as in the synthetic trail of
 * synthetic-trail.ts (us_usr_bench7 is a busy user; nothing there is an agent or an API key, so
 * actor_type=api_key is a filter that matches nothing; us_sp_2_3 is a space a guest is granted,
 * us_sp_2_5 one no access event names). A new route is one line here.
 */
export const PAGE_CASES: readonly PageCase[] = [
  { page: 'trail', path: () => '/' },
  { page: 'trail, page 2', path: (s) => s.next },
  { page: 'trail, deep page (before=)', path: (s) => `/?before=${encodeURIComponent(s.deep)}` },
  { page: 'trail, environment, deep page', path: (s) => `/?environment=us_env_bench1&before=${encodeURIComponent(s.deep)}` },
  { page: 'trail, from/to last 7 days', path: (s) => `/?from=${s.weekAgo}&to=${s.day}` },
  { page: 'trail, to (older than 60 days)', path: (s) => `/?to=${new Date(Date.parse(s.day) - 60 * DAY).toISOString().slice(0, 10)}` },
  { page: 'trail, environment', path: () => '/?environment=us_env_bench1' },
  { page: 'trail, actor by id', path: () => '/?actor=us_usr_bench7' },
  { page: 'trail, actor by email', path: () => '/?actor=user7%40bench.example' },
  { page: 'trail, actor by part of name', path: () => '/?actor=User%2042' },
  { page: 'trail, actor_type guest', path: () => '/?actor_type=guest' },
  { page: 'trail, actor_type unknown', path: () => '/?actor_type=unknown' },
  { page: 'trail, actor_type api_key (none)', path: () => '/?actor_type=api_key' },
  { page: 'trail, topic', path: () => '/?topic=job%3Afailed' },
  { page: 'trail, domain', path: () => '/?domain=job' },
  { page: 'trail, space', path: () => '/?space=us_sp_2_5' },
  { page: 'trail, q guest email', path: () => '/?q=guest8%40us_env_bench2.example' },
  { page: 'trail, q event id', path: (s) => `/?q=${encodeURIComponent(s.eventId)}` },
  { page: 'trail, q part of a name', path: () => '/?q=environment%203' },
  { page: 'chart, unfiltered', path: () => '/timeline.json' },
  { page: 'chart, last 7 days', path: (s) => `/timeline.json?from=${s.weekAgo}&to=${s.day}` },
  { page: 'chart, actor by email', path: () => '/timeline.json?actor=user7%40bench.example' },
  { page: 'chart, environment', path: () => '/timeline.json?environment=us_env_bench1' },
  { page: 'event', path: (s) => `/events/${encodeURIComponent(s.eventId)}` },
  { page: 'actor (busy user)', path: () => '/actors/us_usr_bench7' },
  { page: 'environments', path: () => '/environments' },
  { page: 'health', path: () => '/health' },
  { page: 'CSV, whole trail: first rows', path: () => '/download.csv', until: 'first-rows' },
  { page: 'NDJSON, whole trail: first rows', path: () => '/download.ndjson', until: 'first-rows' },
  { page: 'CSV, actor by email, 7 days: whole', path: (s) => `/download.csv?actor=user7%40bench.example&from=${s.weekAgo}&to=${s.day}` },
  { page: 'NDJSON, space, 7 days: whole', path: (s) => `/download.ndjson?space=us_sp_2_5&from=${s.weekAgo}&to=${s.day}` },
  { page: 'guest access', path: () => '/access' },
  { page: 'guest access by guest', path: () => '/access?guest=us_g_us_env_bench2_5' },
  { page: 'guest access by space', path: () => '/access?space=us_sp_2_3' },
  { page: 'guest access at a time', path: (s) => `/access?at=${s.weekAgo}` },
  { page: 'guest access by space, at a time', path: (s) => `/access?space=us_sp_2_3&at=${s.weekAgo}` },
  { page: 'guest actor (history, access)', path: () => '/actors/us_g_us_env_bench2_8' },
  { page: 'tokens', path: () => '/tokens' },
];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function rowsIn(path: string, text: string): number {
  if (path.startsWith('/timeline.json')) return (JSON.parse(text) as { total: number }).total;
  if (path.startsWith('/download.csv')) return Math.max(0, text.split('\n').length - 2);
  if (path.startsWith('/download.ndjson')) return text.split('\n').length - 1;
  if (path.startsWith('/access')) return text.match(/data-guest-id=/g)?.length ?? 0;
  if (path.startsWith('/tokens')) return text.match(/data-token-id=/g)?.length ?? 0;
  return text.match(/data-event-id=/g)?.length ?? 0;
}

/** The request's time and what it carried; a download's first rows end it early (the server sees the client go). */
async function timeOnce(url: string, c: PageCase): Promise<{ ms: number; text: string }> {
  const started = performance.now();
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${c.page}: ${url} answered ${res.status}`);
  if (c.until !== 'first-rows') {
    const text = await res.text();
    return { ms: performance.now() - started, text };
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  // CSV starts with its header line: a row has come when a second line has.
  const lines = url.includes('.csv') ? 2 : 1;
  for (;;) {
    const { done, value } = await reader.read();
    if (value) text += decoder.decode(value, { stream: true });
    if (done || text.split('\n').length > lines) break;
  }
  const ms = performance.now() - started;
  await reader.cancel();
  return { ms, text: text.slice(0, text.lastIndexOf('\n') + 1) };
}

async function text(url: URL): Promise<string> {
  return (await fetch(url)).text();
}

/** Times every page of PAGE_CASES (or `cases`) over the store at `settings`. */
export async function measureExplorerPages(settings: StoreSettings, options: { runs: number; end: Date; cases?: readonly PageCase[] }): Promise<PageTiming[]> {
  const reader = await openReader(settings);
  const server = await startExplorerServer({
    host: '127.0.0.1', port: 0, dashboardPassword: undefined, allowedHosts: [], reader, openReader: () => openReader(settings),
    staleAfterMs: 3_600_000, maxClockSkewMs: 600_000, tokens: { staleAfterMs: 90 * DAY, maxAgeMs: 180 * DAY }, log: createLogger({ level: 'silent' }), now: () => options.end,
  });
  const at = (path: string): string => new URL(path.replace(/^\//, ''), server.url).href;
  try {
    const next = /<a rel="next" href="([^"]*)"/.exec(await text(new URL(server.url)))?.[1]?.replace(/&amp;/g, '&') ?? '/';
    const eventId = /data-event-id="([^"]*)"/.exec(await text(new URL(at(next))))?.[1] ?? 'none';
    const first = await (await fetch(at('/timeline.json'))).json() as { buckets: string[] };
    const half = first.buckets[Math.floor(first.buckets.length / 2)] ?? options.end.toISOString();
    const seen: Seen = {
      next, eventId, deep: `${half}~us_evt_~`,
      day: options.end.toISOString().slice(0, 10), weekAgo: new Date(options.end.getTime() - 7 * DAY).toISOString().slice(0, 10),
    };
    const timings: PageTiming[] = [];
    for (const c of options.cases ?? PAGE_CASES) {
      const path = c.path(seen);
      const url = at(path);
      const times: number[] = [];
      let rows = 0;
      for (let run = 0; run <= options.runs; run++) {
        const answer = await timeOnce(url, c);
        rows = rowsIn(path, answer.text);
        if (run > 0) times.push(answer.ms);
      }
      times.sort((a, b) => a - b);
      const round = (ms: number): number => Math.round(ms * 10) / 10;
      timings.push({ page: c.page, path, medianMs: round(quantile(times, 0.5)), p95Ms: round(quantile(times, 0.95)), minMs: round(times[0]!), maxMs: round(times.at(-1)!), rows });
    }
    return timings;
  } finally {
    await server.close();
    await reader.close();
  }
}
