/** `flatfile-audit verify`: recomputes the events' hash chains and reports any row changed or deleted after it was stored. */
import { openReadOnly } from '../store/sqlite/open.js';
import { verifyChains, type ChainReport } from '../store/sqlite/verify-chain.js';
import { formatTable } from './format.js';

export function runVerify(dbPath: string): ChainReport {
  const db = openReadOnly(dbPath);
  try {
    return verifyChains(db);
  } finally {
    db.close();
  }
}

export function formatVerify(report: ChainReport): string {
  const lines = [
    formatTable(report.environments.map((e) => ({ environment: e.environmentId, rows: e.rows, 'chain head': e.headSeq === null ? '' : `${e.headSeq} ${e.headHash}` }))).trimEnd(),
  ];
  if (report.ok) {
    lines.push(`ok: ${report.rows} events verified, no row changed or deleted since it was stored`);
  } else {
    lines.push(formatTable(report.problems.map((p) => ({ environment: p.environmentId, problem: p.kind, seq: p.seq ?? '', event: p.eventId ?? '', detail: p.detail }))).trimEnd());
    lines.push(`TAMPERED: ${report.problemCount} problem(s) in ${report.rows} events${report.problemCount > report.problems.length ? ` (first ${report.problems.length} shown)` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
