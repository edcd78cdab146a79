/**
 * Rows into a table by `COPY … FROM STDIN` (text format) on a connection inside its transaction:
 * PostgreSQL's bulk path, about half the server time of a multi-row `INSERT … SELECT FROM unnest(…)`
 * for a batch of events (BENCHMARKS.md). COPY has no ON CONFLICT: a row that breaks a unique index
 * fails the whole COPY, and so the transaction; the caller decides what that means.
 *
 * The whole COPY is one message sequence written at once when node-postgres submits it: the
 * statement, then the rows as CopyData messages, then CopyDone, all framed by node-postgres's own
 * protocol writer, with no stream in between. The data does not wait for the server's
 * CopyInResponse (it would cost a round trip): the server reads the messages in order, and if the
 * statement fails before its data is read, it ignores CopyData and CopyDone outside a COPY, as the
 * protocol says. Nothing of a COPY is left to be written after it has ended, failed or not, so the
 * next statement on the connection can never find COPY data in front of it.
 *
 * Text format: NULL is `\N`; in a value, backslash, tab, line feed and carriage return are escaped
 * (`\\`, `\t`, `\n`, `\r`), so nothing in a value reads as an escape (`\x41`, `\101`, `\N`, `\.`)
 * or ends a field or row. The values must be storable as PostgreSQL text (no NUL, no lone
 * surrogate: storable-text.ts), which every prepared event is.
 */
import type pg from 'pg';

export type CopyValue = string | number | null;

/** The protocol calls node-postgres's connection offers, which its type declarations leave out. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** Bytes per CopyData message (about: each ends at a row's end): a batch of events is a few MB. */
export const MESSAGE_BYTES = 256 * 1024;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;

/** A value as one field of COPY's text format. */
export function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  const text = typeof value === 'number' ? String(value) : value;
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}

/** A COPY as node-postgres runs a query: submitted when the connection is free, settled at ReadyForQuery or on an error. */
class CopyIn {
  readonly done: Promise<number>;
  private rowCount = 0;
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;

  constructor(
    private readonly text: string,
    private readonly messages: readonly Buffer[],
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    const copy = connection as unknown as CopyConnection;
    copy.query(this.text);
    for (const message of this.messages) copy.sendCopyFromChunk(message);
    copy.endCopyFrom();
  }

  handleCopyInResponse(): void {
    // The data is on its way already (submit).
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)$/.exec(message.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {
    this.resolve(this.rowCount);
  }

  handleError(error: Error): void {
    this.reject(error);
  }

  // Not sent for COPY FROM; here so that a surprise cannot throw inside the driver.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/**
 * COPYs `messages` into `table` on `client`: the UTF-8 of the rows' text, each row in `columns`
 * order, its fields as copyField writes them, tab-separated, ending in a line feed (copy-bytes.ts);
 * returns the rows the server loaded.
 */
export function copyMessages(client: pg.PoolClient, table: string, columns: readonly string[], messages: readonly Buffer[]): Promise<number> {
  const copy = new CopyIn(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, messages);
  client.query(copy);
  return copy.done;
}
