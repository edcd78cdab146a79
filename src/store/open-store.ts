import type { Config } from '../config.js';
import type { AuditReader, SqlDialect } from './audit-reader.js';
import type { AuditStore } from './audit-store.js';
import { PostgresReader } from './postgres/postgres-reader.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { openPostgresSyncState } from './postgres/sync-state-reader.js';
import { SqliteReader } from './sqlite/sqlite-reader.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { openSyncStateReader } from './sqlite/sync-state-reader.js';
import type { SyncStateReader } from './sync-state.js';

/** The settings that say which store holds the audit trail and where: all a process needs to open it. */
export type StoreSettings = Pick<Config, 'dbPath'> & { postgres?: Config['postgres'] };

/** The store settings out of the whole configuration: only these travel to another process (the query's). */
export function storeSettings(config: StoreSettings): StoreSettings {
  return { dbPath: config.dbPath, postgres: config.postgres };
}

/** The SQL the configured store speaks. */
export function storeDialect(settings: StoreSettings): SqlDialect {
  return settings.postgres ? 'postgres' : 'sqlite';
}

/** The store the configuration names, opened for writing (created and migrated if needed); the only place that chooses an implementation. */
export async function openStore(settings: StoreSettings): Promise<AuditStore> {
  if (settings.postgres) {
    // Connected and migrated before it is handed out, as a SQLite store is on open.
    const store = PostgresStore.open(settings.postgres);
    try {
      await store.ready();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  return SqliteStore.open(settings.dbPath);
}

/** A read-only view of the configured store, for status, verify, query and the cookbook; it must exist already. */
export async function openReader(settings: StoreSettings): Promise<AuditReader> {
  if (settings.postgres) return PostgresReader.open(settings.postgres);
  return SqliteReader.open(settings.dbPath);
}

/** A read-only view of where each environment's syncing stands, on a connection of its own (health, metrics). */
export async function openSyncState(settings: StoreSettings): Promise<SyncStateReader> {
  if (settings.postgres) return openPostgresSyncState(settings.postgres);
  return openSyncStateReader(settings.dbPath);
}
