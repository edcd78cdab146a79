/**
 * Inventory listings end even when the API misbehaves: a server that serves items without an id on
 * every page, however many pages its pagination claims, cannot keep a listing going.
 */
import { resolveApiEndpoint } from '../../src/flatfile/api-url.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FlatfileHttp } from '../../src/flatfile/http-client.js';
import { listAgents } from '../../src/flatfile/agents.js';
import { listAll } from '../../src/flatfile/list-all.js';
import { DEFAULT_RETRY_POLICY } from '../../src/flatfile/retry-policy.js';
import { createLogger } from '../../src/log.js';

/** A client of our own HTTP stack for `server`, which listens on loopback until the test ends. */
async function clientOf(server: Server): Promise<FlatfileHttp> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const http = new FlatfileHttp({
    endpoint: resolveApiEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, undefined),
    timeoutMs: 5_000,
    maxResponseBytes: 2 ** 20,
    policy: DEFAULT_RETRY_POLICY,
    log: createLogger({ level: 'silent' }),
  });
  http.useAuthenticator({ remedy: '', authorization: async () => 'Bearer sk_test_0123456789', renew: async () => false });
  return http;
}

/** A GET /agents that answers every page with `page(pageNumber)`; stops after 50 pages so a broken client fails instead of hanging. */
async function agentsServer(page: (pageNumber: number) => unknown[]): Promise<{ http: FlatfileHttp; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const pageNumber = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('pageNumber'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: requests > 50 ? [] : page(pageNumber), pagination: { currentPage: pageNumber, pageCount: 1_000_000, totalCount: 10_000_000 } }));
  });
  const http = await clientOf(server);
  return { http, requests: () => requests };
}

const idless = (n: number) => Array.from({ length: n }, (_v, i) => ({ slug: `agent-${i}`, topics: ['job:ready'] }));

describe('listAll', () => {
  it('stops at the first page that brings only items without an id, and reports them as invalid', async () => {
    const api = await agentsServer(() => idless(3));
    const listing = await listAgents(api.http, 'us_env_1', 3);
    expect(api.requests()).toBe(1);
    expect(listing.records).toEqual([]);
    expect(listing.invalid).toEqual([{ reason: 'agent without an id' }, { reason: 'agent without an id' }, { reason: 'agent without an id' }]);
  });

  it('keeps going while pages bring new ids, and stops at the first that brings none (id-less items alongside)', async () => {
    const api = await agentsServer((pageNumber) => [...(pageNumber <= 2 ? [{ id: `us_ag_${pageNumber}`, environmentId: 'us_env_1' }] : []), ...idless(2)]);
    const listing = await listAgents(api.http, 'us_env_1', 3);
    expect(api.requests()).toBe(3);
    expect(listing.records.map((r) => r.id)).toEqual(['us_ag_1', 'us_ag_2']);
    expect(listing.invalid).toHaveLength(6);
  });
});

describe('listAll while the listing changes', () => {
  it('an item removed between two pages does not make a later one fall between them: the listing is read again', async () => {
    let users = Array.from({ length: 10 }, (_v, i) => ({ id: `us_usr_${i}`, email: `u${i}@example.com` }));
    let requests = 0;
    const server = createServer((req, res) => {
      requests += 1;
      const url = new URL(req.url ?? '/', 'http://x');
      const pageNumber = Number(url.searchParams.get('pageNumber'));
      const pageSize = Number(url.searchParams.get('pageSize'));
      // The first user is deleted just after the first page was served.
      if (requests === 2) users = users.slice(1);
      const data = users.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data, pagination: { currentPage: pageNumber, pageCount: Math.ceil(users.length / pageSize), totalCount: users.length } }));
    });
    const http = await clientOf(server);
    const items = (await listAll(http, { path: '/users', query: {}, pageSize: 3 })) as Array<{ id: string }>;
    // us_usr_3 moved from page 2 to page 1 after page 1 was read: a single pass would miss it.
    expect(items.map((u) => u.id).sort()).toEqual(users.map((u) => u.id).sort());
    expect(items.map((u) => u.id)).toContain('us_usr_3');
  });
});
