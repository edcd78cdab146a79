/**
 * The explorer's server time per page over a large trail (issue: median < 100 ms at 1M events on
 * SQLite and PostgreSQL). The store is filled through the store's own interface with a synthetic
 * account shaped like the simulator's (environments, users and guests as actors, topics, spaces,
 * several events per timestamp), then every page is asked for over loopback HTTP, one warm-up and
 * `runs` timed requests each; the time is the full request (loopback adds well under a millisecond).
 */
import { startExplorerServer } from '../src/explorer/explorer-server.js';
import { createLogger } from '../src/log.js';
import type { EnvironmentRecord, EventRecord, GuestRecord, UserRecord } from '../src/records.js';
import { openReader, openStore, type StoreSettings } from '../src/store/open-store.js';

export interface PageTiming {
  page: string;
  path: string;
  medianMs: number;
  p95Ms: number;
  /** Rows the page listed (trail pages), for a check that it was not empty. */
  rows: number;
}

const TOPICS = ['workbook:created', 'workbook:updated', 'records:created', 'records:updated', 'records:deleted', 'job:created', 'job:completed', 'job:failed', 'file:created', 'file:deleted', 'space:created', 'space:guestAdded', 'space:guestRemoved', 'sheet:updated', 'commit:created'];
const USERS = 60;
const GUESTS_PER_ENVIRONMENT = 20;
const SPACES_PER_ENVIRONMENT = 12;
const DAY = 86_400_000;

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

