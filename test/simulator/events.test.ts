import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/simulator/index.js';
import { call, listAllEvents, useSimulator } from './helpers.js';

type WireEvent = { id: string; createdAt: string; topic: string; domain: string; acknowledgedAt?: string; context: Record<string, unknown> };
const ids = (events: WireEvent[]) => events.map((e) => e.id);

describe('simulator GET /events', () => {
  const sim = useSimulator({ account: { eventsPerEnvironment: 300 } });
  const env = (i = 0) => sim.current.sim.environments()[i]!.id;

  it('pages 10 events by default, with no pagination object', async () => {
    const res = await call(sim.current.url, `/events?environmentId=${env()}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    expect(res.body.data.length).toBe(10);
  });

  it('hides acknowledged events unless includeAcknowledged=true', async () => {
    const all: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true`);
    const unacked: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}`);
    expect(ids(all).sort()).toEqual(sim.current.sim.eventIds(env()));
    const acked = all.filter((e) => e.acknowledgedAt !== undefined);
    expect(acked.length / all.length).toBeGreaterThan(0.25);
    expect(acked.length / all.length).toBeLessThan(0.55);
    expect(acked.every((e) => (e as { acknowledgedBy?: string }).acknowledgedBy?.startsWith('us_ag_'))).toBe(true);
    expect(unacked.every((e) => e.acknowledgedAt === undefined)).toBe(true);
    expect(unacked.length).toBe(all.length - acked.length);
    expect((await call(sim.current.url, `/events?environmentId=${env()}&includeAcknowledged=yes`)).status).toBe(400);
  });

  it('serves realistic events', async () => {
    const events: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true`);
    const s = sim.current.sim;
    const spaces = new Set(s.spaces(env()).map((sp) => sp.id));
    const users = new Set(s.users().map((u) => u.id));
    for (const e of events) {
      expect(e.id).toMatch(/^us_evt_[A-Za-z0-9]{16,}$/);
      // Milliseconds, or none on a whole second, as the API writes them (simulator-wire.test.ts).
      expect(e.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
      expect(e.context).toMatchObject({ accountId: s.accountId, environmentId: env() });
      // A scheduled (cron) event is the environment's, not a space's.
      if (e.domain === 'cron') expect(e.context.spaceId).toBeUndefined();
      else expect(spaces.has(e.context.spaceId as string)).toBe(true);
      expect(e.domain).toBe({ records: 'workbook', commit: 'sheet', snapshot: 'sheet', layer: 'sheet', agent: 'environment', action: 'workbook' }[e.topic.split(':')[0]!] ?? e.topic.split(':')[0]);
    }
    const actors = events.map((e) => e.context.actorId as string | undefined);
    const share = (test: (a: string | undefined) => boolean) => actors.filter(test).length / actors.length;
    expect(share((a) => a !== undefined && users.has(a))).toBeGreaterThan(0.45);
    expect(share((a) => a?.startsWith('us_g_') ?? false)).toBeGreaterThan(0.05);
    expect(share((a) => a?.startsWith('us_ag_') ?? false)).toBeGreaterThan(0.03);
    expect(share((a) => a?.startsWith('us_key_') ?? false)).toBeGreaterThan(0.01);
    expect(share((a) => a?.startsWith('us_usr_') === true && !users.has(a))).toBeGreaterThan(0.01);
    expect(share((a) => a === undefined)).toBeGreaterThan(0.01);
  });

  it('lists newest first by default, ties in a stable order', async () => {
    const events: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true`, 7);
    for (let i = 1; i < events.length; i++) {
      const [a, b] = [events[i - 1]!, events[i]!];
      expect(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id)).toBe(true);
    }
  });

  it('has runs of equal createdAt, some straddling page boundaries', async () => {
    const events: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true`, 10);
    const runLengths = new Map<string, number>();
    for (const e of events) runLengths.set(e.createdAt, (runLengths.get(e.createdAt) ?? 0) + 1);
    expect([...runLengths.values()].some((n) => n >= 3)).toBe(true);
    const shared = events.filter((e) => runLengths.get(e.createdAt)! > 1).length / events.length;
    expect(shared).toBeGreaterThan(0.1);
    expect(shared).toBeLessThan(0.35);
    const straddling = events.filter((e, i) => i % 10 === 9 && events[i + 1]?.createdAt === e.createdAt);
    expect(straddling.length).toBeGreaterThan(0);
  });

  it('filters since inclusively, and rejects an invalid since', async () => {
    const all: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true`);
    const since = all[50]!.createdAt;
    const after: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true&since=${since}`);
    expect(ids(after).sort()).toEqual(ids(all.filter((e) => e.createdAt >= since)).sort());
    expect(ids(after)).toContain(all[50]!.id);
    const bad = await call(sim.current.url, `/events?environmentId=${env()}&since=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].key).toBe('since');
  });

  it('honours spaceId, domain and topic filters', async () => {
    const all: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true`);
    const sample = all[0]!;
    for (const [name, value, pick] of [
      ['topic', sample.topic, (e: WireEvent) => e.topic],
      ['domain', sample.domain, (e: WireEvent) => e.domain],
      ['spaceId', sample.context.spaceId as string, (e: WireEvent) => e.context.spaceId],
    ] as const) {
      const filtered: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env()}&includeAcknowledged=true&${name}=${value}`);
      expect(ids(filtered)).toEqual(ids(all.filter((e) => pick(e) === value)));
    }
  });

  it('lists every environment when environmentId is omitted', async () => {
    const all: WireEvent[] = await listAllEvents(sim.current.url, 'includeAcknowledged=true', 500);
    expect(ids(all).sort()).toEqual(sim.current.sim.eventIds());
  });

  it('computes offsets on the current list, so events added mid-paging shift pages', async () => {
    const base = `/events?environmentId=${env(1)}&pageSize=10`;
    const page1: WireEvent[] = (await call(sim.current.url, `${base}&pageNumber=1`)).body.data;
    const seen: Array<{ pageNumber: number; pageSize: number }> = [];
    sim.current.sim.onEventsRequest = (query) => {
      seen.push(query);
      if (query.pageNumber === 2) sim.current.sim.addEvents(env(1), 3);
    };
    try {
      const page2: WireEvent[] = (await call(sim.current.url, `${base}&pageNumber=2`)).body.data;
      expect(ids(page2.slice(0, 3))).toEqual(ids(page1.slice(7)));
    } finally {
      sim.current.sim.onEventsRequest = undefined;
    }
    expect(seen).toEqual([{ environmentId: env(1), pageNumber: 2, pageSize: 10 }]);
    const top: WireEvent[] = (await call(sim.current.url, `${base}&pageNumber=1`)).body.data;
    expect(top.slice(0, 3).every((e) => e.createdAt > page1[0]!.createdAt)).toBe(true);
  });

  it('makes late events visible at their (past) createdAt', async () => {
    const s = sim.current.sim;
    const [late] = s.addEvents(env(1), 1, { createdAt: '2026-10-20T12:00:00.000Z', actorId: 'us_usr_late', topic: 'file:deleted' });
    expect(late).toMatchObject({ createdAt: '2026-10-20T12:00:00Z', topic: 'file:deleted', domain: 'file', context: { actorId: 'us_usr_late' } });
    const since: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${env(1)}&since=2026-10-20T12:00:00.000Z`);
    expect(ids(since)).toContain(late!.id);
    expect(s.eventIds(env(1))).toContain(late!.id);
  });

  it('serves raw events verbatim, outside the ground truth', async () => {
    const s = sim.current.sim;
    const environmentId = env(2);
    s.addRawEvent(environmentId, { topic: 'records:created', createdAt: '2026-10-31T23:59:59.999Z', context: {} });
    s.addRawEvent(environmentId, { id: 'us_evt_nodate', topic: 42 });
    const events: WireEvent[] = await listAllEvents(sim.current.url, `environmentId=${environmentId}`);
    expect(events[0]).toEqual({ topic: 'records:created', createdAt: '2026-10-31T23:59:59.999Z', context: {} });
    expect(events[events.length - 1]).toEqual({ id: 'us_evt_nodate', topic: 42 });
    expect(s.eventIds(environmentId)).not.toContain('us_evt_nodate');
  });

  it('answers 404 everywhere for a deleted environment', async () => {
    const s = sim.current.sim;
    const victim = env(2);
    s.deleteEnvironment(victim);
    for (const path of [`/events?environmentId=${victim}`, `/spaces?environmentId=${victim}`, `/agents?environmentId=${victim}`]) {
      const res = await call(sim.current.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body.errors[0].key).toBe('environmentId');
    }
    const envs = await call(sim.current.url, '/environments');
    expect(envs.body.data.map((e: { id: string }) => e.id)).not.toContain(victim);
    expect(s.eventIds(victim)).toEqual([]);
  });
});

