/** The checkpoint writer, poster and timer on real files, a real store, real HTTP, real processes and the real worker. */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkpointHash, parseCheckpoint, type Checkpoint } from '../../src/checkpoint/checkpoint.js';
import { readCheckpointLines } from '../../src/checkpoint/checkpoint-file.js';
import { createCheckpointPoster } from '../../src/checkpoint/checkpoint-poster.js';
import { startCheckpointTimer } from '../../src/checkpoint/checkpoint-timer.js';
import { createCheckpointWriter } from '../../src/checkpoint/checkpoint-writer.js';
import { verifyCheckpoints } from '../../src/checkpoint/verify-checkpoints.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { verifyEventChains } from '../../src/store/chain/verify-event-chain.js';
import type { PageWrite } from '../../src/store/audit-store.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { withSnapshot } from '../helpers/snapshot.js';
import { LogSink, readDb } from '../helpers/sync.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inProcessWorker, testQueue, triggerAccountSync, workerEnv } from '../helpers/worker.js';

const silent = createLogger({ level: 'silent' });

function page(environmentId: string, from: number, to: number): PageWrite {
  const events = Array.from({ length: to - from + 1 }, (_v, i) => ({
    id: `us_evt_${environmentId}_${from + i}`, environmentId, createdAt: new Date(Date.parse('2026-10-01T00:00:00.000Z') + (from + i) * 1000).toISOString(),
    topic: 'workbook:updated', domain: 'workbook', actorId: null, spaceId: null, workbookId: null, sheetId: null, jobId: null,
    acknowledgedAt: null, deletedAt: null, raw: '{}',
  }));
  return { environmentId, events, rejected: [], cursor: { kind: 'complete', highWater: null, completedAt: '2026-11-01T00:00:00.000Z' } };
}

function storeAndFile() {
  const dir = tempDir();
  const store = SqliteStore.open(join(dir, 'db', 'audit.db'));
  onTestFinished(() => store.close());
  return { store, file: join(dir, 'checkpoints.ndjson'), dbPath: join(dir, 'db', 'audit.db') };
}

const lines = (file: string): Checkpoint[] => readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => parseCheckpoint(l));

const verifyFile = (dbPath: string, file: string) =>
  withSnapshot(dbPath, async (view) => verifyCheckpoints({ view, lines: readCheckpointLines(file), chain: await verifyEventChains(view) }));

describe('the checkpoint writer', () => {
  it('after a sync writes only when something changed or the last is older than the interval; the timer always writes', async () => {
    const { store, file, dbPath } = storeAndFile();
    let now = Date.parse('2026-11-01T00:00:00.000Z');
    const writer = createCheckpointWriter({ file, withState: (r) => store.checkpoint(r), clock: () => new Date(now), log: silent, intervalMs: 60_000 });
    await store.writePages([page('us_env_a', 1, 3)]);
    expect(await writer.append('sync')).toMatchObject({ seq: 1, environments: { us_env_a: { seq: 3, events: 3 } } });
    now += 1000;
    expect(await writer.append('sync')).toBeNull(); // nothing changed
    await store.writePages([page('us_env_a', 4, 4)]);
    expect(await writer.append('sync')).toMatchObject({ seq: 2, environments: { us_env_a: { seq: 4 } } });
    expect(await writer.append('interval')).toMatchObject({ seq: 3, reason: 'interval' });
    now += 60_000;
    expect(await writer.append('sync')).toMatchObject({ seq: 4 }); // unchanged, but the last is an interval old
    await writer.close();
    const written = lines(file);
    expect(written.map((c) => c.seq)).toEqual([1, 2, 3, 4]);
    expect(written.map((c) => c.prevHash)).toEqual([null, ...written.slice(0, -1).map(checkpointHash)]);
    expect(await verifyFile(dbPath, file)).toMatchObject({ ok: true, checkpoints: 4 });
  });

  it('after a crash mid-line starts a fresh line chained to the last whole checkpoint, and verify only notes the cut line', async () => {
    const { store, file, dbPath } = storeAndFile();
    const writer = createCheckpointWriter({ file, withState: (r) => store.checkpoint(r), clock: () => new Date(), log: silent });
    await store.writePages([page('us_env_a', 1, 2)]);
    const first = (await writer.append('interval'))!;
    appendFileSync(file, readFileSync(file, 'utf8').slice(0, 40)); // half a line, no newline: the process died writing it
    await store.writePages([page('us_env_a', 3, 3)]);
    expect(await writer.append('sync')).toMatchObject({ seq: 2, prevHash: checkpointHash(first) });
    const report = await verifyFile(dbPath, file);
    expect(report).toMatchObject({ ok: true, checkpoints: 2 });
    expect(report.notes).toContainEqual(expect.stringMatching(/^line 2 is not a checkpoint \(not JSON\); skipped$/));
  });

  it('chains the checkpoints of several processes sharing one database in one line, in the order of their states', async () => {
    const { store, file, dbPath } = storeAndFile();
    await store.writePages([page('us_env_a', 1, 1)]);
    await store.close();
    const dist = (path: string) => JSON.stringify(fileURLToPath(new URL(`../../dist/src/${path}`, import.meta.url)));
    // Each process writes events and a checkpoint in turn, twenty times, while the other does the same.
    const script = (env: string) => `
      const { SqliteStore } = await import(${dist('store/sqlite/sqlite-store.js')});
      const { createCheckpointWriter } = await import(${dist('checkpoint/checkpoint-writer.js')});
      const { createLogger } = await import(${dist('log.js')});
      const store = SqliteStore.open(${JSON.stringify(dbPath)});
      const writer = createCheckpointWriter({ file: ${JSON.stringify(file)}, withState: (r) => store.checkpoint(r), clock: () => new Date(), log: createLogger({ level: 'silent' }) });
      for (let i = 1; i <= 20; i += 1) {
        const id = 'us_evt_${env}_' + i;
        await store.writePages([{ environmentId: '${env}', events: [{ id, environmentId: '${env}', createdAt: '2026-10-01T00:00:00.000Z', topic: 't:x', domain: 't', actorId: null, spaceId: null, workbookId: null, sheetId: null, jobId: null, acknowledgedAt: null, deletedAt: null, raw: '{}' }], rejected: [], cursor: { kind: 'complete', highWater: null, completedAt: '2026-11-01T00:00:00.000Z' } }]);
        await writer.append('interval');
      }
      await writer.close();
      await store.close();`;
    const run = (env: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const path = join(dirname(file), `${env}.mjs`);
        writeFileSync(path, script(env));
        const child = spawn(process.execPath, [path], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    expect(await Promise.all([run('us_env_x'), run('us_env_y')])).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }]);
    const written = lines(file);
    expect(written.map((c) => c.seq)).toEqual(Array.from({ length: 40 }, (_v, i) => i + 1));
    expect(await verifyFile(dbPath, file)).toMatchObject({ ok: true, checkpoints: 40, findings: [] });
  });

  it('the timer writes one at start and one each interval, even when nothing changed', async () => {
    const { store, file } = storeAndFile();
    const writer = createCheckpointWriter({ file, withState: (r) => store.checkpoint(r), clock: () => new Date(), log: silent });
    const timer = startCheckpointTimer(writer, silent, 20);
    onTestFinished(() => timer.stop());
    await waitFor('three periodic checkpoints', () => readCheckpointLines(file).length >= 3, 10_000);
    timer.stop();
    await writer.close();
    expect(lines(file).slice(0, 3).map((c) => [c.seq, c.reason])).toEqual([[1, 'interval'], [2, 'interval'], [3, 'interval']]);
  });
});

