/** SyncStateReader on a read-only connection of its own (see src/store/sync-state.ts). */
import { AuditError } from '../../errors.js';
import type { SyncStateReader } from '../sync-state.js';
import { openReadOnly } from './open.js';

/**
 * How long a read may wait for SQLite's locks. Readers of a WAL database wait only in rare moments
 * (another connection recovering the WAL), never for a commit; this runs on the main thread, so it
 * gives up soon and says so rather than hold the event loop.
 */
const READ_BUSY_TIMEOUT_MS = 250;

interface Row {
  environmentId: string;
  name: string | null;
  lastSuccessAt: string | null;
  failing: number;
}

/** Opens the (existing, migrated) database at `path` read-only. */
export function openSyncStateReader(path: string): SyncStateReader {
  const db = openReadOnly(path, READ_BUSY_TIMEOUT_MS);
  const select = db.prepare<[], Row>(
    `WITH ids AS (SELECT id FROM environments WHERE removed_at IS NULL
                  UNION SELECT environment_id FROM sync_cursors WHERE environment_id NOT IN (SELECT id FROM environments))
     SELECT ids.id AS environmentId, env.name AS name, c.last_success_at AS lastSuccessAt, (c.last_error IS NOT NULL) AS failing
     FROM ids
     LEFT JOIN environments env ON env.id = ids.id
     LEFT JOIN sync_cursors c ON c.environment_id = ids.id
     ORDER BY env.name, ids.id`,
  );
  return {
    environments: async () => {
      try {
        return select.all().map((row) => ({ ...row, failing: row.failing === 1 }));
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? '');
        throw new AuditError('STORE_FAILED', `cannot read the audit database ${db.name}: ${(error as Error).message}${code ? ` (${code})` : ''}`, { cause: error });
      }
    },
    close: async () => {
      db.close();
    },
  };
}
