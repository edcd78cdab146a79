/**
 * No secret leaves its place: the PAT, the legacy secret, issued access tokens and the spaces'
 * tokens must not appear in logs (trace level, error paths included), in the SQLite files, in
 * Redis (every key of the run's prefix), or in what `status` and `query` print.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dumpRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';

function fileText(path: string): string {
  try {
    return readFileSync(path).toString('latin1');
  } catch {
    return '';
  }
}

describe('secrets', () => {
  it('appear nowhere after worker runs with a PAT, legacy credentials and a revoked token', async () => {
    const legacy = { clientId: 'client-id-1', secret: 'legacy-secret-0123456789' };
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 60 }, legacyClients: [legacy] });
    const prefix = uniquePrefix();
    const dbPath = tempDbPath();
    const outputs: string[] = [];

    // 1. A PAT worker at trace level, then the same PAT revoked: the error paths log too.
    const patEnv = workerEnv({ apiUrl: url, dbPath, redisUrl: SHARED_REDIS_URL, prefix, extra: { LOG_LEVEL: 'trace' } });
    const patWorker = await workerProcess(patEnv);
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);
    sim.revokeToken(TEST_PAT);
    const rejected = await queue.add('account-sync', { trigger: 'manual' });
    await expect(rejected.waitUntilFinished(events, 20_000)).rejects.toThrow(/rejected the token/);
    patWorker.child.kill('SIGTERM');
    outputs.push((await patWorker.done).stdout, patWorker.logs());

    // 2. A legacy-credential worker: the secret is exchanged for access tokens, which are then revoked mid-run.
    const legacyEnv = { ...patEnv, FLATFILE_TOKEN: '', FLATFILE_CLIENT_ID: legacy.clientId, FLATFILE_SECRET: legacy.secret };
    const legacyWorker = await workerProcess(legacyEnv);
    sim.addEvents(sim.environments()[0]!.id, 5);
    let revoked = false;
    sim.onEventsRequest = () => {
      if (revoked) return;
      revoked = true;
      for (const token of sim.secrets().filter((s) => s.startsWith('sim_at_'))) sim.revokeToken(token);
    };
    await triggerAccountSync(queue, events);
    legacyWorker.child.kill('SIGTERM');
    outputs.push((await legacyWorker.done).stdout, legacyWorker.logs());

    // 3. What ops read.
    for (const args of [['status'], ['status', '--json'], ['query', 'SELECT * FROM spaces'], ['query', 'SELECT raw FROM events LIMIT 50', '--json'], ['query', 'SELECT * FROM sync_runs', '--csv']]) {
      const result = await runCli(args, legacyEnv);
      expect(result.code, result.stderr).toBe(0);
      outputs.push(result.stdout, result.stderr);
    }

    const secrets = [...new Set([TEST_PAT, legacy.secret, ...sim.secrets()])];
    expect(secrets.filter((s) => s.startsWith('sim_at_')).length).toBeGreaterThanOrEqual(2); // tokens really were issued
    expect(secrets.length).toBeGreaterThan(10); // spaces' tokens and guest links are in the list
    const places = {
      logs: outputs.join('\n'),
      database: fileText(dbPath) + fileText(`${dbPath}-wal`),
      redis: await dumpRedis(SHARED_REDIS_URL, prefix),
    };
    expect(places.logs).toContain('"level":"debug"'); // debug lines (every API answer, with its query) were really written
    expect(places.redis).toContain('environment-sync');
    for (const [place, text] of Object.entries(places)) {
      for (const secret of secrets) expect(text.includes(secret), `${place} holds ${secret.slice(0, 8)}…`).toBe(false);
    }
  });
});
