/** The store contract (store-contract.ts) against the PostgreSQL store: one database for the file, a new schema per test. */
import pg from 'pg';
import { poolSettings } from '../../../src/store/postgres/connection-settings.js';
import { lockKeys } from '../../../src/store/postgres/locks.js';
import { freshSchema, pgQuery, pgSettings, testDatabase } from '../../helpers/postgres.js';
import { describeStoreContract } from './store-contract.js';

const db = testDatabase();

describeStoreContract('PostgreSQL', async () => {
  const schema = freshSchema();
  return {
    settings: { dbPath: '/nonexistent/unused.db', postgres: pgSettings(db, schema) },
    async tamper(sql) {
      await pgQuery(db, schema, sql);
    },
    concurrentWriters: true,
    async hold(sql) {
      const client = new pg.Client(poolSettings(pgSettings(db, schema), {}));
      await client.connect();
      await client.query('BEGIN');
      // As the store's writers do: the store's lock first (src/store/postgres/trail-query.ts).
      await client.query('SELECT pg_advisory_xact_lock_shared($1, $2)', lockKeys(schema, 'store'));
      await client.query(sql);
      return async () => {
        await client.query('COMMIT');
        await client.end();
      };
    },
  };
});
