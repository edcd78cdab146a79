/**
 * Advisory locks, each named by what it guards and the schema it guards it in: deployments in
 * two schemas of one database never wait for each other (a collision of two schema hashes would
 * only make them wait, never break anything). The two-key form keeps clear of one-key locks that
 * other software in the database may take.
 */
import { createHash } from 'node:crypto';

/** What a lock guards: its first key. */
const PURPOSES = {
  /** Held by whoever migrates the schema (session lock): concurrent starters migrate once. */
  migrate: 0x4641_0001,
  /**
   * Writes of what a checkpoint anchors hold it shared for their transaction; a checkpoint holds it
   * exclusively, so no such write lands between its state read and its record.
   */
  store: 0x4641_0002,
  /** The inventory change log is one chain: its appenders take turns. */
  inventoryLog: 0x4641_0003,
  /** Held by `copy-store` for its whole run (session lock): two copies into one schema would interleave. */
  copyStore: 0x4641_0004,
  /** Prunes take turns (rule 13): each step reads the cut the one before it left. */
  prune: 0x4641_0005,
} as const;

export type LockPurpose = keyof typeof PURPOSES;

/** The two int4 keys of the lock guarding `purpose` in `schema`, as query parameters. */
export function lockKeys(schema: string, purpose: LockPurpose): [number, number] {
  return [PURPOSES[purpose], createHash('sha256').update(schema).digest().readInt32BE(0)];
}
