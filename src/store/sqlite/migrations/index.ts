/**
 * Numbered, forward-only migrations. Migration N brings a database from user_version N-1 to N.
 * Append new ones; never edit one that has shipped.
 */
import { sql as initial } from './0001-initial.js';
import { sql as runScope } from './0002-run-scope.js';
import { run as chainExisting, sql as eventChain } from './0003-event-chain.js';
import { sql as pageFill } from './0004-page-fill.js';
import { sql as chainDigests } from './0005-chain-digests.js';
import { sql as chainOrder } from './0006-chain-order.js';
import { run as logInventory, sql as inventoryChanges } from './0007-inventory-changes.js';
import { sql as personalAccessTokens } from './0010-personal-access-tokens.js';
import type { SqliteDatabase } from '../open.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** A step SQL alone cannot do (hashing), run after `sql` in the same transaction. */
  run?: (db: SqliteDatabase) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'run-scope', sql: runScope },
  { version: 3, name: 'event-chain', sql: eventChain, run: chainExisting },
  { version: 4, name: 'page-fill', sql: pageFill },
  { version: 5, name: 'chain-digests', sql: chainDigests },
  { version: 6, name: 'chain-order', sql: chainOrder },
  { version: 7, name: 'inventory-changes', sql: inventoryChanges, run: logInventory },
  // 8 and 9 are other branches' migrations, merged in parallel; these stand-ins keep the numbering
  // until they land (the lead renumbers at merge).
  { version: 8, name: 'reserved-8', sql: '' },
  { version: 9, name: 'reserved-9', sql: '' },
  { version: 10, name: 'personal-access-tokens', sql: personalAccessTokens },
];

export const LATEST_VERSION = MIGRATIONS.length;
