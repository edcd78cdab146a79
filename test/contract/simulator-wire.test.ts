/**
 * The simulator against the official SDK's own schemas (@flatfile/api's serialization layer, which
 * is pure): every kind of answer the simulator serves must parse as the SDK's response type for that
 * call, extra fields allowed (the API adds fields at any time), required fields and enum values
 * strictly. And the simulator shares no code with the client it tests, so a misreading of the API in
 * the client cannot be mirrored by it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulator, TEST_PAT } from '../helpers/simulator.js';

interface Schema {
  parse(raw: unknown, options: Record<string, unknown>): { ok: true } | { ok: false; errors: Array<{ path: string[]; message: string }> };
}
const serialization = createRequire(import.meta.url)('@flatfile/api/serialization') as Record<string, Schema>;

/** Problems the SDK's schema finds in `body` (empty when it parses), strict on required keys and enums. */
function sdkProblems(schema: string, body: unknown): string[] {
  const result = serialization[schema]!.parse(body, {
    unrecognizedObjectKeys: 'passthrough',
    allowUnrecognizedEnumValues: false,
    allowUnrecognizedUnionMembers: false,
    breadcrumbsPrefix: [schema],
  });
  return result.ok ? [] : result.errors.map((e) => `${e.path.join('.')}: ${e.message}`);
}

/**
 * A scheduled event (cron:5-minutes, cron:hourly, cron:daily, cron:weekly) against what the SDK says
 * of it. Its Event union, what ListAllEventsResponse lists, has a member per topic and none for cron
 * topics (nor space:unarchived, program:recompute*, thread:*): a union member is picked by `topic`, so
 * an unlisted topic fails as "not one of the union's members" before any field is looked at. Yet
 * EventTopic lists the four cron topics and Domain has `cron`, which only an event carries: the SDK
 * models cron events, and the union is what its generator was given for the listing, not proof that
 * the listing never holds one. So a cron event is held to the shape every union member has: the
 * SDK's GenericEvent (id, createdAt, payload, domain, context with accountId and environmentId, the
 * optional fields), its topic one of EventTopic and its domain `cron`.
 */
function sdkScheduledEventProblems(event: { topic: string; domain?: unknown }): string[] {
  return [
    ...sdkProblems('GenericEvent', event),
    ...sdkProblems('EventTopic', event.topic),
    ...(event.domain === 'cron' ? [] : [`${event.topic}: domain ${JSON.stringify(event.domain)}, not cron`]),
  ];
}

/** An events listing: scheduled (cron) events against the shape the SDK gives them (above), the rest as ListAllEventsResponse. */
function sdkListingProblems(listing: { data: Array<{ topic: string }> }): string[] {
  const scheduled = listing.data.filter((e) => e.topic.startsWith('cron:'));
  const others = listing.data.filter((e) => !e.topic.startsWith('cron:'));
  return [...sdkProblems('ListAllEventsResponse', { ...listing, data: others }), ...scheduled.flatMap(sdkScheduledEventProblems)];
}

