/**
 * One checkpoint: a line of the checkpoint file (NDJSON, append-only). It anchors a CheckpointState
 * at a time, chains to the line before it by `prevHash` (SHA-256 of that checkpoint's canonical
 * bytes, signature included), and when a key is configured carries an Ed25519 signature over its
 * own canonical bytes without the `signature` field. See canonical-json.ts and RELIABILITY.md.
 */
import type { CheckpointState } from '../store/audit-store.js';
import { canonicalHash, canonicalJson, type Json } from './canonical-json.js';

export const CHECKPOINT_FORMAT = 1;

/** Why it was written: after an environment sync, or by the timer (at least hourly). */
export type CheckpointReason = 'sync' | 'interval';

export interface Checkpoint extends CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  /** 1, 2, 3… along the file. */
  seq: number;
  at: string;
  reason: CheckpointReason;
  prevHash: string | null;
  /** The signing key's id (signing-key.ts), when signed. */
  keyId?: string;
  /** Ed25519 over the canonical bytes without this field, base64. */
  signature?: string;
}

/** The bytes that are hashed into the next checkpoint's prevHash. */
export function checkpointHash(checkpoint: Checkpoint): string {
  return canonicalHash(checkpoint as unknown as Json);
}

/** The bytes the signature covers: everything but the signature. */
export function signedBytes(checkpoint: Checkpoint): Buffer {
  const { signature: _signature, ...unsigned } = checkpoint;
  return Buffer.from(canonicalJson(unsigned as unknown as Json), 'utf8');
}

/** The line written to the file (canonical, so that it reads back to the same bytes). */
export function checkpointLine(checkpoint: Checkpoint): string {
  return canonicalJson(checkpoint as unknown as Json);
}

/** Whether two states anchor the same thing (the time aside). */
export function sameState(a: CheckpointState, b: CheckpointState): boolean {
  const state = (s: CheckpointState) => canonicalJson({ environments: s.environments, inventory: s.inventory, schema: s.schema } as unknown as Json);
  return state(a) === state(b);
}

export class CheckpointFormatError extends Error {}

/** Parses and checks one line; throws CheckpointFormatError saying what is wrong with it. */
export function parseCheckpoint(text: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CheckpointFormatError('not JSON');
  }
  const fail = (what: string): never => {
    throw new CheckpointFormatError(what);
  };
  const object = (v: unknown, what: string): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(`${what} is not an object`));
  const int = (v: unknown, what: string): number => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(`${what} is not a whole number`));
  const hex = (v: unknown, what: string): string => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : fail(`${what} is not a SHA-256 in hex`));
  const c = object(value, 'the line');
  if (c.format !== CHECKPOINT_FORMAT) fail(`format ${String(c.format)} is not ${CHECKPOINT_FORMAT}`);
  int(c.seq, 'seq');
  if (typeof c.at !== 'string' || Number.isNaN(Date.parse(c.at))) fail('at is not a time');
  if (c.reason !== 'sync' && c.reason !== 'interval') fail('reason is not sync or interval');
  if (c.prevHash !== null) hex(c.prevHash, 'prevHash');
  for (const [id, head] of Object.entries(object(c.environments, 'environments'))) {
    const h = object(head, `environment ${id}`);
    int(h.seq, `environment ${id} seq`);
    hex(h.hash, `environment ${id} hash`);
    int(h.events, `environment ${id} events`);
    if (h.cut !== undefined) {
      const cut = object(h.cut, `environment ${id} cut`);
      int(cut.seq, `environment ${id} cut seq`);
      hex(cut.hash, `environment ${id} cut hash`);
    }
  }
  const inventory = object(c.inventory, 'inventory');
  if (inventory.changes !== null) {
    const changes = object(inventory.changes, 'inventory changes');
    int(changes.seq, 'inventory changes seq');
    hex(changes.hash, 'inventory changes hash');
  }
  for (const [table, digest] of Object.entries(object(inventory.tables, 'inventory tables'))) {
    const d = object(digest, `inventory table ${table}`);
    int(d.rows, `inventory table ${table} rows`);
    hex(d.digest, `inventory table ${table} digest`);
  }
  const schema = object(c.schema, 'schema');
  int(schema.version, 'schema version');
  hex(schema.digest, 'schema digest');
  if (c.signature !== undefined && typeof c.signature !== 'string') fail('signature is not text');
  if (c.keyId !== undefined && typeof c.keyId !== 'string') fail('keyId is not text');
  return c as unknown as Checkpoint;
}
