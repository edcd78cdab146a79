/**
 * The forwarder against a real local receiver and a real store: every event sent once in ingestion
 * order, NDJSON and Splunk HEC bodies, the position moved only after a 2xx, 429/503 Retry-After
 * honoured, timeouts and refusals leave the position where it was, no secret in any message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type ForwardConfig } from '../../src/config.js';
import { AuditError } from '../../src/errors.js';
import { Forwarder, type ForwarderDeps } from '../../src/forward/forwarder.js';
import { createLogger } from '../../src/log.js';
import type { AuditStore } from '../../src/store/audit-store.js';
import { openReader, openStore } from '../../src/store/open-store.js';
import { LogSink } from '../helpers/sync.js';
import { receiver, type Receiver } from '../helpers/receiver.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { events, page } from '../store/contract/fixtures.js';
import { freshSchema, testDatabase } from '../helpers/postgres.js';
import { onTestFinished } from 'vitest';

const pg = testDatabase();
const A = 'us_env_a';
const B = 'us_env_b';
const TOKEN = '5f1e7c2a-hec-token-secret-0042';

async function setup(r: Receiver, env: Record<string, string> = {}, deps: Partial<ForwarderDeps> = {}) {
  const dbPath = tempDbPath();
  const config = loadConfig({ AUDIT_DB: dbPath, AUDIT_FORWARD_URL: r.url, AUDIT_FORWARD_BATCH: '4', AUDIT_FORWARD_TIMEOUT: '1s', ...env });
  const store = await openStore(config);
  onTestFinished(() => store.close());
  await store.writePages([page(A, events(A, 1, 5)), page(B, events(B, 1, 3))]);
  const reader = await openReader(config);
  onTestFinished(() => reader.close());
  const logs = new LogSink();
  const waits: number[] = [];
  const counts = { forwarded: 0, failed: [] as string[] };
  const forwarder = new Forwarder({
    config: config.forward as ForwardConfig,
    store,
    reader,
    log: createLogger({ level: 'debug', destination: logs }),
    observer: { forwarded: (_d, n) => (counts.forwarded += n), failed: (_d, reason) => counts.failed.push(reason) },
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    ...deps,
  });
  return { store, forwarder, logs, waits, counts, dbPath };
}

const lines = (bodies: string[]) => bodies.flatMap((b) => b.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
const ids = (from: string, a: number, b: number) => events(from, a, b).map((e) => e.id);
const position = async (store: AuditStore, destination: string) => (await store.readForward(destination)).position;

describe('the forwarder', () => {
  it('ndjson: every event once, in ingestion order, in batches, the position at the last; a second run sends nothing', async () => {
    const r = await receiver();
    const { store, forwarder, counts } = await setup(r);
    const run = await forwarder.run(new AbortController().signal);
    expect(run).toMatchObject({ batches: 2, events: 8 });
    expect(r.requests.map((q) => q.headers['content-type'])).toEqual(['application/x-ndjson', 'application/x-ndjson']);
    const sent = lines(r.acknowledged);
    expect(sent.map((row) => row.event_id)).toEqual([...ids(A, 1, 5), ...ids(B, 1, 3)]);
    expect(Object.keys(sent[0]!).slice(0, 3)).toEqual(['position', 'event_id', 'created_at']);
    expect(await position(store, forwarder.destination)).toBe(String(sent.at(-1)!.position));
    expect(counts.forwarded).toBe(8);
    expect(forwarder.destination).toBe(`ndjson http://127.0.0.1:${r.port}/in`);

    await store.writePages([page(A, events(A, 6, 6))]);
    expect(await forwarder.run(new AbortController().signal)).toMatchObject({ events: 1 });
    expect(await forwarder.run(new AbortController().signal)).toMatchObject({ events: 0, batches: 0 });
    expect(lines(r.acknowledged).map((row) => row.event_id)).toEqual([...ids(A, 1, 5), ...ids(B, 1, 3), ...ids(A, 6, 6)]);
  });

  it('on PostgreSQL too: every event once, in ingestion order, the position at the last; then only what came since', async () => {
    const r = await receiver();
    const { store, forwarder } = await setup(r, { AUDIT_DATABASE_URL: pg.url, AUDIT_DATABASE_SCHEMA: freshSchema() });
    expect(await forwarder.run(new AbortController().signal)).toMatchObject({ batches: 2, events: 8 });
    const sent = lines(r.acknowledged);
    expect(sent.map((row) => row.event_id)).toEqual([...ids(A, 1, 5), ...ids(B, 1, 3)]);
    expect(await position(store, forwarder.destination)).toMatch(/^\d+\.\d+$/);
    expect(await position(store, forwarder.destination)).toBe(sent.at(-1)!.position);
    await store.writePages([page(B, events(B, 0, 4))]);
    await forwarder.run(new AbortController().signal);
    expect(lines(r.acknowledged).map((row) => row.event_id)).toEqual([...ids(A, 1, 5), ...ids(B, 1, 3), ...ids(B, 0, 0), ...ids(B, 4, 4)]);
  });

  it('splunk-hec: Authorization: Splunk <token> read from the file, one HEC event object per event with the row and its event id', async () => {
    const r = await receiver();
    const tokenFile = join(tempDir(), 'hec-token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const { forwarder } = await setup(r, { AUDIT_FORWARD_FORMAT: 'splunk-hec', AUDIT_FORWARD_TOKEN_FILE: tokenFile, AUDIT_FORWARD_SOURCETYPE: 'flatfile:test' });
    await forwarder.run(new AbortController().signal);
    expect(new Set(r.requests.map((q) => q.headers.authorization))).toEqual(new Set([`Splunk ${TOKEN}`]));
    const sent = lines(r.acknowledged);
    expect(sent).toHaveLength(8);
    const first = events(A, 1, 1)[0]!;
    expect(sent[0]).toEqual({
      time: Date.parse(first.createdAt) / 1000, host: expect.any(String), source: 'flatfile-audit', sourcetype: 'flatfile:test',
      event: expect.objectContaining({ event_id: first.id, created_at: first.createdAt, environment_id: A }),
    });
    // A rotated token is used for the next batch without a restart.
    writeFileSync(tokenFile, 'rotated-token\n');
    r.requests.length = 0;
    await forwarder.run(new AbortController().signal); // nothing new: no request
    expect(r.requests).toEqual([]);
  });

  it('429 and 503 with Retry-After are waited out as asked, 5xx after a growing jittered wait; the position moves only after the 2xx', async () => {
    const r = await receiver();
    const { store, forwarder, waits, counts } = await setup(r);
    r.script.push({ status: 429, headers: { 'retry-after': '3' } }, { status: 503, headers: { 'retry-after': '1' } }, { status: 500 }, { status: 502 });
    const seenPositions: string[] = [];
    const original = store.advanceForward.bind(store);
    store.advanceForward = async (...args) => {
      // Every request so far that carried this batch: the last one was acknowledged.
      seenPositions.push(`${r.requests.length}:${r.requests.at(-1)!.status}`);
      return original(...args);
    };
    await forwarder.run(new AbortController().signal);
    expect(waits.slice(0, 2)).toEqual([3000, 1000]);
    expect(waits[3]!).toBeGreaterThan(waits[2]!); // 500 ms × 2^2 vs × 2^3, both at the same jitter
    expect(counts.failed).toEqual(['HTTP 429', 'HTTP 503', 'HTTP 500', 'HTTP 502']);
    expect(seenPositions).toEqual(['5:200', '6:200']);
    expect(lines(r.acknowledged).map((row) => row.event_id)).toEqual([...ids(A, 1, 5), ...ids(B, 1, 3)]);
    expect((await store.readForward(forwarder.destination)).lastError).toBeNull();
  });

  it('a receiver that never answers: timed out and sent again; after every try the run fails and the position stays before the batch', async () => {
    const r = await receiver();
    const { store, forwarder, counts } = await setup(r, {}, { maxAttempts: 2 });
    r.script.push('stall', 'stall');
    const failed = forwarder.run(new AbortController().signal);
    await expect(failed).rejects.toMatchObject({ code: 'FORWARD_FAILED' });
    await expect(failed).rejects.toThrow(/no answer within 1 s \(2 tries\); the position stays before this batch/);
    expect(counts.failed).toEqual(['no answer within 1 s', 'no answer within 1 s']);
    const state = await store.readForward(forwarder.destination);
    expect(state).toMatchObject({ position: '0', forwarded: 0, lastError: `forwarding to ${forwarder.destination} failed: no answer within 1 s` });
    // The next run sends the same batch again.
    await forwarder.run(new AbortController().signal);
    expect(lines(r.acknowledged).map((row) => row.event_id)).toEqual([...ids(A, 1, 5), ...ids(B, 1, 3)]);
  });

  it('a refusal (401) ends the run at once with a hint; a receiver gone is a connection failure; neither moves the position', async () => {
    const r = await receiver();
    const { store, forwarder } = await setup(r);
    r.script.push({ status: 401 });
    await expect(forwarder.run(new AbortController().signal)).rejects.toThrow('HTTP 401: check AUDIT_FORWARD_TOKEN_FILE (or the URL credentials); the position stays before this batch');
    expect(r.requests).toHaveLength(1);
    await r.stop();
    const gone = new Forwarder({ ...(forwarder as unknown as { deps: ForwarderDeps }).deps, maxAttempts: 1 });
    await expect(gone.run(new AbortController().signal)).rejects.toThrow(/connection failed \(ECONNREFUSED\)/);
    expect((await store.readForward(forwarder.destination)).position).toBe('0');
  });

  it('a URL with a password: sent as Basic auth, never in the destination, a message, the log or the store', async () => {
    const r = await receiver();
    const password = 'p4ss-w0rd-in-url';
    const withPassword = r.url.replace('http://', `http://siem:${password}@`) + '?channel=x';
    const { store, forwarder, logs, dbPath } = await setup(r, { AUDIT_FORWARD_URL: withPassword });
    r.script.push({ status: 500 });
    await forwarder.run(new AbortController().signal);
    expect(r.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`siem:${password}`).toString('base64')}`);
    expect(forwarder.destination).toBe(`ndjson http://127.0.0.1:${r.port}/in`);
    expect(logs.text).toContain('forwarding failed; trying again');
    expect(logs.text).not.toContain(password);
    await store.close();
    const { readFileSync } = await import('node:fs');
    for (const file of [dbPath, `${dbPath}-wal`]) {
      try {
        expect(readFileSync(file).includes(password)).toBe(false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  });

  it('an unreadable token file is a one-line error naming the file, at start', async () => {
    const r = await receiver();
    const missing = join(tempDir(), 'nope');
    const { forwarder } = await setup(r, { AUDIT_FORWARD_FORMAT: 'splunk-hec', AUDIT_FORWARD_TOKEN_FILE: missing });
    const checked = forwarder.checkToken();
    await expect(checked).rejects.toBeInstanceOf(AuditError);
    await expect(checked).rejects.toThrow(`cannot read AUDIT_FORWARD_TOKEN_FILE ${missing}`);
  });
});
