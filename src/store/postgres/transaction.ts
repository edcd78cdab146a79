/**
 * One transaction on a connection of the pool: committed when `work` resolves, rolled back when it
 * throws. A transaction the server aborted to break a deadlock, or that found an event id taken
 * by a concurrent writer (ConcurrentWriteError), is run again from the start: nothing of it was
 * kept, and the next attempt reads the state the other writer left.
 */
import type pg from 'pg';

const ATTEMPTS = 5;

/** SQLSTATEs after which the whole transaction can simply run again. */
const RETRYABLE = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

/** A row this transaction meant to insert was committed meanwhile by another: run it again. */
export class ConcurrentWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentWriteError';
  }
}

export type Isolation = 'READ COMMITTED' | 'REPEATABLE READ';

/**
 * `first`, when given, is a statement without parameters run right after BEGIN in the same round
 * trip (a simple query of two statements), such as taking an advisory lock.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, isolation: Isolation = 'READ COMMITTED', first?: string): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    // A connection whose state is unknown (a failed rollback) is closed, not handed out again.
    let broken: Error | undefined;
    try {
      await client.query(first === undefined ? `BEGIN ISOLATION LEVEL ${isolation}` : `BEGIN ISOLATION LEVEL ${isolation}; ${first}`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = await rollback(client);
      if (attempt < ATTEMPTS && retryable(error)) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function retryable(error: unknown): boolean {
  if (error instanceof ConcurrentWriteError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && RETRYABLE.has(code);
}
