/** The store contract (store-contract.ts) against the SQLite store: a new database file per test. */
import Database from 'better-sqlite3';
import { tempDbPath } from '../../helpers/temp.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('SQLite', async () => {
  const dbPath = tempDbPath();
  return {
    settings: { dbPath },
    async tamper(sql) {
      const db = new Database(dbPath);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    concurrentWriters: false,
    async hold(sql) {
      const db = new Database(dbPath);
      db.exec('BEGIN IMMEDIATE');
      db.exec(sql);
      return async () => {
        db.exec('COMMIT');
        db.close();
      };
    },
  };
});
