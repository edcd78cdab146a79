import { describe, expect, it } from 'vitest';
import { call, PAT, useSimulator } from './helpers.js';

describe('simulator auth', () => {
  const sim = useSimulator({ account: { eventsPerEnvironment: 10 }, pats: [PAT, 'sk_sim_pat_second'] });

  it('accepts a PAT', async () => {
    const res = await call(sim.current.url, '/environments');
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBe(3);
  });

  it.each([
    ['no token', null, 'missing bearer token'],
    ['an unknown token', 'sk_nope', 'invalid token'],
  ])('answers 401 for %s, in the API error shape', async (_label, token, message) => {
    const res = await call(sim.current.url, '/users', { token });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ errors: [{ key: 'authorization', message }] });
  });

  it('answers 401 for a revoked PAT and keeps accepting the others', async () => {
    sim.current.sim.revokeToken('sk_sim_pat_second');
    expect((await call(sim.current.url, '/users', { token: 'sk_sim_pat_second' })).status).toBe(401);
    expect((await call(sim.current.url, '/users')).status).toBe(200);
  });

  it('exchanges legacy credentials for an access token that works until it expires', async () => {
    const res = await call(sim.current.url, '/auth', { method: 'POST', token: null, body: { type: 'apiCredentials', clientId: 'sim-client', secret: 'sim-secret' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accessToken: expect.stringMatching(/^sim_at_/),
      expiresIn: '86400',
      expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      accountId: sim.current.sim.accountId,
    });
    const { accessToken } = res.body;
    expect(Date.parse(res.body.expires) - Date.now()).toBeGreaterThan(86_390_000);
    expect(sim.current.sim.secrets()).toContain(accessToken);
    expect((await call(sim.current.url, '/environments', { token: accessToken })).status).toBe(200);

    sim.current.sim.advanceClock(86_400_000);
    const expired = await call(sim.current.url, '/environments', { token: accessToken });
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].message).toBe('token has expired');
  });

  it.each([
    ['without a type', { clientId: 'sim-client', secret: 'sim-secret' }],
    ['with an unknown type', { type: 'clientCredentials', clientId: 'sim-client', secret: 'sim-secret' }],
  ])('answers 400 to a body %s, as the API does for its union of credential kinds', async (_label, body) => {
    const res = await call(sim.current.url, '/auth', { method: 'POST', token: null, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ key: 'type', message: 'type must be "apiCredentials" or "userCredentials"' }] });
  });

  it('rejects wrong legacy credentials with 401', async () => {
    const res = await call(sim.current.url, '/auth', { method: 'POST', token: null, body: { type: 'apiCredentials', clientId: 'sim-client', secret: 'wrong' } });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].key).toBe('authorization');
  });

  it('revokes an issued access token', async () => {
    const { body } = await call(sim.current.url, '/auth', { method: 'POST', token: null, body: { type: 'apiCredentials', clientId: 'sim-client', secret: 'sim-secret' } });
    sim.current.sim.revokeToken(body.accessToken);
    expect((await call(sim.current.url, '/environments', { token: body.accessToken })).status).toBe(401);
  });

  it('lists the PATs still accepted, without their values', async () => {
    const res = await call(sim.current.url, '/auth/personal-access-tokens');
    expect(res.status).toBe(200);
    // The token that asks was just used: lastUsedAt says so.
    expect(res.body.data).toEqual([{ id: expect.stringMatching(/^us_pat_/), name: 'Token 1', createdAt: expect.any(String), lastUsedAt: expect.any(String) }]);
    expect(JSON.stringify(res.body)).not.toContain(PAT);
  });
});

describe('simulator access token lifetime', () => {
  const sim = useSimulator({ account: { eventsPerEnvironment: 0 }, accessTokenTtlMs: 60_000 });

  it('reports the configured TTL as expiresIn seconds', async () => {
    const res = await call(sim.current.url, '/auth', { method: 'POST', token: null, body: { type: 'apiCredentials', clientId: 'sim-client', secret: 'sim-secret' } });
    expect(res.body.expiresIn).toBe('60');
    sim.current.sim.advanceClock(59_000);
    expect((await call(sim.current.url, '/users', { token: res.body.accessToken })).status).toBe(200);
    sim.current.sim.advanceClock(1_000);
    expect((await call(sim.current.url, '/users', { token: res.body.accessToken })).status).toBe(401);
  });
});
