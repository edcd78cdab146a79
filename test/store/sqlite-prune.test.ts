/** The SQLite store's own part of rule 13: the event holding the highest rowid stays, so export positions are never handed out twice. */
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { events, page } from './contract/fixtures.js';
import { tempDbPath } from '../helpers/temp.js';

describe('SQLite prune plan', () => {
  it('never plans the event with the highest rowid: a new event gets a position above every one an export printed', async () => {
    const store = SqliteStore.open(tempDbPath());
    try {
      await store.writePages([page('us_env_a', events('us_env_a', 1, 3))]);
      await store.writePages([page('us_env_b', events('us_env_b', 1, 2))]);
      expect(await store.planPrune({ us_env_a: '9999-01-01T00:00:00.000Z', us_env_b: '9999-01-01T00:00:00.000Z' })).toEqual([
        { environmentId: 'us_env_a', fromSeq: 1, throughSeq: 3 },
        { environmentId: 'us_env_b', fromSeq: 1, throughSeq: 1 },
      ]);
      const top = () => store.db.prepare('SELECT MAX(rowid) FROM events').pluck().get() as number;
      const before = top();
      for (const plan of await store.planPrune({ us_env_a: '9999-01-01T00:00:00.000Z', us_env_b: '9999-01-01T00:00:00.000Z' })) {
        await store.pruneStep({ ...plan, limit: 10, pruneId: 'p', prunedAt: '2026-11-30T00:00:00.000Z', command: 'test', archive: null, archiveSha256: null });
      }
      await store.writePages([page('us_env_a', events('us_env_a', 4, 4))]);
      expect(top()).toBe(before + 1);
    } finally {
      await store.close();
    }
  });
});
