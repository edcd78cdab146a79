/**
 * `flatfile-audit copy-store --to postgres://…`: copies the SQLite store at AUDIT_DB into a
 * PostgreSQL store (src/store/copy/copy-store.ts), then verifies the target as `verify` does (the
 * events' hash chains, the inventories against their change log, the inventory versions), and
 * prints per table what it copied and holds. Exit 0 only when the target verifies; run it again to continue or to catch up.
 */
import { loadConfig, postgresConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { copyStore, DEFAULT_BATCH_ROWS, type CopyReport } from '../store/copy/copy-store.js';
import type { StoreSettings } from '../store/open-store.js';
import { EXIT, type CliContext } from './context.js';
import { formatTable } from '../output/format.js';
import { escapeControl } from '../output/safe-text.js';
import { formatVerify, runVerify, verifyOk, type VerifyResult } from './verify.js';

export interface CopyStoreArgs {
  to: string | undefined;
  batch: string | undefined;
}

export async function runCopyStore(ctx: CliContext, args: CopyStoreArgs): Promise<number> {
  if (args.to === undefined || args.to.trim() === '') {
    throw new ConfigError('copy-store needs --to postgres://user@host:port/database: the PostgreSQL store to copy the SQLite store at AUDIT_DB into');
  }
  // Checked as AUDIT_DATABASE_URL is, named as the option; schema, pool and timeout from AUDIT_DATABASE_*.
  const target = postgresConfig(ctx.env, args.to, '--to');
  const dbPath = loadConfig({ ...ctx.env, AUDIT_DATABASE_URL: args.to }).dbPath;
  const batchRows = parseBatch(args.batch);

  const started = performance.now();
  const report = await copyStore(dbPath, target, {
    batchRows,
    signal: ctx.signal,
    env: ctx.env,
    onTable: (t) => {
      if (ctx.stderr.isTTY) ctx.stderr.write(`copy-store: ${t.table} done (${t.copied} copied)\n`);
    },
  });
  const copiedMs = performance.now() - started;

  const settings: StoreSettings = { dbPath, postgres: target };
  const verified = await runVerify(settings);
  ctx.stdout.write(formatReport(report, verified, copiedMs, performance.now() - started));
  return verifyOk(verified) ? EXIT.ok : EXIT.failed;
}

function parseBatch(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BATCH_ROWS;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 100_000) throw new ConfigError(`--batch must be a whole number of rows from 1 to 100000, got "${text}"`);
  return n;
}

function formatReport(report: CopyReport, verified: VerifyResult, copiedMs: number, totalMs: number): string {
  const lines = [
    `copied ${escapeControl(report.source)} into ${report.target}`,
    formatTable(report.tables.map((t) => ({ table: t.table, copied: t.copied, 'in target': t.rows }))).trimEnd(),
    `copy took ${seconds(copiedMs)}, with verification ${seconds(totalMs)}`,
    `verify on the target:`,
    formatVerify(verified).trimEnd(),
  ];
  lines.push(verifyOk(verified) ? 'copy-store: ok, the target verifies' : 'copy-store: FAILED, the target does not verify (see above)');
  return `${lines.join('\n')}\n`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
