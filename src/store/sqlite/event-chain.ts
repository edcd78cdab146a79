/**
 * Tamper evidence for stored events. Each environment's events form a hash chain in the order they
 * were stored: an event's `chain_hash` is SHA-256 over the previous event's hash and every stored
 * column of the row, and `chain_seq` counts 1, 2, 3… per environment. `event_chains` keeps each
 * chain's head. Changing any column of a row breaks its hash; deleting a row leaves a gap in the
 * sequence or a head that no longer matches. Whoever can rewrite the whole file can also rewrite
 * the chain, so each environment's head is logged after its sync: kept outside the machine, the
 * logs anchor it.
 */
import { createHash } from 'node:crypto';

/** The stored columns of an event row, in the order they are hashed. */
export interface ChainedRow {
  id: string;
  environment_id: string;
  created_at: string;
  topic: string;
  domain: string;
  actor_id: string | null;
  space_id: string | null;
  workbook_id: string | null;
  sheet_id: string | null;
  job_id: string | null;
  acknowledged_at: string | null;
  deleted_at: string | null;
  ingested_at: string;
  raw: string;
}

export const CHAINED_COLUMNS = [
  'id', 'environment_id', 'created_at', 'topic', 'domain', 'actor_id', 'space_id', 'workbook_id',
  'sheet_id', 'job_id', 'acknowledged_at', 'deleted_at', 'ingested_at', 'raw',
] as const satisfies ReadonlyArray<keyof ChainedRow>;

export interface ChainHead {
  seq: number;
  hash: Buffer;
}

/** The hash of `row` following `previous` (null for the first row of a chain). */
export function chainHash(previous: Buffer | null, row: ChainedRow): Buffer {
  const hash = createHash('sha256');
  if (previous) hash.update(previous);
  // JSON of the column values: unambiguous (no separator can be forged by a value), stable across runs.
  hash.update(JSON.stringify(CHAINED_COLUMNS.map((column) => row[column])));
  return hash.digest();
}
