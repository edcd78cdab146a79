/** Credentials against the simulator: legacy exchange and renewal, and what the logs may show. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { LogSink, runSync, storedEventIds } from '../helpers/sync.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';

const legacy = { FLATFILE_TOKEN: '', FLATFILE_CLIENT_ID: 'cid', FLATFILE_SECRET: 'legacy-secret-value' };
const account = { environments: 2, eventsPerEnvironment: 200 };

describe('legacy client id + secret', () => {
  it('exchanges again before the access token expires', async () => {
    const { url, sim } = await simulator({ account, legacyClients: [{ clientId: 'cid', secret: 'legacy-secret-value' }], accessTokenTtlMs: 400, faults: { latencyMs: 15 } });
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath, env: { ...legacy, AUDIT_PAGE_SIZE: '10', AUDIT_CONCURRENCY: '1' } });
    expect(report.status).toBe('ok');
    expect(sim.stats().byRoute['POST /auth']).toBeGreaterThanOrEqual(3);
    expect(sim.stats().byStatus['401'] ?? 0).toBe(0); // renewed ahead of expiry, never caught out
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('exchanges again on the first 401 and carries on', async () => {
    const { url, sim } = await simulator({ account, legacyClients: [{ clientId: 'cid', secret: 'legacy-secret-value' }] });
    let revoked = false;
    sim.onEventsRequest = (q) => {
      if (!revoked && q.pageNumber === 3) {
        revoked = true;
        for (const token of sim.secrets().filter((s) => s.startsWith('sim_at_'))) sim.revokeToken(token);
      }
    };
    const dbPath = tempDbPath();
    const report = await runSync({ url, dbPath, env: { ...legacy, AUDIT_PAGE_SIZE: '10', AUDIT_CONCURRENCY: '1' } });
    expect(revoked).toBe(true);
    expect(report.status).toBe('ok');
    expect(sim.stats().byStatus['401']).toBeGreaterThanOrEqual(1);
    expect(sim.stats().byRoute['POST /auth']).toBe(2);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
  });

  it('fails with the token-rejected message when the secret itself is wrong', async () => {
    const { url } = await simulator({ account, legacyClients: [{ clientId: 'cid', secret: 'another' }] });
    const report = await runSync({ url, dbPath: tempDbPath(), env: legacy });
    expect(report.status).toBe('failed');
    expect(report.error?.message).toMatch(/rejected the token \(HTTP 401.*check FLATFILE_CLIENT_ID and FLATFILE_SECRET/);
  });
});

describe('log redaction', () => {
  it('censors credentials even when an object holding them is logged by mistake', () => {
    const sink = new LogSink();
    const log = createLogger({ level: 'trace', destination: sink });
    log.info({ headers: { authorization: 'Bearer sk_leak_1' }, config: { credentials: { token: 'sk_leak_2', secret: 'sk_leak_3' } }, space: { accessToken: 'sk_leak_4', guestLink: 'https://x/?t=sk_leak_5' } }, 'oops');
    expect(sink.lines).toHaveLength(1);
    expect(sink.text).not.toMatch(/sk_leak/);
    expect(sink.text).toContain('[redacted]');
  });
});
