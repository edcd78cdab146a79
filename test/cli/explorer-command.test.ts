/** `flatfile-audit explorer` as an operator starts it: a process serving the store it is pointed at, stopped by SIGTERM. */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

describe('flatfile-audit explorer', () => {
  it('serves the synced trail on the port it prints, and stops on SIGTERM', async () => {
    const { url, sim } = await simulator({ account: { environments: 2, eventsPerEnvironment: 30 } });
    const env = { AUDIT_DB: tempDbPath(), FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, LOG_LEVEL: 'error' };
    expect((await runCli(['sync', '--once'], env)).code).toBe(0);
    const { child, done } = startCli(['explorer', '--port', '0'], env);
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    const base = (await waitFor('the explorer to print its address', () => /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], 30_000))!;
    const page = await (await fetch(base)).text();
    expect(page.match(/data-event-id=/g)).toHaveLength(50);
    const timeline = (await (await fetch(`${base}timeline.json`)).json()) as { total: number };
    expect(timeline.total).toBe(sim.eventCount());
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
  });

  it('refuses to listen beyond loopback without a password, with one line and exit 2', async () => {
    const result = await runCli(['explorer', '--host', '0.0.0.0', '--port', '0'], { AUDIT_DB: tempDbPath() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('AUDIT_DASHBOARD_PASSWORD');
  });
});