/** A receiver of checkpoints on loopback, answering as `answer` says. */
async function receiver(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const bodies: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      n += 1;
      bodies.push(body);
      answer(n, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints?token=hidden`, bodies, count: () => n };
}

describe('the checkpoint poster', () => {
  const fast = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 };

  it('retries a receiver that fails, and delivers every checkpoint in order, as its line', async () => {
    const { store, file } = storeAndFile();
    const rx = await receiver((n, _req, res) => res.writeHead(n <= 2 ? 503 : 204).end());
    const logs = new LogSink();
    const log = createLogger({ level: 'debug', destination: logs });
    const writer = createCheckpointWriter({ file, withState: (r) => store.checkpoint(r), clock: () => new Date(), log, poster: createCheckpointPoster({ url: rx.url, log, retry: fast }) });
    await writer.append('interval');
    await writer.append('interval');
    await writer.close();
    const fileLines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(rx.bodies).toEqual([fileLines[0], fileLines[0], fileLines[0], fileLines[1]]);
    expect(logs.text).not.toContain('hidden');
  });

  it('gives up on a receiver that refuses (4xx) without retrying, and says so', async () => {
    const rx = await receiver((_n, _req, res) => res.writeHead(400).end());
    const logs = new LogSink();
    const poster = createCheckpointPoster({ url: rx.url, log: createLogger({ level: 'warn', destination: logs }), retry: fast });
    poster.post(parseCheckpoint(JSON.stringify({ format: 1, seq: 1, at: '2026-11-01T00:00:00.000Z', reason: 'interval', environments: {}, inventory: { changes: null, tables: {} }, schema: { version: 7, digest: '0'.repeat(64) }, prevHash: null })));
    await poster.close();
    expect(rx.count()).toBe(1);
    expect(logs.text).toMatch(/"error":"refused: HTTP 400".*could not post the audit checkpoint/);
    expect(logs.text).not.toContain('hidden');
  });

  it('never holds up the writer: a receiver that does not answer costs the append nothing, and close gives up after its bound', async () => {
    const { store, file } = storeAndFile();
    const rx = await receiver(() => undefined); // never answers
    const writer = createCheckpointWriter({ file, withState: (r) => store.checkpoint(r), clock: () => new Date(), log: silent, poster: createCheckpointPoster({ url: rx.url, log: silent, retry: { ...fast, timeoutMs: 60_000 } }) });
    for (let i = 0; i < 3; i += 1) await writer.append('interval');
    expect(readCheckpointLines(file)).toHaveLength(3);
    await waitFor('the receiver to be asked', () => rx.count() === 1);
    await writer.close(); // returns after the poster's bound, although the request is still unanswered
    expect(rx.count()).toBe(1);
  });
});

describe('the worker', () => {
  it('writes a checkpoint at start and after its environment jobs, all verifiable', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 20 } });
    const dir = tempDir();
    const dbPath = join(dir, 'db', 'audit.db');
    const file = join(dir, 'anchor', 'checkpoints.ndjson');
    const prefix = uniquePrefix();
    const { running, logs } = await inProcessWorker(workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_CHECKPOINT_FILE: file } }));
    await waitFor('the checkpoint written at start', () => readCheckpointLines(file).length >= 1);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);
    await running.close();
    const written = lines(file);
    expect(written[0]).toMatchObject({ seq: 1, reason: 'interval' });
    const last = written.at(-1)!;
    expect(last.reason).toBe('sync');
    for (const environment of sim.environments()) expect(last.environments[environment.id]).toMatchObject({ seq: 20, events: 20 });
    expect(await verifyFile(dbPath, file)).toMatchObject({ ok: true, checkpoints: written.length });
    expect(logs.lines.filter((l) => l.includes('"audit checkpoint"'))).toHaveLength(written.length);
  });
});
