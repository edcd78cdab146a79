/**
 * `flatfile-audit backup DEST`: an online, consistent copy of the SQLite store while workers write,
 * then proof that the copy is whole: SQLite's integrity check and the hash chains verified on it.
 *
 * SQLite's backup API (better-sqlite3's db.backup) rather than `VACUUM INTO`: it copies the pages as
 * they are, so every event keeps its rowid, which is the position `export --after` continues from
 * (VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY, such as events); and
 * it reads through a read-only connection, which `VACUUM INTO` refuses to run on (query_only). The
 * pages are copied in ONE step, inside one read transaction: in WAL mode that never blocks the
 * writers, and no commit between steps can make the copy restart or mix two states.
 *
 * The copy goes to a private temporary file beside DEST and replaces DEST only once it verified,
 * so a failed or tampered copy never overwrites a good backup. An existing DEST is replaced only
 * when it is a backup this command made (BACKUP_APPLICATION_ID in its header): a typo never
 * overwrites some other file, the live database least of all.
 */
import Database from 'better-sqlite3';
import { renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditError, ConfigError } from '../errors.js';
import { openReadOnly, type SqliteDatabase } from '../store/sqlite/open.js';
import type { StoreSettings } from '../store/open-store.js';
import { EXIT, type CliContext } from './context.js';
import { createPrivateFile } from './private-file.js';
import { runVerify, verifyOk } from './verify.js';
import { escapeControl } from '../output/safe-text.js';

/** "FFBK": flatfile-audit backup. */
export const BACKUP_APPLICATION_ID = 0x4646424b;

export interface BackupResult {
  bytes: number;
  events: number;
  durationMs: number;
}

export async function runBackup(ctx: CliContext, settings: StoreSettings, dest: string): Promise<number> {
  if (settings.postgres) {
    // Exit 2: the command does not apply to the configured store, and a cron job must not take "nothing done" for a backup.
    ctx.stderr.write(
      'flatfile-audit: backup copies a SQLite store; AUDIT_DATABASE_URL points at PostgreSQL, so back it up with pg_dump:\n' +
        '  pg_dump --format=custom --file=audit.dump "$AUDIT_DATABASE_URL"    (consistent while workers write)\n' +
        '  pg_restore --clean --if-exists --dbname="$AUDIT_DATABASE_URL" audit.dump   (workers stopped), then flatfile-audit verify\n',
    );
    return EXIT.usage;
  }
  const started = performance.now();
  const target = resolve(dest);
  refuseTarget(settings.dbPath, target);
  // The store first: nothing is created beside DEST when there is no store to copy.
  const source = openReadOnly(settings.dbPath);
  const partial = `${target}.partial-${process.pid}`;
  try {
    createPrivateFile(partial, 'the backup');
    await copyPages(source, settings.dbPath, partial);
    markAsBackup(partial);
    const problem = integrityProblem(partial);
    if (problem) return fail(ctx, `the copy failed SQLite's integrity check (${problem}); ${dest} left as it was`);
    const verified = await runVerify({ dbPath: partial });
    if (!verifyOk(verified)) return fail(ctx, `the copy does not verify: ${verified.chain.problemCount} problem(s) in the hash chains, ${verified.inventory.problems.length} in the inventories, ${verified.versions.problems.length} in the inventory versions (run flatfile-audit verify on the store); ${dest} left as it was`);
    renameSync(partial, target);
    const result: BackupResult = { bytes: statSync(target).size, events: verified.chain.rows, durationMs: performance.now() - started };
    ctx.stdout.write(`backup ${escapeControl(target)}: ${result.bytes} bytes, ${result.events} events verified, ${(result.durationMs / 1000).toFixed(1)}s\n`);
    return EXIT.ok;
  } finally {
    if (source.open) source.close();
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
  }
}

function fail(ctx: CliContext, message: string): number {
  ctx.stderr.write(`flatfile-audit: backup failed: ${escapeControl(message)}\n`);
  return EXIT.failed;
}

/** DEST must not be the store (or its -wal/-shm), and an existing DEST must be an earlier backup. */
function refuseTarget(dbPath: string, target: string): void {
  const store = resolve(dbPath);
  if ([store, `${store}-wal`, `${store}-shm`, `${store}-journal`].includes(target) || sameFile(store, target)) {
    throw new ConfigError(`refusing to back up onto the database itself (${target}); give DEST another path`);
  }
  const existing = statOrUndefined(target);
  if (existing && !(existing.isFile() && isBackup(target))) {
    throw new ConfigError(`refusing to overwrite ${target}: it exists and is not a backup made by flatfile-audit backup`);
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function sameFile(a: string, b: string): boolean {
  const sa = statOrUndefined(a);
  const sb = statOrUndefined(b);
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Whether `path` is a backup this command wrote; opened through SQLite only, read-only. */
function isBackup(path: string): boolean {
  try {
    const db = openReadOnly(path);
    try {
      return db.pragma('application_id', { simple: true }) === BACKUP_APPLICATION_ID;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

async function copyPages(source: SqliteDatabase, dbPath: string, partial: string): Promise<void> {
  try {
    // The first step only sizes the copy; returning the largest count makes the next step copy every page at once.
    await source.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    throw new AuditError('STORE_FAILED', `backup of ${dbPath} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    source.close();
  }
}

/** A single self-contained file (rollback journal, not WAL, so no -wal beside it to forget), marked as a backup. */
function markAsBackup(partial: string): void {
  const db = new Database(partial, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma(`application_id = ${BACKUP_APPLICATION_ID}`);
  } finally {
    db.close();
  }
}

/** SQLite's own check of the copy's pages and indexes: undefined when it says ok. */
function integrityProblem(path: string): string | undefined {
  const db = openReadOnly(path);
  try {
    const rows = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
    return rows.length === 1 && rows[0]!.integrity_check === 'ok' ? undefined : rows.slice(0, 3).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}
