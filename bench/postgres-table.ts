/** The PostgreSQL figures as a Markdown table (printed, and pasted into BENCHMARKS.md), with the targets beside them. */
import type { PostgresBenchResult } from './run-postgres-bench.js';

const k = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n));

export function formatPostgresTable(r: PostgresBenchResult, sizes: { small: number; big: number }, quick: boolean): string {
  // Targets are set for the reference sizes; a --quick run is too small to judge them.
  const mark = (ok: boolean): string => (quick ? 'n/a in --quick' : ok ? 'met' : '**missed**');
  const b = r.backfill;
  const m = r.memory;
  const s = r.scaleOut;
  const rows: Array<[string, string, string]> = [
    [
      `PostgreSQL backfill ${k(sizes.small)} (${b.environments} env, ${b.latencyMs} ms/request, sync --once)`,
      `${b.wallS.toFixed(2)} s (fastest of ${b.wallSamplesS.join(', ')}), ${b.pages} pages, peak RSS ${b.peakRssMb} MB, exact (ids and chain verify): ${b.exact}`,
      '',
    ],
    ['measured network bound (fetch-only client, same pages and concurrency)', `${b.measuredNetworkS.toFixed(2)} s (fastest of ${b.fetchOnlySamplesS.join(', ')})`, ''],
    ['raw bound (the same rows, one COPY, one process)', `${b.copyS.toFixed(2)} s (fastest of ${b.copySamplesS.join(', ')})`, ''],
    ['**ratio to the measured bound** (wall / max of the two)', `**${b.ratioToMeasuredBound.toFixed(2)}** (bound by ${b.boundBy})`, `≤ 1.5: ${mark(b.ratioToMeasuredBound <= 1.5)}`],
    ['ratio to the computed bound', `${b.ratioToComputedBound.toFixed(2)} (computed network bound ${b.computedNetworkBoundS.toFixed(2)} s: ${b.concurrency} requests in flight)`, ''],
    [
      `scaling out: ${s.environments} env × ${s.eventsPerEnvironment.toLocaleString('en')} events, ${s.latencyMs} ms/request, ${s.jobsPerWorker} job per worker`,
      `1 worker ${s.oneWorkerS.toFixed(2)} s (of ${s.oneWorkerSamplesS.join(', ')}), ${s.workers} workers ${s.manyWorkersS.toFixed(2)} s (of ${s.manyWorkersSamplesS.join(', ')}): **${s.speedup.toFixed(2)}×**, exact: ${s.exact}`,
      `≥ 2.5×: ${mark(s.speedup >= 2.5 && s.exact)}`,
    ],
    ...(m === null
      ? []
      : [[
          `peak RSS of a worker on PostgreSQL, ${k(sizes.small)} / ${k(sizes.big)}`,
          `${m.workerPeakRssMb200k} / ${m.workerPeakRssMb1m} MB (×${m.growth.toFixed(2)}); backfills ${m.workerWallS200k.toFixed(1)} / ${m.workerWallS1m.toFixed(1)} s, exact: ${m.exact}`,
          `flat (≤ ×1.2): ${mark(m.growth <= 1.2 && m.exact)}`,
        ] as [string, string, string]]),
    ...r.queries.map((q): [string, string, string] => [
      `query at ${k(sizes.big)}: ${q.name}`,
      `${q.medianMs.toFixed(2)} ms median of ${q.runs}, ${q.rows} rows, seq scan of events: ${q.seqScanOfEvents}`,
      `< 50 ms, no seq scan: ${mark(q.medianMs < 50 && !q.seqScanOfEvents)}`,
    ]),
  ];
  const lines = ['| figure | measured | target |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
  return `${lines.join('\n')}\n`;
}
