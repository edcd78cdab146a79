import type { Config } from '../config.js';
import type { AuditStore } from './audit-store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { openSyncStateReader } from './sqlite/sync-state-reader.js';
import type { SyncStateReader } from './sync-state.js';

/** The store the configuration names; the only place that chooses an implementation. */
export function openStore(config: Pick<Config, 'dbPath' | 'postgres'>): AuditStore {
  if (config.postgres) return PostgresStore.open(config.postgres);
  return SqliteStore.open(config.dbPath);
}

/** A read-only view of where each environment's syncing stands, on a connection of its own (health, metrics). */
export function openSyncState(config: Pick<Config, 'dbPath'>): SyncStateReader {
  return openSyncStateReader(config.dbPath);
}
