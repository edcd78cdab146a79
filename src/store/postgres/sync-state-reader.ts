/** SyncStateReader on PostgreSQL (see src/store/sync-state.ts): a pool of its own, each read a READ ONLY transaction. */
import type { PostgresConfig } from '../../config.js';
import type { SyncStateReader, EnvironmentSyncState } from '../sync-state.js';
import { describeTarget, poolSettings, postgresTarget } from './connection-settings.js';
import { createPool } from './create-pool.js';
import { readOnlyTransaction } from './read-only.js';
import { storeFailure } from './store-error.js';

/** A health probe and a metrics scrape at once, at most. */
const SYNC_STATE_CONNECTIONS = 2;

const ENVIRONMENTS = `
WITH ids AS (SELECT id FROM environments WHERE removed_at IS NULL
             UNION SELECT environment_id FROM sync_cursors WHERE environment_id NOT IN (SELECT id FROM environments))
SELECT ids.id AS "environmentId", env.name AS name, c.last_success_at AS "lastSuccessAt", (c.last_error IS NOT NULL) AS failing
FROM ids
LEFT JOIN environments env ON env.id = ids.id
LEFT JOIN sync_cursors c ON c.environment_id = ids.id
ORDER BY env.name COLLATE "C" NULLS FIRST, ids.id`;

export function openPostgresSyncState(settings: PostgresConfig, env?: Record<string, string | undefined>): SyncStateReader {
  const pool = createPool({ ...poolSettings(settings, env), max: SYNC_STATE_CONNECTIONS });
  const target = describeTarget(postgresTarget(settings, env));
  return {
    environments: async () => {
      try {
        const rows = await readOnlyTransaction(pool, async (client) => (await client.query<EnvironmentSyncState>(ENVIRONMENTS)).rows);
        // A cursor without an error row reads as failing = false, not null.
        return rows.map((row) => ({ ...row, failing: row.failing === true }));
      } catch (error) {
        throw storeFailure(target, error);
      }
    },
    close: () => pool.end(),
  };
}
