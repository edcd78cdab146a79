/**
 * `npm run bench:load`: the load test of RELIABILITY.md. A 1M-event account (8 environments ×
 * 125k by default) is synced by two worker processes on one database while ops queries run
 * against it 20 times a second on a read-only connection. Reports query errors (SQLITE_BUSY
 * included), latency percentiles per query, the sync's wall time, and whether the stored event
 * ids equal the simulator's ground truth, and that a reader opening the file anew once a second
 * (the sqlite3 CLI, as an operator's shell loop would) sees the count grow while the workers run,
 * not only once they stop. Writes bench/results/load-latest.json.
 *
 *   npm run bench:load -- [--events-per-env 125000] [--environments 8] [--qps 20] [--redis redis://127.0.0.1:6379]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME, type SyncJobData } from '../jobs/queue.js';
import { COOKBOOK } from '../src/cookbook.js';
import { openReadOnly, type SqliteDatabase } from '../src/store/sqlite/open.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'flatfile-audit.js');
const TOKEN = 'sk_load_pat_0123456789abcdef';
/** Indexed questions ops ask all day; the two whole-table summaries are left to the benchmark. */
const LOAD_QUERIES = ['last-24h', 'by-actor', 'actor-time-range', 'environment-latest', 'topics-last-day', 'agents-deployed', 'spaces-per-environment', 'guest-access'];

