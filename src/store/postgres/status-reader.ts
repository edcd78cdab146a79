/** Read side of the store: cursors, and the status report ops look at (the SQLite store's, in PostgreSQL's SQL). */
import type pg from 'pg';
import { latestReconciles } from './reconcile-runs.js';
import type { EnvironmentCursor, EnvironmentStatus, FutureDatedEvents, StatusOptions, StoreStatus } from '../audit-store.js';
import { lagWindowStart, visibilityLags, type LagCount, type VisibilityLag } from '../visibility-lag.js';

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

const CURSOR_COLUMNS = `environment_id, high_water, listing_since, listing_page_size, listing_next_page, listing_max_created_at,
  listing_page_fill, listing_started_at, last_success_at, last_error`;

export async function readCursor(db: pg.Pool | pg.PoolClient, environmentId: string): Promise<EnvironmentCursor | undefined> {
  const { rows } = await db.query<CursorRow>(`SELECT ${CURSOR_COLUMNS} FROM sync_cursors WHERE environment_id = $1`, [environmentId]);
  return rows[0] ? toCursor(rows[0]) : undefined;
}

export async function listCursors(db: pg.Pool): Promise<EnvironmentCursor[]> {
  const { rows } = await db.query<CursorRow>(`SELECT ${CURSOR_COLUMNS} FROM sync_cursors ORDER BY environment_id`);
  return rows.map(toCursor);
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

// Names sort bytewise and unnamed environments first, as in SQLite.
const ENVIRONMENTS = `
WITH ids AS (SELECT id FROM environments UNION SELECT environment_id FROM sync_cursors),
     -- The counts the writers keep (rule 19): a few rows per hour, where counting the events read every one.
     counts AS (SELECT environment_id, SUM(count)::bigint AS n FROM event_counts GROUP BY environment_id)
SELECT ids.id AS "environmentId", env.name AS name, env.removed_at AS "removedAt",
       c.high_water AS "highWater", (c.listing_next_page IS NOT NULL) AS "listingInProgress",
       c.last_success_at AS "lastSuccessAt", c.last_error AS "lastError", c.last_error_at AS "lastErrorAt",
       COALESCE(counts.n, 0) AS events
FROM ids
LEFT JOIN environments env ON env.id = ids.id
LEFT JOIN sync_cursors c ON c.environment_id = ids.id
LEFT JOIN counts ON counts.environment_id = ids.id
ORDER BY env.name COLLATE "C" NULLS FIRST, ids.id`;

const LAST_RUN = `
SELECT id, scope, started_at AS "startedAt", finished_at AS "finishedAt", status, new_events AS "newEvents", error
FROM sync_runs ORDER BY id DESC LIMIT 1`;

const TOTALS = `
SELECT (SELECT COALESCE(SUM(count), 0)::bigint FROM event_counts) AS events, (SELECT COUNT(*) FROM rejected_events) AS rejected,
       (SELECT COUNT(*) FROM users WHERE removed_at IS NULL) AS users,
       (SELECT COUNT(*) FROM guests WHERE removed_at IS NULL) AS guests,
       (SELECT COUNT(*) FROM spaces WHERE removed_at IS NULL) AS spaces,
       (SELECT COUNT(*) FROM agents WHERE removed_at IS NULL) AS agents`;

// Through the created_at index: only the few rows past the cutoff are read.
const FUTURE_DATED = `
SELECT environment_id AS "environmentId", COUNT(*) AS count, MAX(created_at) AS "newestCreatedAt"
FROM events WHERE created_at > $1 GROUP BY environment_id ORDER BY environment_id`;

// The primary key's range (hour first): a few rows per hour of the window (rule 16).
const LAG_COUNTS = `
SELECT environment_id AS "environmentId", topic, bucket, SUM(events)::bigint AS events FROM visibility_lag
WHERE hour >= $1::timestamptz GROUP BY environment_id, topic, bucket`;

/** Visibility lag figures over the hours read from `since` on (rule 16). */
export async function readVisibilityLag(db: pg.Pool | pg.PoolClient, since: string): Promise<VisibilityLag[]> {
  const { rows } = await db.query<Omit<LagCount, 'hour'>>(LAG_COUNTS, [since]);
  return visibilityLags(rows);
}

/** The status report, read in one snapshot (a repeatable-read transaction on `client`). */
export async function readStatus(client: pg.PoolClient, options: StatusOptions): Promise<StoreStatus> {
  const environments = await client.query<EnvironmentStatus>(ENVIRONMENTS);
  const futureDated = await client.query<FutureDatedEvents>(FUTURE_DATED, [options.futureDatedAfter]);
  const lastRun = await client.query<NonNullable<StoreStatus['lastRun']>>(LAST_RUN);
  const totals = await client.query<StoreStatus['totals']>(TOTALS);
  const reconcile = await latestReconciles(client);
  const visibilityLag = await readVisibilityLag(client, options.lagSince ?? lagWindowStart(Date.now()));
  return {
    environments: environments.rows,
    futureDated: futureDated.rows,
    reconcile,
    lastRun: lastRun.rows[0] ?? null,
    totals: totals.rows[0]!,
    visibilityLag,
  };
}
