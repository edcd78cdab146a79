/**
 * The PostgreSQL store's numbered, forward-only migrations, recorded in `schema_migrations`.
 * Migration N brings a schema from version N-1 to N. Append new ones; never edit one that has shipped.
 * These are numbered on their own: PostgreSQL version 1 is SQLite version 7.
 */
import type pg from 'pg';
import { sql as initial } from './0001-initial.js';
import { sql as chainCuts } from './0002-chain-cuts.js';
import { sql as ingestionOrder } from './0003-ingestion-order.js';
import { sql as personalAccessTokens } from './0004-personal-access-tokens.js';
import { sql as operatorActions } from './0005-operator-actions.js';
import { run as versionInventory, sql as inventoryVersions } from './0006-inventory-versions.js';
import { sql as reconcileRuns } from './0007-reconcile-runs.js';
import { sql as visibilityLag } from './0008-visibility-lag.js';
import { sql as eventCounts } from './0009-event-counts.js';
import { sql as guestAccessWalk } from './0010-guest-access-walk.js';
import { sql as actorCover } from './0011-actor-cover.js';

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
  /** A step SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (client: pg.PoolClient) => Promise<void>;
}

export const MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'chain-cuts', sql: chainCuts },
  { version: 3, name: 'ingestion-order', sql: ingestionOrder },
  { version: 4, name: 'personal-access-tokens', sql: personalAccessTokens },
  { version: 5, name: 'operator-actions', sql: operatorActions },
  { version: 6, name: 'inventory-versions', sql: inventoryVersions, run: versionInventory },
  { version: 7, name: 'reconcile-runs', sql: reconcileRuns },
  { version: 8, name: 'visibility-lag', sql: visibilityLag },
  { version: 9, name: 'event-counts', sql: eventCounts },
  { version: 10, name: 'guest-access-walk', sql: guestAccessWalk },
  { version: 11, name: 'actor-cover', sql: actorCover },
];

export const LATEST_VERSION = MIGRATIONS.length;
