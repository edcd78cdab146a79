/**
 * Secrets are masked by how they look, not only by the key they sit under: a Flatfile key, a JWT
 * or a URL's token parameter deep inside an event payload does not reach the database, and one in
 * a log line does not reach the log. Agents' code (`source`, `sourceMap`) is not stored.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { maskSecrets } from '../../src/mask-secrets.js';
import { simulator } from '../helpers/simulator.js';
import { LogSink, readDb, runSync } from '../helpers/sync.js';
import { tempDbPath } from '../helpers/temp.js';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c191c3JfMSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLXZhbHVlLWhlcmU';

/** Every shape, as a value that must disappear from what is kept. */
const SECRETS = {
  secretKey: 'sk_23ghsyuyshs7dcrty0a1b2c3',
  secretKeyWithEnvironment: 'sk_test_9f8e7d6c5b4a3f2e',
  publishableKey: 'pk_live_0123456789abcdef',
  personalAccessToken: 'pat_AbC123dEf456GhI789',
  jwt: JWT,
  tokenParameter: 'tok-3f9a1c77e0',
  accessTokenParameter: 'at-55d0e2b1c4',
  keyParameter: 'k-8c1d2e3f4a',
} as const;

describe('maskSecrets', () => {
  it.each([
    ['a secret key', `use ${SECRETS.secretKey} here`, 'use [redacted secret key] here'],
    ['a secret key with an environment part', SECRETS.secretKeyWithEnvironment, '[redacted secret key]'],
    ['a publishable key', `"${SECRETS.publishableKey}"`, '"[redacted publishable key]"'],
    ['a personal access token', `token:${SECRETS.personalAccessToken}.`, 'token:[redacted personal access token].'],
    ['a JWT', `Authorization: ${JWT}`, 'Authorization: [redacted JWT]'],
    ['a bearer credential', 'Authorization: Bearer sim_at_0123456789abcdef', 'Authorization: Bearer [redacted]'],
    ['URL parameters', 'https://spaces.flatfile.com/s/us_sp_1?token=abc.def-1&x=1&access_token=zz9&API_KEY=q#frag', 'https://spaces.flatfile.com/s/us_sp_1?token=[redacted]&x=1&access_token=[redacted]&API_KEY=[redacted]#frag'],
    ['a signed URL', 'https://bucket.s3.amazonaws.com/f.csv?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abcd', 'https://bucket.s3.amazonaws.com/f.csv?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]'],
    ['a key after a JSON escape', String.raw`"line one\nsk_0123456789abcdef\u001bpk_0123456789abcdef"`, String.raw`"line one\n[redacted secret key]\u001b[redacted publishable key]"`],
  ])('masks %s', (_label, text, masked) => {
    expect(maskSecrets(text)).toBe(masked);
  });

  it.each([
    ['ids', 'us_evt_0123456789abcdef us_sp_1a2b3c4d us_pat_0123456789ab us_key_0123456789 us_acc_9f8e7d6c'],
    ['words that only start like keys', 'pk_not_unique sk_your_secret_key_here pat_pending PK_Orders_2024_01 task_sk_0123456789'],
    ['short ones', 'sk_1 pk_12ab'],
    ['plain query parameters', '/v1/sheets/us_sh_1/records?versionId=us_vr_123&pageSize=100'],
  ])('leaves %s alone', (_label, text) => {
    expect(maskSecrets(text)).toBe(text);
  });
});

describe('stored raw JSON', () => {
  it('holds no secret-shaped value of an event payload, at any depth, and no agent code', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 20, agentsPerEnvironment: 2 } }); // the last environment has no agents
    const environmentId = sim.environments()[0]!.id;
    const link = `https://spaces.flatfile.com/space/us_sp_1?token=${SECRETS.tokenParameter}&access_token=${SECRETS.accessTokenParameter}&key=${SECRETS.keyParameter}`;
    sim.addRawEvent(environmentId, {
      id: 'us_evt_secretshapes01',
      topic: 'job:completed',
      domain: 'job',
      createdAt: sim.clock().toISOString(),
      context: { accountId: sim.accountId, environmentId },
      payload: {
        note: `rotated to ${SECRETS.secretKey}`,
        steps: [{ outputs: [[{ value: SECRETS.secretKeyWithEnvironment }, { embed: { key: SECRETS.publishableKey } }]] }],
        deep: { a: { b: { c: [`pat is ${SECRETS.personalAccessToken}`, { jwt: SECRETS.jwt }] } } },
        link,
        multiline: `first\n${SECRETS.secretKey}`,
      },
    });
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath });
    expect(report.status).toBe('ok');

    const raw = readDb(dbPath, (db) => db.prepare('SELECT raw FROM events WHERE id = ?').pluck().get('us_evt_secretshapes01') as string);
    for (const secret of Object.values(SECRETS)) expect(raw).not.toContain(secret);
    const stored = JSON.parse(raw) as { payload: Record<string, unknown> };
    expect(stored.payload).toEqual({
      note: 'rotated to [redacted secret key]',
      steps: [{ outputs: [[{ value: '[redacted secret key]' }, { embed: { key: '[redacted publishable key]' } }]] }],
      deep: { a: { b: { c: ['pat is [redacted personal access token]', { jwt: '[redacted JWT]' }] } } },
      link: 'https://spaces.flatfile.com/space/us_sp_1?token=[redacted]&access_token=[redacted]&key=[redacted]',
      multiline: 'first\n[redacted secret key]',
    });

    const agents = readDb(dbPath, (db) => db.prepare('SELECT raw FROM agents WHERE environment_id = ?').pluck().all(environmentId) as string[]);
    expect(agents).toHaveLength(2);
    const served = sim.agents(environmentId);
    expect(served.every((a) => typeof a.source === 'string' && typeof a.sourceMap === 'string')).toBe(true);
    for (const text of agents) {
      const agent = JSON.parse(text) as Record<string, unknown>;
      expect(agent).not.toHaveProperty('source');
      expect(agent).not.toHaveProperty('sourceMap');
      expect(agent.slug).toEqual(expect.any(String));
    }
  });
});

describe('log lines', () => {
  it.each([false, true])('hold no secret-shaped value, in messages or in logged objects (pretty %s)', (pretty) => {
    const sink = new LogSink();
    const log = createLogger({ level: 'info', pretty, destination: sink });
    log.info({ url: `https://x.test/a?token=${SECRETS.tokenParameter}`, nested: { list: [SECRETS.jwt, { note: `k ${SECRETS.publishableKey}` }] } }, `answer mentioned ${SECRETS.secretKey}`);
    log.warn(new Error(`upstream said: bad key ${SECRETS.personalAccessToken}\nsecond line ${SECRETS.secretKeyWithEnvironment}`), 'request failed');
    expect(sink.lines.length).toBeGreaterThanOrEqual(2);
    const logged = [SECRETS.tokenParameter, SECRETS.jwt, SECRETS.publishableKey, SECRETS.secretKey, SECRETS.personalAccessToken, SECRETS.secretKeyWithEnvironment];
    for (const secret of logged) expect(sink.text).not.toContain(secret);
    expect(sink.text).toContain('answer mentioned [redacted secret key]');
    expect(sink.text).toContain('token=[redacted]');
    expect(sink.text).toContain('[redacted JWT]');
    expect(sink.text).toContain('bad key [redacted personal access token]');
  });
});
