/**
 * `flatfile-audit reconcile` through the real CLI against the simulator over HTTP and a SQLite file:
 * the event the incremental run missed is stored, its drift printed (one line per environment and a
 * summary) with a warning naming the AUDIT_LOOKBACK that would have caught it, exit 0; `status`
 * shows the last drift; a second run finds nothing; bad flags are one line and exit 2.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { simulator, TEST_PAT } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { storedEventIds } from '../helpers/sync.js';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/open-store.js';

const HOUR = 3_600_000;

async function cli(args: string[], env: Record<string, string>, code = 0) {
  const result = await runCli(args, env);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
  return result;
}

describe('flatfile-audit reconcile', { timeout: 180_000 }, () => {
  it('stores what the incremental sync missed, prints the drift and the lookback that would have caught it, exits 0; then finds nothing', async () => {
    const { url, sim } = await simulator({ now: new Date(), historyDays: 10, account: { environments: 2, eventsPerEnvironment: 40 } });
    const [a, b] = sim.environments().map((e) => e.id) as [string, string];
    const dbPath = tempDbPath();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath, AUDIT_PAGE_SIZE: '20', LOG_LEVEL: 'info' };
    await cli(['sync', '--once'], env);
    const store = await openStore(loadConfig(env));
    const highWater = (await store.readCursor(a))!.highWater!;
    await store.close();
    const [late] = sim.addEvents(a, 1, { createdAt: new Date(Date.parse(highWater) - 2 * HOUR).toISOString() }).map((e) => e.id);
    await cli(['sync', '--once'], env);
    expect(storedEventIds(dbPath, a)).not.toContain(late);

    const found = await cli(['reconcile', '--environment', a], env);
    const lines = found.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^.+ \\(${a}\\): \\S+ to \\S+: \\d+ pages, \\d+ events listed, 1 new, 1 late \\(up to \\d+h \\d+m late, median \\d+h \\d+m; AUDIT_LOOKBACK=2h would have caught them\\)$`));
    expect(lines[1]).toBe('reconciled 1 environment(s): 1 late event(s) in 1 of them; 0 skipped, 0 failed');
    expect(found.stderr).toContain(`flatfile-audit: warning: 1 event(s) of `);
    expect(found.stderr).toContain('AUDIT_LOOKBACK=2h would have caught them (now 15m)');
    // The log says it too, for a worker's logs and a cron job's.
    expect(found.stderr).toMatch(/"level":"warn".*reconcile found 1 event\(s\) the incremental sync had missed, now stored; AUDIT_LOOKBACK=2h would have caught them/);
    expect(storedEventIds(dbPath)).toEqual(sim.eventIds());
    expect((await cli(['status', '--no-queue'], env)).stdout).toMatch(new RegExp(`last reconcile of ${a}: completed \\S+, \\S+ to \\S+, \\d+ events listed, 1 late \\(up to \\d+h \\d+m late; AUDIT_LOOKBACK=2h would have caught them\\)`));

    const again = await cli(['reconcile', '--window', '3d'], env);
    expect(again.stdout).toMatch(new RegExp(`\\(${a}\\): .*, 0 new, 0 late\\n`));
    expect(again.stdout).toMatch(new RegExp(`\\(${b}\\): .*, 0 new, 0 late\\n`));
    expect(again.stdout).toContain('reconciled 2 environment(s): 0 late event(s) in 0 of them; 0 skipped, 0 failed');
    expect(again.stderr).not.toContain('warning');
    expect((await cli(['status', '--json', '--no-queue'], env)).stdout).toContain('"lateEvents": 0');
    await cli(['verify'], env);
  });

  it('refuses bad flags and settings with one line and exit 2, and an unknown environment with exit 1, changing nothing', async () => {
    const { url } = await simulator({ now: new Date(), account: { environments: 1, eventsPerEnvironment: 5 } });
    const dbPath = tempDbPath();
    const env = { FLATFILE_API_URL: url, FLATFILE_TOKEN: TEST_PAT, AUDIT_DB: dbPath };
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['reconcile', '--window', '10x'], {}, 2, /^flatfile-audit: --window must be a duration of at least 1m, like 7d or 36h, got "10x"\n$/],
      [['reconcile', '--window', '30s'], {}, 2, /^flatfile-audit: --window must be a duration of at least 1m/],
      [['reconcile', '--windw', '7d'], {}, 2, /^flatfile-audit: unknown option --windw for reconcile; did you mean --window\?\n$/],
      [['reconcile', '--environment', ' '], {}, 2, /^flatfile-audit: --environment needs a value\n$/],
      [['reconcile'], { AUDIT_RECONCILE_WINDOW: 'week' }, 2, /^flatfile-audit: AUDIT_RECONCILE_WINDOW must be a duration of at least 1m, like 7d or 36h, got "week"\n$/],
      [['reconcile'], { AUDIT_RECONCILE_CRON: '61 * * * *' }, 2, /^flatfile-audit: AUDIT_RECONCILE_CRON "61 \* \* \* \*" is not a valid cron pattern/],
      [['reconcile', '--environment', 'us_env_nope'], {}, 1, /unknown environment us_env_nope/],
    ];
    for (const [args, extra, code, message] of cases) {
      const result = await cli(args, { ...env, ...extra }, code);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });
});
