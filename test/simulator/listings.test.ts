import { describe, expect, it } from 'vitest';
import { call, useSimulator } from './helpers.js';

describe('simulator listings other than events', () => {
  // Big enough that every list has a second page at its default page size.
  const sim = useSimulator({
    account: { environments: 3, users: 25, spacesPerEnvironment: 12, guestsPerEnvironment: 8, agentsPerEnvironment: 11, eventsPerEnvironment: 20 },
  });
  const first = () => sim.current.sim.environments()[0]!.id;

  it('pages environments (default pageSize 10) with a pagination object', async () => {
    const all = await call(sim.current.url, '/environments');
    expect(all.body.pagination).toEqual({ currentPage: 1, pageCount: 1, totalCount: 3 });
    expect(all.body.data.map((e: { id: string }) => e.id)).toEqual(sim.current.sim.environments().map((e) => e.id));
    expect(all.body.data[0]).toMatchObject({ id: expect.stringMatching(/^us_env_/), accountId: sim.current.sim.accountId, isProd: true });
    const page2 = await call(sim.current.url, '/environments?pageSize=2&pageNumber=2');
    expect(page2.body.data.length).toBe(1);
    expect(page2.body.pagination).toEqual({ currentPage: 2, pageCount: 2, totalCount: 3 });
    const past = await call(sim.current.url, '/environments?pageSize=2&pageNumber=3');
    expect(past.body.data).toEqual([]);
  });

  it.each([
    ['/users', 20, 25],
    ['/spaces?environmentId=ENV&archived=true', 10, 12],
    ['/agents?environmentId=ENV', 10, 11],
  ])('%s pages at a default pageSize of %i', async (path, pageSize, total) => {
    const res = await call(sim.current.url, path.replace('ENV', first()));
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBe(pageSize);
    expect(res.body.pagination).toEqual({ currentPage: 1, pageCount: Math.ceil(total / pageSize), totalCount: total });
  });

  it('serves realistic users', async () => {
    const { body } = await call(sim.current.url, '/users?pageSize=100');
    expect(body.data.length).toBe(25);
    for (const user of body.data) {
      expect(user).toMatchObject({ id: expect.stringMatching(/^us_usr_/), accountId: sim.current.sim.accountId, idp: expect.any(String), metadata: {} });
      expect(user.email).toMatch(/^[a-z]+\.[a-z0-9]+@[a-z.-]+$/);
      expect(user.email.split('@')[0]).toBe(user.name.toLowerCase().replace(' ', '.'));
    }
    expect(new Set(body.data.map((u: { email: string }) => u.email)).size).toBe(25);
  });

  it('lists archived spaces only with archived=true, and sends their secrets', async () => {
    const env = first();
    const active = await call(sim.current.url, `/spaces?environmentId=${env}&pageSize=100`);
    const withArchived = await call(sim.current.url, `/spaces?environmentId=${env}&archived=true&pageSize=100`);
    expect(active.body.data.every((s: { archivedAt?: string }) => s.archivedAt === undefined)).toBe(true);
    const archived = withArchived.body.data.filter((s: { archivedAt?: string }) => s.archivedAt !== undefined);
    expect(archived.length).toBe(3);
    expect(withArchived.body.data.length).toBe(active.body.data.length + 3);

    const secrets = sim.current.sim.secrets();
    const tokens = withArchived.body.data.map((s: { accessToken: string }) => s.accessToken);
    expect(new Set(tokens).size).toBe(12);
    for (const space of withArchived.body.data) {
      expect(space.accessToken).toMatch(/^sp_tok_/);
      expect(space.guestLink).toContain(space.accessToken);
      expect(secrets).toEqual(expect.arrayContaining([space.accessToken, space.guestLink]));
    }
  });

  it('lists a space\'s guests only, without pagination; a guest in several spaces appears in each', async () => {
    const env = first();
    const guests = sim.current.sim.guests(env);
    const multi = guests.find((g) => g.spaces.length > 1);
    expect(multi).toBeDefined();
    for (const membership of multi!.spaces) {
      const res = await call(sim.current.url, `/guests?spaceId=${membership.id}`);
      expect(res.status).toBe(200);
      expect(res.body.pagination).toBeUndefined();
      expect(res.body.data.every((g: { spaces: Array<{ id: string }> }) => g.spaces.some((s) => s.id === membership.id))).toBe(true);
      const expected = guests.filter((g) => g.spaces.some((s) => s.id === membership.id)).map((g) => g.id);
      expect(res.body.data.map((g: { id: string }) => g.id).sort()).toEqual(expected.sort());
      expect(res.body.data.find((g: { id: string }) => g.id === multi!.id)).toMatchObject({ id: expect.stringMatching(/^us_g_/), environmentId: env });
    }
  });

  it('requires spaceId for guests and environmentId for agents', async () => {
    const guests = await call(sim.current.url, '/guests');
    expect(guests.status).toBe(400);
    expect(guests.body.errors[0]).toEqual({ key: 'spaceId', message: 'spaceId is required' });
    expect((await call(sim.current.url, '/agents')).status).toBe(400);
    expect((await call(sim.current.url, '/guests?spaceId=us_sp_nope')).status).toBe(404);
  });

  it('serves agents with their source code, and none in the last environment', async () => {
    const envs = sim.current.sim.environments();
    const { body } = await call(sim.current.url, `/agents?environmentId=${envs[0]!.id}&pageSize=100`);
    expect(body.data.length).toBe(11);
    expect(body.data[0]).toMatchObject({ id: expect.stringMatching(/^us_ag_/), slug: expect.any(String), topics: expect.any(Array), compiler: 'js', source: expect.stringContaining('module.exports') });
    const last = await call(sim.current.url, `/agents?environmentId=${envs[2]!.id}`);
    expect(last.body).toEqual({ data: [], pagination: { currentPage: 1, pageCount: 0, totalCount: 0 } });
  });

  it.each(['0', '-1', '1.5', 'abc', ''])('rejects pageSize=%j with 400', async (value) => {
    const res = await call(sim.current.url, `/users?pageSize=${value}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].key).toBe('pageSize');
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    expect((await call(sim.current.url, '/workbooks')).status).toBe(404);
    const res = await call(sim.current.url, '/users', { method: 'POST', body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.body.errors[0].message).toMatch(/not allowed/);
  });

  it('drops removed users, guests, agents and spaces from their listings', async () => {
    const s = sim.current.sim;
    const env = s.environments()[1]!.id;
    const user = s.users()[0]!;
    const guest = s.guests(env)[0]!;
    const agent = s.agents(env)[0]!;
    const space = s.spaces(env)[0]!;
    s.removeUser(user.id);
    s.removeGuest(guest.id);
    s.removeAgent(agent.id);
    s.removeSpace(space.id);
    const users = await call(sim.current.url, '/users?pageSize=100');
    expect(users.body.data.map((u: { id: string }) => u.id)).not.toContain(user.id);
    const agents = await call(sim.current.url, `/agents?environmentId=${env}&pageSize=100`);
    expect(agents.body.data.map((a: { id: string }) => a.id)).not.toContain(agent.id);
    const spaces = await call(sim.current.url, `/spaces?environmentId=${env}&archived=true&pageSize=100`);
    expect(spaces.body.data.map((sp: { id: string }) => sp.id)).not.toContain(space.id);
    expect((await call(sim.current.url, `/guests?spaceId=${space.id}`)).status).toBe(404);
    for (const membership of guest.spaces.filter((m) => m.id !== space.id)) {
      const guests = await call(sim.current.url, `/guests?spaceId=${membership.id}`);
      expect(guests.body.data.map((g: { id: string }) => g.id)).not.toContain(guest.id);
    }
    expect(() => s.removeUser('us_usr_nope')).toThrow('unknown user us_usr_nope');
  });
});
