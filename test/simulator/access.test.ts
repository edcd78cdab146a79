/** The simulator's guest access and renames: ground truth and events agree, over the admin surface too. */
import { describe, expect, it } from 'vitest';
import { call, useSimulator } from './helpers.js';

type WireEvent = { id: string; topic: string; createdAt: string; payload: { guestId?: string }; context: { spaceId?: string; actorId?: string } };

describe('simulator guest access and renames', () => {
  const sim = useSimulator({ account: { environments: 1, eventsPerEnvironment: 200, guestsPerEnvironment: 10, spacesPerEnvironment: 5 } });
  const admin = () => sim.current.url.replace(/\/api\/v1$/, '/__simulator');

  it('tells every grant and revocation of its ground truth by a space:guestAdded / guestRemoved event', () => {
    const s = sim.current.sim;
    const env = s.environments()[0]!.id;
    const events = s.events(env) as unknown as WireEvent[];
    const told = events.filter((e) => e.topic === 'space:guestAdded' || e.topic === 'space:guestRemoved')
      .map((e) => [e.topic === 'space:guestAdded' ? 'granted' : 'revoked', e.payload.guestId, e.context.spaceId, Date.parse(e.createdAt)]);
    const truth = s.accessGrants().flatMap((g) => [
      ['granted', g.guestId, g.spaceId, g.fromMs],
      ...(g.untilMs === undefined ? [] : [['revoked', g.guestId, g.spaceId, g.untilMs]]),
    ]);
    const order = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(order(told)).toEqual(order(truth));
    // Every current membership was granted by one, and some guests had a space for a while.
    expect(s.accessGrants().filter((g) => g.untilMs === undefined)).toHaveLength(s.guests(env).flatMap((g) => g.spaces).length);
    expect(truth.some(([change]) => change === 'revoked')).toBe(true);
  });

  it('grants, revokes and renames over the admin surface, with events, listings and updatedAt to match', async () => {
    const s = sim.current.sim;
    const env = s.environments()[0]!.id;
    const guest = s.guests(env)[0]!;
    const space = guest.spaces[0]!.id;
    s.advanceClock(60_000);
    const removed = await call(admin(), '/guests/access', { method: 'POST', token: null, body: { guestId: guest.id, spaceId: space, granted: false } });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ topic: 'space:guestRemoved', payload: { guestId: guest.id }, context: { spaceId: space } });
    const at = removed.body.createdAt as string;
    expect((await call(admin(), `/truth/access?spaceId=${space}&at=${at}`, { token: null })).body).not.toContain(guest.id);
    expect((await call(admin(), `/truth/access?spaceId=${space}&at=${new Date(Date.parse(at) - 1).toISOString()}`, { token: null })).body).toContain(guest.id);
    const listed = await call(sim.current.url, `/guests?spaceId=${space}`);
    expect(listed.body.data.map((g: { id: string }) => g.id)).not.toContain(guest.id);
    expect(Date.parse(s.guests(env).find((g) => g.id === guest.id)!.updatedAt)).toBe(Date.parse(at));
    expect((await call(admin(), '/guests/access', { method: 'POST', token: null, body: { guestId: guest.id, spaceId: space, granted: false } })).status).toBe(400);

    const user = s.users()[0]!;
    const renamed = await call(admin(), '/users/rename', { method: 'POST', token: null, body: { userId: user.id, name: 'New Name' } });
    expect(renamed.body).toMatchObject({ id: user.id, name: 'New Name', email: user.email });
    const users = await call(sim.current.url, '/users?pageSize=100');
    expect(users.body.data.find((u: { id: string }) => u.id === user.id)).toMatchObject({ name: 'New Name', updatedAt: renamed.body.updatedAt });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThan(Date.parse(user.updatedAt));

    const other = s.guests(env)[1]!;
    const gone = await call(admin(), '/guests/remove', { method: 'POST', token: null, body: { guestId: other.id } });
    expect(gone.status).toBe(200);
    const removals = (s.events(env) as unknown as WireEvent[]).filter((e) => e.topic === 'space:guestRemoved' && e.payload.guestId === other.id && Date.parse(e.createdAt) >= Date.parse(at));
    expect(removals.map((e) => e.context.spaceId).sort()).toEqual(other.spaces.map((m) => m.id).sort());
  });
});