const { values } = parseArgs({
  options: {
    'events-per-env': { type: 'string', default: '125000' },
    environments: { type: 'string', default: '8' },
    qps: { type: 'string', default: '20' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const eventsPerEnv = Number(values['events-per-env']);
const environments = Number(values.environments);
const qps = Number(values.qps);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function start(args: string[], env: Record<string, string>, waitFor: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = output.match(waitFor);
      if (match) resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args[0]} exited (${code}) before it was ready: ${output.slice(-500)}`)));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-load-'));
  const dbPath = join(dir, 'audit.db');
  const prefix = `load-${randomUUID().slice(0, 8)}`;
  const children: ChildProcess[] = [];
  const redis = new Redis(values.redis, { maxRetriesPerRequest: null });
  try {
    console.log(`simulator: ${environments} environments × ${eventsPerEnv} events`);
    const sim = await start(['simulator', '--port', '0', '--environments', String(environments), '--events', String(eventsPerEnv), '--token', TOKEN], {}, /on (http:\/\/\S+\/api\/v1)/);
    children.push(sim.child);
    const apiUrl = sim.match[1]!;
    const env = {
      FLATFILE_API_URL: apiUrl, FLATFILE_TOKEN: TOKEN, AUDIT_DB: dbPath, REDIS_URL: values.redis, AUDIT_QUEUE_PREFIX: prefix,
      AUDIT_SYNC_CRON: '0 0 1 1 *', AUDIT_WORKER_CONCURRENCY: '4', LOG_LEVEL: 'warn',
    };
    for (let i = 0; i < 2; i += 1) {
      const worker = await start(['worker'], { ...env, LOG_LEVEL: 'info' }, /"worker started"/);
      children.push(worker.child);
    }
    console.log('two workers up; starting the account sync and the query load');

    const queue = new Queue<SyncJobData>(QUEUE_NAME, { connection: redis, prefix });
    const events = new QueueEvents(QUEUE_NAME, { connection: redis.duplicate(), prefix });
    await events.waitUntilReady();
    const started = performance.now();
    const account = await queue.add('account-sync', { trigger: 'manual' });
    const fanOut = (await account.waitUntilFinished(events, 600_000)) as { jobs: Array<{ id: string }> };
    const { Job } = await import('bullmq');
    const syncDone = Promise.all(fanOut.jobs.map(async (j) => (await Job.fromId(queue, j.id))!.waitUntilFinished(events, 3_600_000))).then(() => performance.now());

    // The query loop: one read-only connection, as an analyst would hold, firing at a steady rate.
    let db: SqliteDatabase | undefined;
    const latencies = new Map<string, number[]>(LOAD_QUERIES.map((q) => [q, []]));
    const errors: Array<{ query: string; message: string }> = [];
    let finished = false;
    void syncDone.then(() => (finished = true));
    // Visibility: a new process opens the file, counts, closes it, once a second while the workers run.
    const visibility: Array<{ atS: number; count: number }> = [];
    const sampler = (async () => {
      while (!finished) {
        const count = await countInNewProcess(dbPath);
        if (count !== undefined) visibility.push({ atS: round((performance.now() - started) / 1000), count });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    const interval = 1000 / qps;
    let next = performance.now();
    let i = 0;
    while (!finished) {
      next += interval;
      const name = LOAD_QUERIES[i++ % LOAD_QUERIES.length]!;
      try {
        db ??= openReadOnly(dbPath);
        const statement = db.prepare(COOKBOOK.find((q) => q.name === name)!.sql.sqlite);
        const params = paramsFor(db, statement.source);
        const t0 = performance.now();
        statement.all(params);
        latencies.get(name)!.push(performance.now() - t0);
      } catch (error) {
        // Before the first sync writes the schema the file may not be there yet: not a query error.
        if (!/no such table|cannot open/.test((error as Error).message)) errors.push({ query: name, message: (error as Error).message });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    const syncWallS = ((await syncDone) - started) / 1000;
    await sampler;
    db?.close();

    const truth = (await (await fetch(apiUrl.replace(/\/api\/v1$/, '/__simulator/truth/ids'))).json()) as string[];
    const checker = openReadOnly(dbPath);
    const stored = checker.prepare('SELECT id FROM events ORDER BY id').pluck().all() as string[];
    checker.close();
    const exact = stored.length === truth.length && stored.every((id, k) => id === truth[k]);
    const seen = visibility.map((v) => v.count);
    const grew = {
      samples: seen.length,
      distinctCounts: new Set(seen).size,
      neverShrank: seen.every((c, k) => k === 0 || c >= seen[k - 1]!),
      lastSeenWhileRunning: seen.at(-1) ?? 0,
      // Grew during the run: several counts between none and all, never going back.
      ok: new Set(seen.filter((c) => c > 0 && c < truth.length)).size >= 3 && seen.every((c, k) => k === 0 || c >= seen[k - 1]!),
    };

    const perQuery = [...latencies].map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { name, runs: sorted.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1) ?? 0) };
    });
    const all = [...latencies.values()].flat().sort((a, b) => a - b);
    const result = {
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
      events: truth.length, environments, workers: 2, qpsTarget: qps, syncWallS: round(syncWallS),
      queries: all.length, achievedQps: round(all.length / syncWallS), errors: errors.length, busyErrors: errors.filter((e) => /busy|locked/i.test(e.message)).length,
      p50Ms: round(percentile(all, 50)), p99Ms: round(percentile(all, 99)), maxMs: round(all.at(-1) ?? 0), perQuery, exact,
      visibility: { ...grew, timeline: visibility },
      firstErrors: errors.slice(0, 5),
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'load-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.table(perQuery);
    console.log(JSON.stringify({ ...result, perQuery: undefined, visibility: grew }, null, 2));
    await events.close();
    await queue.close();
    if (!exact || errors.length > 0 || !grew.ok) process.exitCode = 1;
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

const run = promisify(execFile);

/** The event count as a new sqlite3 process sees it (undefined before the schema exists). */
async function countInNewProcess(dbPath: string): Promise<number | undefined> {
  try {
    const { stdout } = await run('sqlite3', ['-batch', '-cmd', '.timeout 5000', dbPath, 'SELECT COUNT(*) FROM events;']);
    return Number(stdout.trim());
  } catch {
    return undefined;
  }
}

/** Values for a cookbook query's named parameters, taken from what is stored so far. */
function paramsFor(db: SqliteDatabase, sql: string): Record<string, string> {
  const params: Record<string, string> = {};
  if (sql.includes(':email')) params.email = (db.prepare('SELECT email FROM users ORDER BY random() LIMIT 1').pluck().get() as string | undefined) ?? '';
  if (sql.includes(':actor')) params.actor = (db.prepare('SELECT id FROM users ORDER BY random() LIMIT 1').pluck().get() as string | undefined) ?? '';
  if (sql.includes(':environment')) params.environment = (db.prepare('SELECT id FROM environments ORDER BY random() LIMIT 1').pluck().get() as string | undefined) ?? '';
  if (sql.includes(':from') || sql.includes(':to')) {
    // What an operator asks: one day of one actor's history, the last day stored.
    const newest = (db.prepare('SELECT MAX(created_at) FROM events').pluck().get() as string | null) ?? new Date().toISOString();
    params.to = newest;
    params.from = new Date(Date.parse(newest) - 86_400_000).toISOString();
  }
  return params;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

await main();
