/** The explorer figures as Markdown tables, one per store, as BENCHMARKS.md shows them. */
import type { ExplorerBenchResult } from './run-explorer-bench.js';

const STORE_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

export function formatExplorerTable(result: ExplorerBenchResult): string {
  return result.results.map((r) => {
    const lines = [
      `Explorer on ${STORE_NAMES[r.store]}, ${result.events} events, ${result.runs} runs per page (load ${r.loadBefore.join(' ')} before, ${r.loadAfter.join(' ')} after)`,
      '',
      `| page | median ms | p95 ms | rows | < ${result.targetMs} ms |`,
      '|---|---:|---:|---:|---|',
      ...r.pages.map((p) => `| ${p.page} | ${p.medianMs} | ${p.p95Ms} | ${p.rows} | ${p.medianMs < result.targetMs ? 'met' : '**missed**'} |`),
    ];
    return `${lines.join('\n')}\n`;
  }).join('\n');
}
