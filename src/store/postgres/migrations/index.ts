/**
 * The PostgreSQL store's numbered, forward-only migrations, recorded in `schema_migrations`.
 * Migration N brings a schema from version N-1 to N. Append new ones; never edit one that has shipped.
 * These are numbered on their own: PostgreSQL version 1 is SQLite version 7.
 */
import { sql as initial } from './0001-initial.js';
import { sql as personalAccessTokens } from './0004-personal-access-tokens.js';

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, name: 'initial', sql: initial },
  // 2 and 3 are other branches' migrations, merged in parallel; these stand-ins keep the numbering
  // until they land (the lead renumbers at merge).
  { version: 2, name: 'reserved-2', sql: 'SELECT 1' },
  { version: 3, name: 'reserved-3', sql: 'SELECT 1' },
  { version: 4, name: 'personal-access-tokens', sql: personalAccessTokens },
];

export const LATEST_VERSION = MIGRATIONS.length;
