/**
 * Forwarding as a job of a real worker process: after a sync every stored event reaches the
 * receiver (Splunk HEC, token from a file, a URL with a password), /metrics shows it forwarded and
 * no lag, `status` shows the forwarder; the token and the password reach no log, Redis key, database
 * file or status output. Bad settings stop the worker at start with one line.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { loggedOpsUrl, metricValue, scrape } from '../helpers/ops.js';
import { receiver } from '../helpers/receiver.js';
import { dumpRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath, tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';

const TOKEN = '0c6f1d2e-hec-token-must-not-leak-9e41';
const PASSWORD = 'url-password-must-not-leak-77';

describe('forwarding in the worker', () => {
  it('sends every stored event to a Splunk HEC receiver after the sync; metrics and status show it; no secret anywhere', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 60 } });
    const r = await receiver();
    const tokenFile = join(tempDir(), 'hec-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const env = workerEnv({
      apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix,
      extra: {
        AUDIT_HTTP_PORT: '0', AUDIT_FORWARD_URL: r.url.replace('http://', `http://siem:${PASSWORD}@`), AUDIT_FORWARD_FORMAT: 'splunk-hec',
        AUDIT_FORWARD_TOKEN_FILE: tokenFile, AUDIT_FORWARD_BATCH: '25', AUDIT_FORWARD_INTERVAL: '1h',
      },
    });
    const worker = await workerProcess(env);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    r.script.push({ status: 503, headers: { 'retry-after': '1' } }); // one refusal on the way
    await triggerAccountSync(queue, events);

    // Sent after the sync (the catch-up schedule is an hour away).
    const received = () => new Set(r.acknowledged.flatMap((b) => b.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { event: { event_id: string } }).event.event_id)));
    await waitFor('every event at the receiver', () => received().size === 120, 60_000);
    expect([...received()].sort()).toEqual(sim.eventIds());
    expect(new Set(r.requests.map((q) => q.headers.authorization))).toEqual(new Set([`Splunk ${TOKEN}`]));

    const destination = `splunk-hec http://127.0.0.1:${r.port}/in`;
    const metrics = await waitFor('the forwarded counter', async () => {
      const text = await scrape(loggedOpsUrl(worker.logs())!);
      return metricValue(text, 'flatfile_audit_forwarded_events_total', { destination }) === 120 ? text : undefined;
    });
    expect(metricValue(metrics, 'flatfile_audit_forward_lag_events', { destination })).toBe(0);
    expect(metricValue(metrics, 'flatfile_audit_forward_lag_seconds', { destination })).toBe(0);
    expect(metricValue(metrics, 'flatfile_audit_forward_failures_total', { destination, reason: '503' })).toBe(1);

    const status = await runCli(['status', '--no-queue'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`forwarding to ${destination.replace(/[.]/g, '\\.')}: at position \\d+, 120 forwarded, 0 event\\(s\\) behind`));
    const statusJson = await runCli(['status', '--json', '--no-queue'], env);
    expect(JSON.parse(statusJson.stdout).forwarders).toEqual([expect.objectContaining({ destination, forwarded: 120, behind: { events: 0, oldestIngestedAt: null } })]);

    await worker.child.kill('SIGTERM');
    await worker.done;
    const places: Record<string, string> = {
      logs: worker.logs(),
      redis: await dumpRedis(SHARED_REDIS_URL, prefix),
      status: status.stdout + statusJson.stdout + status.stderr + statusJson.stderr,
    };
    for (const file of readdirSync(dirname(dbPath)).filter((f) => f.startsWith(dbPath.split('/').pop()!))) places[file] = readFileSync(join(dirname(dbPath), file)).toString('latin1');
    expect(places.logs).toContain('"forwarding started"');
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(TOKEN), `token in ${where}`).toBe(false);
      expect(text.includes(PASSWORD), `password in ${where}`).toBe(false);
    }
  }, 180_000);

  it.each([
    [{ AUDIT_FORWARD_URL: 'ftp://siem.example/in' }, 'AUDIT_FORWARD_URL must be https'],
    [{ AUDIT_FORWARD_URL: 'http://siem.example/in' }, 'AUDIT_FORWARD_URL must be https (http only to localhost'],
    [{ AUDIT_FORWARD_URL: 'https://siem.example/in', AUDIT_FORWARD_FORMAT: 'syslog' }, 'AUDIT_FORWARD_FORMAT must be one of ndjson, splunk-hec, got "syslog"'],
    [{ AUDIT_FORWARD_URL: 'https://siem.example/in', AUDIT_FORWARD_FORMAT: 'splunk-hec' }, 'AUDIT_FORWARD_FORMAT=splunk-hec needs AUDIT_FORWARD_TOKEN_FILE'],
    [{ AUDIT_FORWARD_URL: 'https://siem.example/in', AUDIT_FORWARD_FORMAT: 'splunk-hec', AUDIT_FORWARD_TOKEN_FILE: '/nonexistent/hec' }, 'cannot read AUDIT_FORWARD_TOKEN_FILE /nonexistent/hec'],
    [{ AUDIT_FORWARD_FORMAT: 'ndjson' }, 'AUDIT_FORWARD_FORMAT needs AUDIT_FORWARD_URL'],
    [{ AUDIT_FORWARD_URL: `https://siem:${PASSWORD}@[bad/in` }, 'AUDIT_FORWARD_URL is not a valid URL (not shown: it may hold a password)'],
  ])('refuses %o at start with one line', async (extra, message) => {
    const env = workerEnv({ apiUrl: 'http://127.0.0.1:9', dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix: uniquePrefix(), extra: extra as Record<string, string> });
    const result = await runCli(['worker'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stderr.trim().split('\n').filter((l) => !l.startsWith('{'))).toHaveLength(1);
  }, 60_000);
});