describe('simulator event options', () => {
  const oldest = useSimulator({ account: { environments: 1, eventsPerEnvironment: 120 }, eventOrder: 'oldest-first', pageSizeCap: 25 });

  it('lists oldest first when asked', async () => {
    const events: WireEvent[] = await listAllEvents(oldest.current.url, 'includeAcknowledged=true', 25);
    expect(events.length).toBe(120);
    for (let i = 1; i < events.length; i++) {
      const [a, b] = [events[i - 1]!, events[i]!];
      expect(a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id)).toBe(true);
    }
  });

  it('caps pageSize without saying so', async () => {
    const res = await call(oldest.current.url, `/events?environmentId=${oldest.current.sim.environments()[0]!.id}&pageSize=100&includeAcknowledged=true`);
    expect(res.body.data.length).toBe(25);
  });

  it('answers an empty page past the end', async () => {
    const res = await call(oldest.current.url, `/events?environmentId=${oldest.current.sim.environments()[0]!.id}&pageSize=25&pageNumber=99`);
    expect(res.body).toEqual({ data: [] });
  });

  it('generates the same account from the same seed, and another from another seed', () => {
    const options = { account: { environments: 2, eventsPerEnvironment: 150 } };
    const a = new Simulator({ ...options, seed: 7 });
    const b = new Simulator({ ...options, seed: 7 });
    const c = new Simulator({ ...options, seed: 8 });
    expect(b.eventIds()).toEqual(a.eventIds());
    expect(b.users()).toEqual(a.users());
    expect(b.spaces()).toEqual(a.spaces());
    const envA = a.environments()[1]!.id;
    expect(b.events(envA)).toEqual(a.events(envA));
    expect(c.eventIds()).not.toEqual(a.eventIds());
    // History ends at `now`: every generated event lies in the 30 days before it.
    for (const e of a.events(envA)) {
      expect(e.createdAt >= '2026-10-02T00:00:00.000Z' && e.createdAt < '2026-11-01T00:00:00.000Z').toBe(true);
    }
  });
});
