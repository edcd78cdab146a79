import { describe, expect, it } from 'vitest';
import { call, useSimulator } from './helpers.js';

describe('simulator admin surface', () => {
  const sim = useSimulator({ account: { environments: 2, eventsPerEnvironment: 40 } });
  const admin = () => sim.current.url.replace(/\/api\/v1$/, '/__simulator');

  it('reports the ground truth without auth', async () => {
    const [a, b] = sim.current.sim.environments();
    const res = await call(admin(), '/truth', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ environments: { [a!.id]: 40, [b!.id]: 40 }, total: 80 });
    const ids = await call(admin(), `/truth/ids?environmentId=${a!.id}`, { token: null });
    expect(ids.body).toEqual(sim.current.sim.eventIds(a!.id));
    expect((await call(admin(), '/truth/ids', { token: null })).body.length).toBe(80);
    expect((await call(admin(), '/truth/ids?environmentId=us_env_nope', { token: null })).status).toBe(404);
  });

  it('adds events', async () => {
    const env = sim.current.sim.environments()[1]!.id;
    const res = await call(admin(), '/events', { method: 'POST', token: null, body: { environmentId: env, count: 3, createdAt: '2026-10-30T00:00:00.000Z' } });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(3);
    expect(sim.current.sim.eventIds(env)).toEqual(expect.arrayContaining(res.body));
    const events = await call(sim.current.url, `/events?environmentId=${env}&since=2026-10-30T00:00:00.000Z&pageSize=100`);
    expect(events.body.data.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining(res.body));
    const bad = await call(admin(), '/events', { method: 'POST', token: null, body: { environmentId: env, count: -1 } });
    expect(bad.status).toBe(400);
  });

  it('sets faults, with `only` as a pattern string', async () => {
    const res = await call(admin(), '/faults', { method: 'POST', token: null, body: { rate429: 1, only: '/users' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rate429: 1, only: '\\/users' }); // RegExp#source escapes the slash
    expect((await call(sim.current.url, '/users')).status).toBe(429);
    expect((await call(sim.current.url, '/environments')).status).toBe(200);
    // The admin surface itself is never faulted.
    expect((await call(admin(), '/faults', { method: 'POST', token: null, body: { rate429: 0, only: null } })).body.only).toBeNull();
    expect((await call(sim.current.url, '/users')).status).toBe(200);
    const bad = await call(admin(), '/faults', { method: 'POST', token: null, body: { rate429: 'often' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].message).toMatch(/rate429/);
  });

  it('reports and resets stats, not counting its own calls', async () => {
    await call(admin(), '/stats/reset', { method: 'POST', token: null });
    await call(sim.current.url, '/environments');
    await call(sim.current.url, '/environments', { token: 'bad' });
    const res = await call(admin(), '/stats', { token: null });
    expect(res.body).toEqual({ requests: 2, byRoute: { 'GET /environments': 2 }, byStatus: { '200': 1, '401': 1 } });
  });

  it('lists the secrets for leak checks', async () => {
    const res = await call(admin(), '/secrets', { token: null });
    expect(res.body).toEqual(sim.current.sim.secrets());
    expect(res.body).toContain('sk_sim_pat_default');
    expect(res.body).toContain('sim-secret');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await fetch(`${admin()}/faults`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
  });
});
