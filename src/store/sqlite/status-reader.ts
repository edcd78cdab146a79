/** Read side of the store: one environment's cursor, and the status report ops look at. */
import type { EnvironmentCursor, EnvironmentStatus, FutureDatedEvents, StatusOptions, StoreStatus } from '../audit-store.js';
import { lagWindowStart, visibilityLags, type LagCount, type VisibilityLag } from '../visibility-lag.js';
import type { SqliteDatabase } from './open.js';
import { toDrift, type DriftRow } from './reconcile-runs.js';

interface CursorRow {
  environment_id: string;
  high_water: string | null;
  listing_since: string | null;
  listing_page_size: number | null;
  listing_next_page: number | null;
  listing_max_created_at: string | null;
  listing_page_fill: number | null;
  listing_started_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
}

export function createCursorReader(db: SqliteDatabase): { one(environmentId: string): EnvironmentCursor | undefined; all(): EnvironmentCursor[] } {
  const select = db.prepare<[string], CursorRow>('SELECT * FROM sync_cursors WHERE environment_id = ?');
  const selectAll = db.prepare<[], CursorRow>('SELECT * FROM sync_cursors ORDER BY environment_id');
  return {
    one: (environmentId) => {
      const row = select.get(environmentId);
      return row ? toCursor(row) : undefined;
    },
    all: () => selectAll.all().map(toCursor),
  };
}

function toCursor(row: CursorRow): EnvironmentCursor {
  const inProgress = row.listing_next_page !== null && row.listing_page_size !== null && row.listing_started_at !== null;
  return {
    environmentId: row.environment_id,
    highWater: row.high_water,
    listing: inProgress
      ? {
          since: row.listing_since,
          pageSize: row.listing_page_size as number,
          nextPage: row.listing_next_page as number,
          maxCreatedAt: row.listing_max_created_at,
          pageFill: row.listing_page_fill ?? 0,
          startedAt: row.listing_started_at as string,
        }
      : null,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
  };
}

/** Visibility lag figures over the hours read from `since` on (rule 16): the primary key's range, a few rows per hour. */
export function createLagReader(db: SqliteDatabase): (since: string) => VisibilityLag[] {
  const counts = db.prepare<[string], Omit<LagCount, 'hour'>>(
    `SELECT environment_id AS environmentId, topic, bucket, SUM(events) AS events FROM visibility_lag
     WHERE hour >= ? GROUP BY environment_id, topic, bucket`,
  );
  return (since) => visibilityLags(counts.all(since));
}

export function createStatusReader(db: SqliteDatabase): (options: StatusOptions) => StoreStatus {
  const lags = createLagReader(db);
  const environments = db.prepare<[], EnvironmentStatus>(
    `WITH ids AS (SELECT id FROM environments UNION SELECT environment_id FROM sync_cursors),
          -- The counts the writers keep (rule 19): a few rows per hour, where counting the events read every one.
          counts AS (SELECT environment_id, SUM(count) AS n FROM event_counts GROUP BY environment_id)
     SELECT ids.id AS environmentId, env.name AS name, env.removed_at AS removedAt,
            c.high_water AS highWater, (c.listing_next_page IS NOT NULL) AS listingInProgress,
            c.last_success_at AS lastSuccessAt, c.last_error AS lastError, c.last_error_at AS lastErrorAt,
            COALESCE(counts.n, 0) AS events
     FROM ids
     LEFT JOIN environments env ON env.id = ids.id
     LEFT JOIN sync_cursors c ON c.environment_id = ids.id
     LEFT JOIN counts ON counts.environment_id = ids.id
     ORDER BY env.name, ids.id`,
  );
  const lastRun = db.prepare<[], NonNullable<StoreStatus['lastRun']>>(
    `SELECT id, scope, started_at AS startedAt, finished_at AS finishedAt, status, new_events AS newEvents, error
     FROM sync_runs ORDER BY id DESC LIMIT 1`,
  );
  const totals = db.prepare<[], StoreStatus['totals']>(
    `SELECT (SELECT COALESCE(SUM(count), 0) FROM event_counts) AS events, (SELECT COUNT(*) FROM rejected_events) AS rejected,
            (SELECT COUNT(*) FROM users WHERE removed_at IS NULL) AS users,
            (SELECT COUNT(*) FROM guests WHERE removed_at IS NULL) AS guests,
            (SELECT COUNT(*) FROM spaces WHERE removed_at IS NULL) AS spaces,
            (SELECT COUNT(*) FROM agents WHERE removed_at IS NULL) AS agents`,
  );
  // Through the created_at index: only the few rows past the cutoff are read.
  const futureDated = db.prepare<[string], FutureDatedEvents>(
    `SELECT environment_id AS environmentId, COUNT(*) AS count, MAX(created_at) AS newestCreatedAt
     FROM events WHERE created_at > ? GROUP BY environment_id ORDER BY environment_id`,
  );
  const reconcile = db.prepare<[], DriftRow>(
    `SELECT * FROM reconcile_runs WHERE id IN (SELECT MAX(id) FROM reconcile_runs GROUP BY environment_id) ORDER BY environment_id`,
  );
  return (options) => ({
    environments: environments.all().map((row) => ({ ...row, listingInProgress: Boolean(row.listingInProgress) })),
    futureDated: futureDated.all(options.futureDatedAfter),
    reconcile: reconcile.all().map(toDrift),
    lastRun: lastRun.get() ?? null,
    totals: totals.get() as StoreStatus['totals'],
    visibilityLag: lags(options.lagSince ?? lagWindowStart(Date.now())),
  });
}
