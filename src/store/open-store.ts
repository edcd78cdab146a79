import type { Config } from '../config.js';
import type { AuditStore } from './audit-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/** The store the configuration names; the only place that chooses an implementation. */
export function openStore(config: Pick<Config, 'dbPath'>): AuditStore {
  return SqliteStore.open(config.dbPath);
}
