/**
 * The canonical bytes of a JSON value, so that a checkpoint hashes and signs the same however it
 * was parsed and printed: object keys sorted by UTF-16 code units (JavaScript's default sort),
 * recursively; arrays in order; no whitespace; strings escaped as JSON.stringify does; numbers
 * only as safe integers (no floats, no exponents to spell two ways). Encoded as UTF-8.
 */
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: Json): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON holds only safe integers, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}

/** SHA-256 (hex) of the canonical bytes. */
export function canonicalHash(value: Json): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
