/** The audit explorer (explorer-suite.ts) over PostgreSQL: a database of its own for this file. */
import { freshSchema, pgQuery, pgSettings, testDatabase } from '../helpers/postgres.js';
import { describeExplorer } from './explorer-suite.js';

const db = testDatabase();

describeExplorer('PostgreSQL', async () => {
  const schema = freshSchema();
  return {
    settings: { dbPath: '/nonexistent/unused.db', postgres: pgSettings(db, schema) },
    env: { AUDIT_DATABASE_URL: db.url, AUDIT_DATABASE_SCHEMA: schema },
    async tamper(sql) {
      await pgQuery(db, schema, sql);
    },
    // The database is dropped after the file (testDatabase).
    remove() {},
  };
});