/** A deterministic synthetic trail of `events` events over `environments` environments and `days` days up to `end`. */
export async function fillStore(settings: StoreSettings, options: { events: number; environments: number; days: number; end: Date }): Promise<void> {
  const store = await openStore(settings);
  try {
    const seenAt = options.end.toISOString();
    const environments: EnvironmentRecord[] = Array.from({ length: options.environments }, (_v, i) => ({
      id: `us_env_bench${i}`, accountId: 'us_acc_bench', name: `Environment ${i}`, isProd: i === 0, raw: JSON.stringify({ id: `us_env_bench${i}` }),
    }));
    await store.writeInventory({ kind: 'environments', scope: null, records: environments, seenAt });
    const users: UserRecord[] = Array.from({ length: USERS }, (_v, i) => ({
      id: `us_usr_bench${i}`, email: `user${i}@bench.example`, name: `User ${i} Bench`, createdAt: seenAt, lastSeenAt: null, raw: JSON.stringify({ id: i }),
    }));
    await store.writeInventory({ kind: 'users', scope: null, records: users, seenAt });
    for (const env of environments) {
      const guests: GuestRecord[] = Array.from({ length: GUESTS_PER_ENVIRONMENT }, (_v, i) => ({
        id: `us_g_${env.id}_${i}`, environmentId: env.id, email: `guest${i}@${env.id}.example`, name: `Guest ${i}`, spaces: [], raw: '{}',
      }));
      await store.writeInventory({ kind: 'guests', scope: env.id, records: guests, seenAt });
    }
    const perEnvironment = Math.ceil(options.events / options.environments);
    const span = options.days * DAY;
    const start = options.end.getTime() - span;
    const PAGE = 1000;
    for (const [e, env] of environments.entries()) {
      const count = Math.min(perEnvironment, options.events - e * perEnvironment);
      for (let from = 0; from < count; from += PAGE) {
        const events: EventRecord[] = [];
        for (let n = from; n < Math.min(count, from + PAGE); n++) {
          // Three events share each timestamp: the keyset paging's ties, as real bursts make them.
          const createdAt = new Date(start + Math.floor((Math.floor(n / 3) * 3 * span) / count)).toISOString();
          const actorId = n % 4 === 0 ? `us_g_${env.id}_${n % GUESTS_PER_ENVIRONMENT}` : n % 9 === 0 ? null : `us_usr_bench${(n * 7 + e) % USERS}`;
          const topic = pick(TOPICS, n * 13 + e);
          events.push({
            id: `us_evt_b${e}_${n}`, environmentId: env.id, createdAt, topic, domain: topic.split(':')[0]!, actorId,
            spaceId: `us_sp_${e}_${n % SPACES_PER_ENVIRONMENT}`, workbookId: n % 2 === 0 ? `us_wb_${e}_${n % 200}` : null, sheetId: null, jobId: topic.startsWith('job') ? `us_jb_${e}_${n}` : null,
            acknowledgedAt: null, deletedAt: null, raw: JSON.stringify({ id: `us_evt_b${e}_${n}`, topic, createdAt, context: { environmentId: env.id, actorId } }),
          });
        }
        const last = from + PAGE >= count;
        await store.writePages([{
          environmentId: env.id, events, rejected: [],
          cursor: last ? { kind: 'complete', highWater: events.at(-1)!.createdAt, completedAt: seenAt } : { kind: 'progress', listing: { since: null, pageSize: PAGE, nextPage: from / PAGE + 2, maxCreatedAt: events.at(-1)!.createdAt, pageFill: PAGE, startedAt: seenAt } },
        }]);
      }
    }
  } finally {
    await store.close();
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Times every explorer page over the store at `settings`. */
export async function measureExplorerPages(settings: StoreSettings, options: { runs: number; end: Date }): Promise<PageTiming[]> {
  const reader = await openReader(settings);
  const server = await startExplorerServer({
    host: '127.0.0.1', port: 0, dashboardPassword: undefined, allowedHosts: [], reader, openReader: () => openReader(settings),
    staleAfterMs: 3_600_000, maxClockSkewMs: 600_000, tokens: { staleAfterMs: 90 * DAY, maxAgeMs: 180 * DAY }, log: createLogger({ level: 'silent' }), now: () => options.end,
  });
  try {
    const day = options.end.toISOString().slice(0, 10);
    const weekAgo = new Date(options.end.getTime() - 7 * DAY).toISOString().slice(0, 10);
    const pages: Array<[string, string]> = [
      ['trail', '/'],
      ['trail, page 2', undefined as unknown as string],
      ['trail by environment', '/?environment=us_env_bench1'],
      ['trail by actor email', '/?actor=user7%40bench.example'],
      ['trail by actor name part', '/?actor=User%2042'],
      ['trail by actor type', '/?actor_type=guest'],
      ['trail by topic', '/?topic=job%3Afailed'],
      ['trail by space', '/?space=us_sp_2_5'],
      ['trail, last 7 days', `/?from=${weekAgo}&to=${day}`],
      ['trail, free text', '/?q=guest8%40us_env_bench2.example'],
      ['timeline, last 7 days', `/timeline.json?from=${weekAgo}&to=${day}`],
      ['event', undefined as unknown as string],
      ['actor', '/actors/us_usr_bench7'],
      ['environments', '/environments'],
      ['guest access', '/access'],
      ['guest access by space, at a time', `/access?space=us_sp_2_5&at=${weekAgo}`],
      ['guest actor (history, access)', '/actors/us_g_us_env_bench2_8'],
      ['tokens', '/tokens'],
      ['health', '/health'],
    ];
    const first = await (await fetch(server.url)).text();
    const next = /<a rel="next" href="([^"]*)"/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    pages[1]![1] = next ?? '/';
    // An event from the middle of the second page: one a person would open.
    const eventId = /data-event-id="([^"]*)"/.exec(await (await fetch(new URL((next ?? '/').replace(/^\//, ''), server.url))).text())?.[1];
    pages[11]![1] = `/events/${eventId ?? 'none'}`;
    const timings: PageTiming[] = [];
    for (const [page, path] of pages) {
      const url = new URL(path.replace(/^\//, ''), server.url).href;
      const times: number[] = [];
      let rows = 0;
      for (let run = 0; run <= options.runs; run++) {
        const started = performance.now();
        const res = await fetch(url);
        const text = await res.text();
        const ms = performance.now() - started;
        if (res.status !== 200) throw new Error(`${page}: ${url} answered ${res.status}`);
        rows = text.match(/data-event-id=/g)?.length ?? 0;
        if (run > 0) times.push(ms);
      }
      times.sort((a, b) => a - b);
      timings.push({ page, path, medianMs: Math.round(quantile(times, 0.5) * 10) / 10, p95Ms: Math.round(quantile(times, 0.95) * 10) / 10, rows });
    }
    return timings;
  } finally {
    await server.close();
    await reader.close();
  }
}
