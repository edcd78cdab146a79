/** The PAT client against the simulator over HTTP: list, create, delete, and answers it must refuse. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ApiError, RetriesExhaustedError } from '../../src/errors.js';
import { connectFlatfile } from '../../src/flatfile/connect.js';
import { createPersonalAccessToken, deletePersonalAccessToken, listPersonalAccessTokens } from '../../src/flatfile/personal-access-tokens.js';
import { createLogger } from '../../src/log.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { LogSink } from '../helpers/sync.js';

async function client(url: string, token = TEST_PAT, logs = new LogSink()) {
  const config = loadConfig({ FLATFILE_API_URL: url, FLATFILE_TOKEN: token, AUDIT_REQUEST_TIMEOUT: '5s', AUDIT_MAX_RETRIES: '3' });
  return connectFlatfile(config, createLogger({ level: 'trace', destination: logs }));
}

describe('personal access tokens', () => {
  it('creates a token that works, lists it with its use, deletes it', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 1 } });
    const logs = new LogSink();
    const http = await client(url, TEST_PAT, logs);
    const created = await createPersonalAccessToken(http, 'flatfile-audit 1', undefined);
    expect(created.record).toMatchObject({ name: 'flatfile-audit 1', lastUsedAt: null });
    expect(created.record.id).toMatch(/^us_pat_/);
    // The value is the live token, but only reveal() gives it: logs, JSON and inspect see a mask.
    expect(sim.personalAccessTokenValue(created.record.id)).toBe(created.token.reveal());
    expect(`${created.token}`).toBe('[secret]');
    expect(JSON.stringify(created)).not.toContain(created.token.reveal());
    expect(inspect(created)).not.toContain(created.token.reveal());
    expect(created.record.raw).not.toContain(created.token.reveal());

    const withNew = await client(url, created.token.reveal());
    await withNew.get('/environments', {});
    const listing = await listPersonalAccessTokens(http);
    expect(listing.invalid).toEqual([]);
    const listed = listing.records.find((r) => r.id === created.record.id);
    expect(listed?.lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(listing.records.map((r) => r.id).sort()).toEqual(sim.personalAccessTokens().map((p) => p.id).sort());

    expect(await deletePersonalAccessToken(http, created.record.id)).toBe('deleted');
    expect(await deletePersonalAccessToken(http, created.record.id)).toBe('not-found');
    expect(sim.personalAccessTokenValue(created.record.id)).toBeUndefined();
    expect(logs.text).not.toContain(created.token.reveal());
  });

  it('refuses a create answer without a token, and does not send a create twice when the first got no good answer', async () => {
    const { url, sim } = await simulator({ account: { environments: 1, eventsPerEnvironment: 1 } });
    const http = await client(url);
    sim.beforeAnswer = (r) => (r.method === 'POST' ? { status: 200, body: { data: { personalAccessToken: { id: 'us_pat_x', name: 'x', createdAt: '2026-01-01T00:00:00Z' } } } } : undefined);
    await expect(createPersonalAccessToken(http, 'x')).rejects.toThrow(ApiError);
    let posts = 0;
    sim.beforeAnswer = (r) => (r.method === 'POST' ? (posts++, { status: 503, message: 'upstream' }) : undefined);
    await expect(createPersonalAccessToken(http, 'y')).rejects.toThrow(RetriesExhaustedError);
    expect(posts).toBe(1);
    // A listing item without an id is set aside, not a failure of the listing.
    sim.beforeAnswer = () => ({ status: 200, body: { data: [{ name: 'no id', createdAt: '2026-01-01T00:00:00Z' }, { id: 'us_pat_ok', name: 'ok', createdAt: '2026-01-01T00:00:00Z' }] } });
    const listing = await listPersonalAccessTokens(http);
    expect(listing.records.map((r) => r.id)).toEqual(['us_pat_ok']);
    expect(listing.invalid).toEqual([{ reason: 'personal access token without an id' }]);
  });
});
