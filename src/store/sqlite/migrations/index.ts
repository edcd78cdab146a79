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
import { sql as chainCuts } from './0008-chain-cuts.js';
import { sql as forwardPositions } from './0009-forward-positions.js';
import { sql as personalAccessTokens } from './0010-personal-access-tokens.js';
import { sql as operatorActions } from './0011-operator-actions.js';
import { run as versionInventory, sql as inventoryVersions } from './0012-inventory-versions.js';
import { sql as reconcileRuns } from './0013-reconcile-runs.js';
import { sql as visibilityLag } from './0014-visibility-lag.js';
import { sql as trailOrder } from './0015-trail-order.js';
import { sql as eventCounts } from './0016-event-counts.js';
import { sql as guestAccessWalk } from './0017-guest-access-walk.js';
import { sql as actorCover } from './0018-actor-cover.js';
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
  { version: 8, name: 'chain-cuts', sql: chainCuts },
  { version: 9, name: 'forward-positions', sql: forwardPositions },
  { version: 10, name: 'personal-access-tokens', sql: personalAccessTokens },
  { version: 11, name: 'operator-actions', sql: operatorActions },
  { version: 12, name: 'inventory-versions', sql: inventoryVersions, run: versionInventory },
  { version: 13, name: 'reconcile-runs', sql: reconcileRuns },
  { version: 14, name: 'visibility-lag', sql: visibilityLag },
  { version: 15, name: 'trail-order', sql: trailOrder },
  { version: 16, name: 'event-counts', sql: eventCounts },
  { version: 17, name: 'guest-access-walk', sql: guestAccessWalk },
  { version: 18, name: 'actor-cover', sql: actorCover },
];

export const LATEST_VERSION = MIGRATIONS.length;
