import type { Config } from '../config.js';
import type { AuditReader, SqlDialect } from './audit-reader.js';
import type { AuditStore } from './audit-store.js';
import { AuditError } from '../errors.js';
import { PostgresStore } from './postgres/postgres-store.js';
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
  if (settings.postgres) return PostgresStore.open(settings.postgres);
  return SqliteStore.open(settings.dbPath);
}

/** A read-only view of the configured store, for status, verify, query and the cookbook; it must exist already. */
export async function openReader(settings: StoreSettings): Promise<AuditReader> {
  if (settings.postgres) throw notYetOnPostgres('status, query and verify');
  return SqliteReader.open(settings.dbPath);
}

/** A read-only view of where each environment's syncing stands, on a connection of its own (health, metrics). */
export async function openSyncState(settings: StoreSettings): Promise<SyncStateReader> {
  if (settings.postgres) throw notYetOnPostgres("the worker's health and metrics");
  return openSyncStateReader(settings.dbPath);
}

/** The read side of the PostgreSQL store is not built yet (issue 12): say so in one line rather than open a SQLite file. */
function notYetOnPostgres(what: string): AuditError {
  return new AuditError('CONFIG_INVALID', `${what} do not work on PostgreSQL yet (AUDIT_DATABASE_URL is set): run them against a SQLite store, or query PostgreSQL with psql; sync --once works`);
}
