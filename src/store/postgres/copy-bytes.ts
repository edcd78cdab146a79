/**
 * COPY text (copy-rows.ts) written straight into UTF-8 bytes, field by field. Building each row as
 * a string first and encoding the joined text afterwards makes V8 flatten a rope of thousands of
 * pieces and then encode it: several times the work of writing each field's (already flat) string
 * into a buffer, and a heap full of short-lived pieces for the collector. The bytes are those
 * Buffer.from gives for the same text, field for field (test/store/postgres/copy-bytes.test.ts).
 */
import { copyField, type CopyValue } from './copy-rows.js';

const TAB = 0x09;
const LINE_FEED = 0x0a;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit (a pair's 4 bytes are 2 per unit). */
const MAX_BYTES_PER_UNIT = 3;
/** Longer texts are measured rather than given room for the worst case. */
const MEASURED_FROM_UNITS = 16 * 1024;
/** `\\x`: a bytea's hex prefix `\x` with its backslash escaped, as copyField writes it. */
const BYTEA_HEX_PREFIX = Buffer.from('\\\\x', 'latin1');
const NO_BYTES = Buffer.alloc(0);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

export class CopyBytes {
  private buffer: Buffer;
  private length = 0;

  /** `capacity`: the size of the buffer to start with, and after each take(); it grows as needed. */
  constructor(private readonly capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written since the last take(). */
  get size(): number {
    return this.length;
  }

  /** One field: copyField's text of `value`, as UTF-8. */
  field(value: CopyValue): void {
    const text = copyField(value);
    this.ensure(text.length < MEASURED_FROM_UNITS ? text.length * MAX_BYTES_PER_UNIT : Buffer.byteLength(text, 'utf8'));
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** The field separator. */
  tab(): void {
    this.ensure(1);
    this.buffer[this.length++] = TAB;
  }

  /** The row's end. */
  lineFeed(): void {
    this.ensure(1);
    this.buffer[this.length++] = LINE_FEED;
  }

  /** Bytes already in COPY form (a field, or a row's fields, written by another CopyBytes). */
  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Again the bytes written at [start, end) since the last take(): a field that is stored twice. */
  repeat(start: number, end: number): void {
    this.ensure(end - start);
    this.buffer.copyWithin(this.length, start, end);
    this.length += end - start;
  }

  /** A bytea field in hex form (`\x` and two lowercase digits a byte), as copyField writes `\\x${hex}`. */
  byteaHex(value: Uint8Array): void {
    this.bytes(BYTEA_HEX_PREFIX);
    this.ensure(value.length * 2);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < value.length; i += 1) {
      buffer[at++] = HEX_DIGITS[value[i]! >> 4]!;
      buffer[at++] = HEX_DIGITS[value[i]! & 0x0f]!;
    }
    this.length = at;
  }

  /** The bytes written so far, handed over (spare room and all: no copy), and a fresh start. */
  take(): Buffer {
    const written = this.buffer.subarray(0, this.length);
    // The next buffer is made when something is written: after a page's last take, never.
    this.buffer = NO_BYTES;
    this.length = 0;
    return written;
  }

  private ensure(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + more, this.capacity));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
