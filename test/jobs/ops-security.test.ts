/**
 * The ops port against a hostile browser and a guesser: a foreign Host header is refused before
 * anything else (DNS rebinding), wrong dashboard passwords are rate-limited per address, and the
 * read-only dashboard changes nothing in Redis, whatever mutating request it gets. Real HTTP
 * requests against a real worker and its queue on Redis.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SCHEDULER_ID, type SyncJobData } from '../../jobs/queue.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { inProcessWorker, testQueue, workerEnv } from '../helpers/worker.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Ask {
  method?: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's own address (127.0.0.2 …), to be another client. */
  localAddress?: string;
}

/** One raw request, so the Host header is exactly what the test says. */
function ask(base: string, path: string, options: Ask = {}): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers: { ...(options.host ? { host: options.host } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function opsPort(extra: Record<string, string> = {}) {
  const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
  const prefix = uniquePrefix();
  const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_HTTP_PORT: '0', ...extra } });
  const { running } = await inProcessWorker(env);
  const base = running.ops!.url.replace('0.0.0.0', '127.0.0.1');
  return { base, port: new URL(base).port, prefix };
}

const bearer = (password: string) => ({ authorization: `Bearer ${password}` });
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` });

describe('ops port Host header', () => {
  it('refuses a foreign Host on every path with 421, before the password is even looked at', async () => {
    const password = 'correct-horse-battery';
    const { base, port } = await opsPort({ AUDIT_DASHBOARD_PASSWORD: password });
    for (const path of ['/healthz', '/metrics', '/queues', '/queues/api/queues']) {
      for (const host of [`rebind.attacker.example:${port}`, 'rebind.attacker.example', `localhost.attacker.example:${port}`]) {
        const answer = await ask(base, path, { host, headers: bearer(password) });
        expect(answer.status, `${path} with Host ${host}`).toBe(421);
        expect(answer.body).toBe('Misdirected request: this port answers to localhost, IP addresses and the names in AUDIT_HTTP_ALLOWED_HOSTS only.\n');
      }
    }
  });

  it('answers to localhost and address literals with any port, and to the names in AUDIT_HTTP_ALLOWED_HOSTS', async () => {
    const { base, port } = await opsPort({ AUDIT_HTTP_ALLOWED_HOSTS: 'audit.internal, Ops.Example.com' });
    for (const host of [`localhost:${port}`, 'LOCALHOST', `127.0.0.1:${port}`, `[::1]:${port}`, `10.1.2.3:${port}`, `audit.internal:${port}`, 'ops.example.com.']) {
      expect((await ask(base, '/healthz', { host })).status, `Host ${host}`).toBe(200);
    }
    for (const host of ['audit.internal.attacker.example', 'example.com', 'internal']) {
      expect((await ask(base, '/healthz', { host })).status, `Host ${host}`).toBe(421);
    }
  });
});

describe('dashboard login rate limit', () => {
  it('answers 429 with Retry-After after 5 wrong passwords from one address, even to the right one; other addresses are not held back', async () => {
    const password = 'correct-horse-battery';
    // On all interfaces, so 127.0.0.2 and 127.0.0.3 are other clients.
    const { base } = await opsPort({ AUDIT_HTTP_HOST: '0.0.0.0', AUDIT_DASHBOARD_PASSWORD: password });
    for (let i = 0; i < 5; i++) expect((await ask(base, '/queues', { headers: basic(`wrong-guess-${i}`) })).status).toBe(401);
    const limited = await ask(base, '/queues', { headers: basic('wrong-guess-5') });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body).toMatch(/^Too many wrong passwords from this address; try again in \d+ s\.\n$/);
    expect((await ask(base, '/queues', { headers: basic(password) })).status).toBe(429);

    expect((await ask(base, '/queues', { headers: basic(password), localAddress: '127.0.0.2' })).status).toBe(200);
    // Requests without a password (a browser before its prompt) are not failures.
    for (let i = 0; i < 8; i++) expect((await ask(base, '/queues', { localAddress: '127.0.0.3' })).status).toBe(401);
    expect((await ask(base, '/queues', { headers: bearer(password), localAddress: '127.0.0.3' })).status).toBe(200);
  });
});

describe('read-only dashboard', () => {
  it('refuses every mutating Bull Board request without the password, and Redis shows nothing changed', async () => {
    const { base, prefix } = await opsPort();
    const { queue } = await testQueue(SHARED_REDIS_URL, prefix);
    // A job that sits in the queue for a day: something to retry, promote, edit or remove.
    const job = await queue.add('account-sync', { trigger: 'manual' } satisfies SyncJobData, { delay: 86_400_000, jobId: 'probe-job' });
    const before = { counts: await queue.getJobCounts(), scheduler: await queue.getJobScheduler(SCHEDULER_ID) };
    expect(before.scheduler).toBeTruthy();
    expect(before.counts.delayed).toBeGreaterThanOrEqual(1);

    const q = '/queues/api/queues/audit-sync';
    const mutations: Array<[string, string, string?]> = [
      ['PUT', '/queues/api/queues/pause'],
      ['PUT', `${q}/pause`],
      ['PUT', `${q}/empty`],
      ['PUT', `${q}/obliterate`, '{}'],
      ['PUT', `${q}/clean/delayed`],
      ['PUT', `${q}/retry/failed`],
      ['PUT', `${q}/promote`],
      ['PUT', `${q}/concurrency`, '{"concurrency":1}'],
      ['PUT', `${q}/rate-limit`, '{"max":1,"duration":1000}'],
      ['POST', `${q}/add`, '{"name":"account-sync","data":{}}'],
      ['PUT', `${q}/${job.id}/promote`],
      ['PUT', `${q}/${job.id}/clean`],
      ['PUT', `${q}/${job.id}/retry`],
      ['PATCH', `${q}/${job.id}/update-data`, '{"data":{"trigger":"evil"}}'],
      ['PATCH', `${q}/${job.id}/delay`, '{"delay":0}'],
      ['PATCH', `${q}/${job.id}/priority`, '{"priority":1}'],
      ['DELETE', `${q}/${job.id}`],
      ['PUT', `${q}/job-schedulers/${SCHEDULER_ID}/remove`],
      ['PUT', `${q}/job-schedulers/${SCHEDULER_ID}/run`],
      ['PATCH', `${q}/job-schedulers/${SCHEDULER_ID}`, '{"pattern":"* * * * *"}'],
    ];
    for (const [method, path, body] of mutations) {
      const answer = await ask(base, path, { method, ...(body ? { body } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
    }

    expect(await queue.isPaused()).toBe(false);
    expect(await queue.getJobCounts()).toEqual(before.counts);
    expect(await queue.getJobScheduler(SCHEDULER_ID)).toEqual(before.scheduler);
    const after = await queue.getJob('probe-job');
    expect(await after!.getState()).toBe('delayed');
    expect(after!.data).toEqual({ trigger: 'manual' });
    expect(after!.delay).toBe(86_400_000);
    // Reads still work.
    expect((await ask(base, `${q}/${job.id}`)).status).toBe(200);
  });

  it('with the password the same requests do act, so the refusals above are not a broken route', async () => {
    const password = 'correct-horse-battery';
    const { base, prefix } = await opsPort({ AUDIT_DASHBOARD_PASSWORD: password });
    const { queue } = await testQueue(SHARED_REDIS_URL, prefix);
    await queue.add('account-sync', { trigger: 'manual' } satisfies SyncJobData, { delay: 86_400_000, jobId: 'probe-job' });
    expect((await ask(base, '/queues/api/queues/audit-sync/pause', { method: 'PUT' })).status).toBe(401);
    expect(await queue.isPaused()).toBe(false);
    expect((await ask(base, '/queues/api/queues/audit-sync/pause', { method: 'PUT', headers: bearer(password) })).status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    expect((await ask(base, '/queues/api/queues/audit-sync/probe-job/promote', { method: 'PUT', headers: bearer(password) })).status).toBe(204);
    expect(await (await queue.getJob('probe-job'))!.getState()).toBe('waiting');
    await queue.resume();
  });
});