describe('the simulator speaks the SDK\'s wire format', () => {
  it('every listing, /auth and the PAT listing parse with the SDK schema of their call', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 300 } });
    const get = async (path: string): Promise<unknown> => {
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TEST_PAT}` } });
      expect(response.status, path).toBe(200);
      return response.json();
    };
    const listingProblems: string[] = [];
    const environments = (await get('/environments')) as { data: Array<{ id: string }> };
    const answers: Array<[string, unknown]> = [['ListEnvironmentsResponse', environments], ['ListUsersResponse', await get('/users')]];
    for (const { id } of environments.data) {
      const spaces = (await get(`/spaces?environmentId=${id}&archived=true`)) as { data: Array<{ id: string }> };
      answers.push(['ListSpacesResponse', spaces]);
      for (const space of spaces.data) answers.push(['ListGuestsResponse', await get(`/guests?spaceId=${space.id}`)]);
      answers.push(['ListAgentsResponse', await get(`/agents?environmentId=${id}`)]);
      sim.addEvents(id, 2, { topic: 'cron:hourly' });
      const listed = (await get(`/events?environmentId=${id}&includeAcknowledged=true&pageSize=1000`)) as { data: Array<{ topic: string }> };
      expect(listed.data.filter((e) => e.topic.startsWith('cron:')).length).toBeGreaterThanOrEqual(2);
      listingProblems.push(...sdkListingProblems(listed));
    }
    answers.push(['PersonalAccessTokensResponse', await get('/auth/personal-access-tokens')]);
    const auth = await fetch(`${url}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'apiCredentials', clientId: 'sim-client', secret: 'sim-secret' }),
    });
    answers.push(['AccessToken', await auth.json()]);
    expect(answers.length).toBeGreaterThan(10);
    expect(answers.flatMap(([schema, body]) => sdkProblems(schema, body))).toEqual([]);
    expect(listingProblems).toEqual([]);
    expect(sim.environments()).toHaveLength(2);
  });

  it('the PAT calls answer in the SDK\'s shapes: create, list (lastUsedAt set by use), delete, and a deleted token gets 401', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const call = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = await call('POST', '/auth/personal-access-tokens', TEST_PAT, { name: 'rotation 1' });
    expect(created.status).toBe(200);
    const createdBody = (await created.json()) as { data: { token: string; personalAccessToken: { id: string; name: string; lastUsedAt?: string } } };
    expect(sdkProblems('CreatePersonalAccessTokenResponse', createdBody)).toEqual([]);
    const { token, personalAccessToken } = createdBody.data;
    expect(personalAccessToken).toMatchObject({ name: 'rotation 1' });
    expect(personalAccessToken.lastUsedAt).toBeUndefined();

    // The new token works at once, and using it sets its lastUsedAt.
    expect((await call('GET', '/environments', token)).status).toBe(200);
    const listed = (await (await call('GET', '/auth/personal-access-tokens', TEST_PAT)).json()) as { data: Array<{ id: string; lastUsedAt?: string }> };
    expect(sdkProblems('PersonalAccessTokensResponse', listed)).toEqual([]);
    expect(listed.data.find((p) => p.id === personalAccessToken.id)?.lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(listed.data.map((p) => p.id)).toContain(personalAccessToken.id);

    const deleted = await call('DELETE', `/auth/personal-access-tokens/${personalAccessToken.id}`, TEST_PAT);
    expect(deleted.status).toBe(200);
    expect(sdkProblems('Success', await deleted.json())).toEqual([]);
    // Revoked at once: the next call with it is refused, and it is no longer listed.
    expect((await call('GET', '/environments', token)).status).toBe(401);
    const after = (await (await call('GET', '/auth/personal-access-tokens', TEST_PAT)).json()) as { data: Array<{ id: string }> };
    expect(after.data.map((p) => p.id)).not.toContain(personalAccessToken.id);
    // A second delete of the same id, or an unknown one, is a 404 in the API's error shape.
    const again = await call('DELETE', `/auth/personal-access-tokens/${personalAccessToken.id}`, TEST_PAT);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ errors: [{ message: expect.stringContaining(personalAccessToken.id) }] });
    expect((await call('POST', '/auth/personal-access-tokens', TEST_PAT, {})).status).toBe(400);
    expect(sim.secrets()).toContain(token);
  });

  it('dates come with milliseconds, and without them on a whole second, as the API writes them', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 20 } });
    const environmentId = sim.environments()[0]!.id;
    const [whole] = sim.addEvents(environmentId, 1, { createdAt: '2026-10-31T12:00:05.000Z' });
    const [fraction] = sim.addEvents(environmentId, 1, { createdAt: '2026-10-31T12:00:05.250Z' });
    const response = await fetch(`${url}/events?environmentId=${environmentId}&includeAcknowledged=true&pageSize=100`, { headers: { authorization: `Bearer ${TEST_PAT}` } });
    const events = ((await response.json()) as { data: Array<{ id: string; createdAt: string; topic: string }> }).data;
    expect(events.find((e) => e.id === whole!.id)?.createdAt).toBe('2026-10-31T12:00:05Z');
    expect(events.find((e) => e.id === fraction!.id)?.createdAt).toBe('2026-10-31T12:00:05.250Z');
    expect(sdkListingProblems({ data: events })).toEqual([]);
  });

  it('serves scheduled (cron) events as the SDK shapes them, which its Event union alone refuses', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const environmentId = sim.environments()[0]!.id;
    const topics = ['cron:5-minutes', 'cron:hourly', 'cron:daily', 'cron:weekly'];
    for (const topic of topics) sim.addEvents(environmentId, 1, { topic });
    const response = await fetch(`${url}/events?environmentId=${environmentId}&includeAcknowledged=true&pageSize=100`, { headers: { authorization: `Bearer ${TEST_PAT}` } });
    const scheduled = ((await response.json()) as { data: Array<{ topic: string; domain: string; context: Record<string, unknown> }> }).data.filter((e) => e.topic.startsWith('cron:'));
    expect(scheduled.map((e) => e.topic).sort()).toEqual([...topics].sort());
    expect(scheduled.flatMap(sdkScheduledEventProblems)).toEqual([]);
    // The platform's: no actor, no space.
    for (const event of scheduled) expect(Object.keys(event.context).sort()).toEqual(['accountId', 'environmentId']);
    // Why the union is not the schema for them: it refuses each on its topic alone.
    for (const event of scheduled) expect(sdkProblems('Event', event).join('\n')).toMatch(/topic|union/i);
  });

  it('imports nothing from outside src/simulator (node: built-ins only)', () => {
    const dir = fileURLToPath(new URL('../../src/simulator/', import.meta.url));
    const outside = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => `${file}: ${m[1]}`))
      .filter((line) => !/: (\.\/|node:)/.test(line));
    expect(outside).toEqual([]);
  });
});
