import { execFileSync } from 'node:child_process';

/**
 * Edits a database file as an intruder with shell access would: with the sqlite3 command-line tool
 * (Debian package sqlite3), in a process of its own, bypassing flatfile-audit entirely.
 */
export function tamper(path: string, sql: string): void {
  try {
    execFileSync('sqlite3', [path, sql], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('these tests need the sqlite3 command-line tool: apt-get install -y sqlite3');
    throw new Error(`sqlite3 failed on ${sql}: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}
