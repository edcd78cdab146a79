/** The audit explorer (explorer-suite.ts) over a SQLite file. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeExplorer } from './explorer-suite.js';

describeExplorer('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flatfile-audit-explorer-'));
  const dbPath = join(dir, 'audit.db');
  return {
    settings: { dbPath, postgres: undefined },
    env: { AUDIT_DB: dbPath },
    async tamper(sql) {
      execFileSync('sqlite3', [dbPath, sql]);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
