/**
 * The PostgreSQL store's numbered, forward-only migrations, recorded in `schema_migrations`.
 * Migration N brings a schema from version N-1 to N. Append new ones; never edit one that has shipped.
 * These are numbered on their own: PostgreSQL version 1 is SQLite version 7.
 */
import { sql as initial } from './0001-initial.js';
import { sql as chainCuts } from './0002-chain-cuts.js';

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'chain-cuts', sql: chainCuts },
];

export const LATEST_VERSION = MIGRATIONS.length;
