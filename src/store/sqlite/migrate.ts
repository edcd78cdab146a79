import type { Database } from 'better-sqlite3';
import { AuditError } from '../../errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/**
 * Applies every migration newer than the file's user_version, each in its own IMMEDIATE
 * transaction that reads the version again under the write lock: several processes opening a new
 * file at once (two workers started together) then apply each migration exactly once.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, target = migrations.length): number {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  const current = version();
  if (current > latest) {
    throw new AuditError('STORE_FAILED', `the database is at schema version ${current}, newer than this flatfile-audit knows (${latest}); upgrade flatfile-audit`);
  }
  const apply = db.transaction((migration: Migration) => {
    if (version() >= migration.version) return; // another process applied it while we waited for the lock
    db.exec(migration.sql);
    migration.run?.(db);
    db.pragma(`user_version = ${migration.version}`);
  });
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    apply.immediate(migration);
  }
  return version();
}
