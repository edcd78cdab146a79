/**
 * The PostgreSQL store's numbered, forward-only migrations, recorded in `schema_migrations`.
 * Migration N brings a schema from version N-1 to N. Append new ones; never edit one that has shipped.
 * These are numbered on their own: PostgreSQL version 1 is SQLite version 7.
 */
import type pg from 'pg';
import { sql as initial } from './0001-initial.js';
import { run as versionInventory, sql as inventoryVersions } from './0006-inventory-versions.js';

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
  /** A step SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (client: pg.PoolClient) => Promise<void>;
}

export const MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, name: 'initial', sql: initial },
  // 2-5 are other branches' migrations, merged in beside this one (the lead numbers them contiguous).
  ...[2, 3, 4, 5].map((version) => ({ version, name: `placeholder-${version}`, sql: 'SELECT 1' })),
  { version: 6, name: 'inventory-versions', sql: inventoryVersions, run: versionInventory },
];

export const LATEST_VERSION = MIGRATIONS.length;
