import type { Database } from 'better-sqlite3';
import { AuditError } from '../../errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, target = migrations.length): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    throw new AuditError('STORE_FAILED', `the database is at schema version ${current}, newer than this flatfile-audit knows (${latest}); upgrade flatfile-audit`);
  }
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.run?.(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
