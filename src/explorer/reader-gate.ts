/**
 * One reader, one statement at a time: an AuditReader runs nothing else while a cursor is open
 * (audit-reader.ts), and the explorer answers several requests at once. Requests take turns; each
 * read is bounded (a page, a count), so a turn is short.
 */
import type { AuditReader, QueryRow } from '../store/audit-reader.js';
import type { Statement } from './trail-sql.js';

export class ReaderGate {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly reader: AuditReader) {}

  /** Runs `read` once every read asked for before it has finished. */
  run<T>(read: (reader: AuditReader) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => read(this.reader));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Every row of a statement, at most `max` (a bound, not a page: callers ask for what they show). */
  rows(statement: Statement, max = 10_000): Promise<QueryRow[]> {
    return this.run(async (reader) => {
      const cursor = await reader.openQuery(statement.sql, statement.params);
      try {
        return await cursor.read(max);
      } finally {
        await cursor.close();
      }
    });
  }

  async row(statement: Statement): Promise<QueryRow | undefined> {
    return (await this.rows(statement, 1))[0];
  }
}
