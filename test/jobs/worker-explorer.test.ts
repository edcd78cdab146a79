/**
 * The audit explorer on the worker's ops port (AUDIT_EXPLORER=1): served at /explorer under the
 * dashboard's access rule, reading the store the running worker writes, so each sync shows up in
 * the next page without a restart.
 */
import { describe, expect, it } from 'vitest';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { inProcessWorker, testQueue, triggerAccountSync, workerEnv } from '../helpers/worker.js';

async function timelineTotal(base: string): Promise<number> {
  const res = await fetch(`${base}/explorer/timeline.json`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { total: number }).total;
}

describe('the explorer on the ops port', () => {
  it('shows what the running worker has committed, sync after sync, with links under /explorer', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 60 } });
    const prefix = uniquePrefix();
    const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_HTTP_PORT: '0', AUDIT_EXPLORER: '1' } });
    const { running } = await inProcessWorker(env);
    const base = running.ops!.url;
    expect(await timelineTotal(base)).toBe(0);

    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);
    expect(await timelineTotal(base)).toBe(120);
    const page = await (await fetch(`${base}/explorer/`)).text();
    expect(page.match(/data-event-id=/g)).toHaveLength(50);
    expect(page).toContain('href="/explorer/assets/explorer.css"');
    expect(page).toMatch(/<a rel="next" href="\/explorer\/\?before=/);

    const [first] = sim.environments();
    sim.addEvents(first!.id, 7);
    await triggerAccountSync(queue, events);
    expect(await timelineTotal(base)).toBe(127);
    const envPage = await (await fetch(`${base}/explorer/environments`)).text();
    for (const e of sim.environments()) expect(envPage).toContain(`data-environment-id="${e.id}"`);
    expect((await fetch(`${base}/explorer/`, { method: 'POST' })).status).toBe(405);
  });

  it('is not served unless AUDIT_EXPLORER is set', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix: uniquePrefix(), extra: { AUDIT_HTTP_PORT: '0' } });
    const { running } = await inProcessWorker(env);
    expect((await fetch(`${running.ops!.url}/explorer/`)).status).toBe(404);
  });

  it('asks for the dashboard password when one is set', async () => {
    const { url } = await simulator({ account: { environments: 1, eventsPerEnvironment: 5 } });
    const password = 'correct-horse-battery';
    const env = workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix: uniquePrefix(), extra: { AUDIT_HTTP_PORT: '0', AUDIT_EXPLORER: '1', AUDIT_DASHBOARD_PASSWORD: password } });
    const { running } = await inProcessWorker(env);
    expect((await fetch(`${running.ops!.url}/explorer/`)).status).toBe(401);
    expect((await fetch(`${running.ops!.url}/explorer/`, { headers: { authorization: `Bearer ${password}` } })).status).toBe(200);
  });
});
