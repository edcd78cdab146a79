/**
 * The one way the store, the reader and the health reader get their connection pools, so that a
 * connection the server ends (a restart, a failover, pg_terminate_backend, a network cut) never
 * takes the process down.
 *
 * node-postgres reports a connection that ends without being asked to as an 'error' event on its
 * client. The pool listens on the clients it holds idle (and re-emits on the pool, hence the pool's
 * listener), but a client checked out for a transaction has no listener, and an 'error' event nobody
 * listens to is thrown: the process dies, with every worker on the database at once. Each client
 * therefore gets a listener of its own for its whole life. It only has to keep the event from being
 * thrown: the query under way fails by itself (and with it the transaction, which is reported through
 * the store's usual error), the client is no longer queryable, and the pool discards a client in
 * that state when it is released rather than hand it out again. The next operation connects afresh.
 */
import pg from 'pg';

/** A pool whose connections may end under it without an uncaught error. */
export function createPool(settings: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(settings);
  // Idle clients: the pool has already dropped the client when it emits this.
  pool.on('error', () => undefined);
  // Checked-out clients (see above).
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
