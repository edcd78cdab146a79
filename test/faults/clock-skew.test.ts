/**
 * Case 7: the API's clock and the machine's disagree by 10 minutes, either way (the simulator's
 * `now` is the real now ± 10 min, and its clock runs on from there). The cursor must come from the
 * API's createdAt only: with a 2-minute lookback, a cursor taken from the local clock would skip
 * every new event when the API is behind, and a rule rejecting "future" events would drop them
 * when it is ahead. New events and late ones (inside the lookback) arrive between runs.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { cliEnv } from './helpers/cli-runs.js';
import { exactTally, tally, withReader } from './helpers/ground-truth.js';
import { faultCase, printSummaryAfterAll } from './helpers/results.js';

printSummaryAfterAll();

const SKEW_MS = 10 * 60_000;
const LATE_MS = 90_000; // created 90 s before the newest stored event: inside the 2-minute lookback

describe('clock skew between the API and the machine', () => {
  it.each([
    ['ahead of', 1],
    ['behind', -1],
  ])('API timestamps 10 min %s the local clock: every incremental run stays exact', async (direction, sign) => {
    const record = faultCase(`7 API clock 10 min ${direction} local`);
    const { url, sim } = await simulator({ account: { environments: 3, eventsPerEnvironment: 200 }, now: new Date(Date.now() + sign * SKEW_MS), historyDays: 0.1 }); // 200 events over 2.4 h: the newest is within a minute of the API's now
    const dbPath = tempDbPath();
    const env = cliEnv(url, dbPath, { AUDIT_PAGE_SIZE: '25', AUDIT_LOOKBACK: '2m' });
    const cursors = () => withReader(dbPath, (db) => db.prepare(
      `SELECT c.environment_id AS id, c.high_water AS highWater, (SELECT MAX(created_at) FROM events e WHERE e.environment_id = c.environment_id) AS newest
       FROM sync_cursors c ORDER BY 1`,
    ).all() as Array<{ id: string; highWater: string; newest: string }>);
    const results: number[] = [];
    let added = 0;

    for (let round = 0; round < 4; round += 1) {
      if (round > 0) {
        for (const { id, newest } of cursors()) {
          sim.addEvents(id, 4); // stamped with the API's now
          sim.addEvents(id, 2, { createdAt: new Date(Date.parse(newest) - LATE_MS) }); // visible only now
          added += 6;
        }
      }
      const result = await runCli(['sync', '--once'], env);
      record.runs += 1;
      results.push(result.code ?? -1);
      expect(result.code, result.stderr).toBe(0);
      expect(tally(dbPath, sim), `after run ${round + 1}`).toEqual(exactTally(sim.eventCount()));
      // The cursor is the newest createdAt the API sent, which sits on the API's side of the skew.
      const now = Date.now();
      for (const c of cursors()) {
        expect(c.highWater).toBe(c.newest);
        const offset = Date.parse(c.highWater) - now;
        if (sign > 0) expect(offset).toBeGreaterThan(SKEW_MS / 2);
        else expect(offset).toBeLessThan(-SKEW_MS / 2);
      }
    }
    record.tally = tally(dbPath, sim);
    record.note = `exact after each of ${record.runs} runs (${added} new + late events between them), cursor = newest API createdAt`;
    expect(record.tally).toEqual(exactTally(sim.eventCount()));
  });
});
