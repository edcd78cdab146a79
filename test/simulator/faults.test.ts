import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, startSimulator } from '../../src/simulator/index.js';
import { call, PAT, useSimulator } from './helpers.js';

const raw = (url: string) => fetch(url, { headers: { authorization: `Bearer ${PAT}` } });

describe('simulator faults', () => {
  const sim = useSimulator({ account: { eventsPerEnvironment: 30 } });
  const eventsUrl = () => `${sim.current.url}/events?environmentId=${sim.current.sim.environments()[0]!.id}`;
  afterEach(() => {
    sim.current.sim.setFaults({ ...DEFAULT_FAULTS, only: undefined });
    sim.current.sim.resetStats();
  });

  it('answers 429 with Retry-After in seconds', async () => {
    sim.current.sim.setFaults({ rate429: 1, retryAfterS: 2 });
    const res = await call(sim.current.url, '/users');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.body.errors[0].message).toMatch(/rate limit/);
  });

  it('answers 429 with Retry-After as an HTTP date, never earlier than asked', async () => {
    sim.current.sim.setFaults({ rate429: 1, retryAfterS: 3, retryAfterFormat: 'http-date' });
    const before = Date.now();
    const res = await call(sim.current.url, '/users');
    const header = res.headers.get('retry-after')!;
    expect(header).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    expect(Date.parse(header)).toBeGreaterThanOrEqual(before + 3000 - 1000);
    expect(Date.parse(header)).toBeLessThanOrEqual(Date.now() + 4000);
  });

  it('answers a 5xx in the error shape', async () => {
    sim.current.sim.setFaults({ error5xxRate: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const res = await call(sim.current.url, '/environments');
      statuses.add(res.status);
      expect(res.body.errors[0].message).toBeTruthy();
    }
    expect([...statuses].every((s) => [500, 502, 503, 504].includes(s))).toBe(true);
    expect(statuses.size).toBeGreaterThan(1);
  });

  it('resets the connection without a response', async () => {
    sim.current.sim.setFaults({ resetRate: 1 });
    await expect(raw(eventsUrl())).rejects.toThrow();
    expect(sim.current.sim.stats().byStatus).toEqual({ reset: 1 });
  });

  it('stalls for stallMs, then answers normally', async () => {
    sim.current.sim.setFaults({ stallRate: 1, stallMs: 150 });
    const started = performance.now();
    const res = await raw(eventsUrl());
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data.length).toBe(10);
  });

  it('answers every request its latency after it arrived, never sooner, however many arrive together', async () => {
    sim.current.sim.setFaults({ latencyMs: 80 });
    const timed = async () => {
      const started = performance.now();
      expect((await raw(eventsUrl())).status).toBe(200);
      return performance.now() - started;
    };
    const elapsed = await Promise.all(Array.from({ length: 8 }, timed));
    for (const ms of elapsed) expect(ms).toBeGreaterThanOrEqual(80);
  });

  it('cuts a JSON body in half', async () => {
    const whole = await (await raw(eventsUrl())).text();
    sim.current.sim.setFaults({ truncatedRate: 1 });
    const res = await raw(eventsUrl());
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toBe(whole.slice(0, Math.floor(whole.length / 2)));
    expect(() => JSON.parse(text)).toThrow();
  });

  it('answers 200 with an HTML page', async () => {
    sim.current.sim.setFaults({ htmlRate: 1 });
    const res = await raw(eventsUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/^<!DOCTYPE html>/);
  });

  it('applies faults only to paths matching `only`, and never to POST /auth unless it matches', async () => {
    sim.current.sim.setFaults({ rate429: 1, only: /\/events/ });
    expect((await call(sim.current.url, '/users')).status).toBe(200);
    expect((await raw(eventsUrl())).status).toBe(429);
    const auth = { method: 'POST', token: null, body: { type: 'apiCredentials', clientId: 'sim-client', secret: 'sim-secret' } };
    expect((await call(sim.current.url, '/auth', auth)).status).toBe(200);
    sim.current.sim.setFaults({ only: undefined });
    expect((await call(sim.current.url, '/users')).status).toBe(429);
    expect((await call(sim.current.url, '/auth', auth)).status).toBe(200);
    sim.current.sim.setFaults({ only: /^\/auth$/ });
    expect((await call(sim.current.url, '/auth', auth)).status).toBe(429);
  });

  it('counts requests by route and status', async () => {
    sim.current.sim.setFaults({ rate429: 1, only: /\/users/ });
    await call(sim.current.url, '/users');
    await raw(eventsUrl());
    await call(sim.current.url, '/nowhere');
    expect(sim.current.sim.stats()).toEqual({
      requests: 3,
      byRoute: { 'GET /users': 1, 'GET /events': 1, 'GET (unmatched)': 1 },
      byStatus: { '429': 1, '200': 1, '404': 1 },
    });
  });

  it('rejects bad fault knobs with a precise message', () => {
    expect(() => sim.current.sim.setFaults({ rate429: 2 })).toThrow('faults.rate429 must be between 0 and 1, got 2');
    expect(() => sim.current.sim.setFaults({ stallMs: -1 })).toThrow('faults.stallMs must be a non-negative number');
  });
});

describe('simulator fault reproducibility and shutdown', () => {
  it('draws the same faults for the same seed and request order', async () => {
    const statuses: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const running = await startSimulator({ seed: 5, account: { eventsPerEnvironment: 0 }, faults: { rate429: 0.3, error5xxRate: 0.3 } });
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) seen.push((await call(running.url, '/environments')).status);
      statuses.push(seen);
      await running.close();
    }
    expect(statuses[1]).toEqual(statuses[0]);
    expect(new Set(statuses[0]).size).toBeGreaterThan(2);
  });

  it('closes promptly while a request is stalled', async () => {
    const running = await startSimulator({ account: { eventsPerEnvironment: 0 }, faults: { stallRate: 1 } });
    expect(running.sim.faults().stallMs).toBe(30_000);
    const pending = fetch(`${running.url}/environments`, { headers: { authorization: `Bearer ${PAT}` } });
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the request reach the stall
    const started = performance.now();
    await running.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });
});
