/**
 * The read side ops look at: where each environment's syncing stands. Read through its own
 * read-only connection, so a health probe or a metrics scrape never waits for, or takes, the write lock.
 */

/** One environment the store knows and that the account still lists (removed ones are left out). */
export interface EnvironmentSyncState {
  environmentId: string;
  /** Null for an environment only known from its cursor. */
  name: string | null;
  /** When its events listing last completed (ISO); null if it never has. */
  lastSuccessAt: string | null;
  /** Its last sync failed (the error is still on its cursor: the next success clears it). */
  failing: boolean;
}

export interface SyncStateReader {
  /** Every current environment's state; rejects with an AuditError (STORE_FAILED) when the store cannot be read. */
  environments(): Promise<EnvironmentSyncState[]>;
  close(): Promise<void>;
}
