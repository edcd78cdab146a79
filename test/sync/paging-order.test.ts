/**
 * Offset paging over a list that grows while it is paged (issue 10): the simulator answers page N
 * with a 503 once, serves page N+1 if the client asks for it meanwhile, then inserts events in front
 * of page N before letting its retry through. A client that had page N+1 served before page N would
 * lose the events pushed across their boundary for good; one that asks for page N+1 only after page
 * N is answered cannot.
 */
import { describe, expect, it } from 'vitest';
import { simulator } from '../helpers/simulator.js';
import { runSync, storedEventIds } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';
import { sleep } from '../helpers/wait.js';

const HELD_PAGE = 4;
const INSERTED = 5;

describe.each(['newest-first', 'oldest-first'] as const)('events %s', (eventOrder) => {
  it(`page ${HELD_PAGE} fails once while page ${HELD_PAGE + 1} is served and events arrive in front of it: nothing is lost`, async () => {
    const { url, sim } = await simulator({ eventOrder, account: { environments: 1, eventsPerEnvironment: 200 }, faults: { latencyMs: 5 } });
    const environmentId = sim.environments()[0]!.id;
    const before = sim.eventIds();
    // New events go to the front of a newest-first listing; in an oldest-first one, late events
    // dated before everything else do (they become visible late, as the API allows).
    const oldest = sim.eventsPage({ environmentId, includeAcknowledged: true, pageNumber: 1, pageSize: 1000 })
      .map((e) => (e as { createdAt: string }).createdAt).sort()[0]!;
    let nextPageAsked: () => void = () => undefined;
    const nextPage = new Promise<void>((resolve) => (nextPageAsked = resolve));
    let failedOnce = false;
    sim.beforeAnswer = async ({ path, query }) => {
      if (path !== '/events') return undefined;
      const page = Number(query.get('pageNumber'));
      if (page === HELD_PAGE + 1) nextPageAsked();
      if (page !== HELD_PAGE || failedOnce) return undefined;
      failedOnce = true;
      await Promise.race([nextPage, sleep(800)]);
      await sleep(30); // page N+1, if asked for, is answered by now
      sim.addEvents(environmentId, INSERTED, eventOrder === 'newest-first' ? {} : { createdAt: oldest });
      return { status: 503, message: 'scripted: page fails once' };
    };
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath, env: { AUDIT_PAGE_SIZE: '10', AUDIT_WRITE_BATCH: '20' } });
    expect(report.status).toBe('ok');
    expect(failedOnce).toBe(true);
    const stored = new Set(storedEventIds(dbPath));
    expect(before.filter((id) => !stored.has(id))).toEqual([]);
  });
});
