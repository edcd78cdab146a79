/**
 * Tamper evidence for stored events, the same in every store. Each environment's events form a
 * hash chain in the order they were stored: `chain_seq` counts 1, 2, 3… per environment and an
 * event's `chain_hash` is SHA-256(previous event's hash ‖ SHA-256(JSON of every stored column of
 * the row)). The inner digest needs nothing but the row, so it is computed away from the writer;
 * only the short outer link is computed in the transaction, on the chain head read under the write
 * lock (chain-links.ts). Rows chained before SQLite schema version 5 used SHA-256(previous hash ‖
 * JSON of the row); the store says up to which sequence number an environment's chain is in that
 * form. Changing any column of a row breaks its hash; deleting a row leaves a gap in the sequence
 * or a head that no longer matches. Whoever can rewrite the whole store can also rewrite the chain,
 * so each environment's head is logged after its sync: kept outside the machine, the logs anchor it.
 *
 * Formats are pinned by test/store/hash-golden.test.ts; shipped migrations keep frozen copies.
 */
import * as crypto from 'node:crypto';
import type { EventRecord } from '../../records.js';

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

/** A row's column values in CHAINED_COLUMNS order. */
export type ChainedValues = [
  id: string, environmentId: string, createdAt: string, topic: string, domain: string, actorId: string | null,
  spaceId: string | null, workbookId: string | null, sheetId: string | null, jobId: string | null,
  acknowledgedAt: string | null, deletedAt: string | null, ingestedAt: string, raw: string,
];

export function chainedValues(row: ChainedRow): ChainedValues {
  return CHAINED_COLUMNS.map((column) => row[column]) as unknown as ChainedValues;
}

/** The values an event is stored with, in CHAINED_COLUMNS order: what its row digest is taken of. */
export function eventValues(environmentId: string, e: EventRecord, ingestedAt: string): ChainedValues {
  return [
    e.id, environmentId, e.createdAt, e.topic, e.domain, e.actorId, e.spaceId, e.workbookId, e.sheetId, e.jobId,
    e.acknowledgedAt, e.deletedAt, ingestedAt, e.raw,
  ];
}

/**
 * SHA-256 in one call: crypto.hash (Node.js 20.12+) skips the Hash object that createHash builds,
 * which costs more than hashing a row (the 200k backfill hashes 400k times).
 */
const sha256: (data: string | Buffer) => Buffer =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'buffer') : (data) => crypto.createHash('sha256').update(data).digest();

/** The row's JSON, the text its digest is taken of: unambiguous (no separator can be forged by a value), stable across runs. */
export function rowText(values: ChainedValues): string {
  return JSON.stringify(values);
}

/** Bytes of a digest (SHA-256). */
export const DIGEST_BYTES = 32;

/** The digest of a row given as its rowText. */
export function textDigest(text: string): Buffer {
  return sha256(text);
}

/**
 * textDigest(text) written into `target` at `offset`, DIGEST_BYTES long. The digest travels as a
 * 'binary' (latin1) string, a byte a character, not as a Buffer: each Buffer has a backing store
 * of its own for the collector to track, and every stored event is digested.
 */
export function writeTextDigest(text: string, target: Buffer, offset: number): void {
  target.write(sha256Binary(text), offset, DIGEST_BYTES, 'latin1');
}

const sha256Binary: (data: string) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'binary') : (data) => crypto.createHash('sha256').update(data).digest('binary');

/** SHA-256 of the row's JSON. */
export function rowDigest(values: ChainedValues): Buffer {
  return textDigest(rowText(values));
}

/** The chain hash of a row whose digest is `digest`, following `previous` (null for the first row of a chain). */
export function linkHash(previous: Buffer | null, digest: Buffer): Buffer {
  return sha256(previous ? Buffer.concat([previous, digest], previous.length + digest.length) : digest);
}

/** The chain hash of `row` following `previous`. */
export function chainHash(previous: Buffer | null, row: ChainedRow): Buffer {
  return linkHash(previous, rowDigest(chainedValues(row)));
}

/** The hash of rows chained before schema version 5: SHA-256(previous ‖ the row's JSON). */
export function chainHashV1(previous: Buffer | null, row: ChainedRow): Buffer {
  const hash = crypto.createHash('sha256');
  if (previous) hash.update(previous);
  return hash.update(JSON.stringify(chainedValues(row))).digest();
}
