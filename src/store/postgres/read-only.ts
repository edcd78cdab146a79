/**
 * A REPEATABLE READ READ ONLY transaction on a connection of the pool: one moment of the store, in
 * which the server refuses any write. Always rolled back: there is nothing to commit, and any
 * session setting changed in it goes with it.
 */
import type pg from 'pg';

export async function readOnlyTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await work(client);
    } finally {
      await client.query('ROLLBACK').catch((error: unknown) => {
        broken = error instanceof Error ? error : new Error(String(error));
      });
    }
  } finally {
    client.release(broken);
  }
}
