import type { Config } from '../config.js';
import type { AuditReader, SqlDialect } from './audit-reader.js';
import type { AuditStore } from './audit-store.js';
import { SqliteReader } from './sqlite/sqlite-reader.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { openSyncStateReader } from './sqlite/sync-state-reader.js';
import type { SyncStateReader } from './sync-state.js';

/** The settings that say which store holds the audit trail and where: all a process needs to open it. */
export type StoreSettings = Pick<Config, 'dbPath'>;

/** The store settings out of the whole configuration: only these travel to another process (the query's). */
export function storeSettings(config: StoreSettings): StoreSettings {
  return { dbPath: config.dbPath };
}

/** The SQL the configured store speaks. */
export function storeDialect(_settings: StoreSettings): SqlDialect {
  return 'sqlite';
}

/** The store the configuration names, opened for writing (created and migrated if needed); the only place that chooses an implementation. */
export async function openStore(settings: StoreSettings): Promise<AuditStore> {
  return SqliteStore.open(settings.dbPath);
}

/** A read-only view of the configured store, for status, verify, query and the cookbook; it must exist already. */
export async function openReader(settings: StoreSettings): Promise<AuditReader> {
  return SqliteReader.open(settings.dbPath);
}

/** A read-only view of where each environment's syncing stands, on a connection of its own (health, metrics). */
export async function openSyncState(settings: StoreSettings): Promise<SyncStateReader> {
  return openSyncStateReader(settings.dbPath);
}
