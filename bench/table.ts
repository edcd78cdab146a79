/** The figures of a run as a Markdown table (printed, and pasted into BENCHMARKS.md), with the targets beside them. */
import type { BenchResult } from './results.js';

const k = (n: number): string => (n >= 1_000_000 ? `${round(n / 1_000_000)}M` : n >= 1000 ? `${round(n / 1000)}k` : String(n));
const round = (n: number): string => String(Math.round(n * 10) / 10);
export function formatTable(r: BenchResult): string {
  // Targets are set for the reference sizes; a --quick run is too small to judge them.
  const mark = (ok: boolean): string => (r.settings.quick ? 'n/a in --quick' : ok ? 'met' : '**missed**');
  const b = r.backfill;
  const small = k(r.sizes.small);
  const big = k(r.sizes.big);
  const rows: Array<[string, string, string]> = [
    [`backfill ${small} (${b.environments} env, ${b.latencyMs} ms/request, cap ${r.settings.pageSizeCap})`, `${b.wallS.toFixed(2)} s (fastest of ${b.wallSamplesS.join(', ')}), ${b.eventsPerS.toLocaleString('en')} events/s, ${b.pages} pages, exact: ${b.exact}`, ''],
    ['network bound', `${b.networkBoundS.toFixed(2)} s (${b.concurrency} requests in flight = ${b.concurrency / r.settings.requestsPerListing} environments at once × ${r.settings.requestsPerListing} request each)`, ''],
    ['disk bound (raw better-sqlite3 loop, 1000-row transactions)', `${b.rawWriteS.toFixed(2)} s (fastest of ${b.rawWriteSamplesS.join(', ')})`, ''],
    ['ratio to bound (wall / max of the two)', `${b.ratioToBound.toFixed(2)} (bound by ${b.boundBy})`, `≤ 1.3: ${mark(b.ratioToBound <= 1.3)}`],
    ...(b.measuredNetworkS === undefined || b.ratioToMeasuredBound === undefined
      ? []
      : [
          ['measured network bound (fetch-only client, same pages and concurrency)', `${b.measuredNetworkS.toFixed(2)} s (fastest of ${(b.fetchOnlySamplesS ?? []).join(', ')})`, ''] as [string, string, string],
          ['ratio to measured bound (wall / max of measured network and disk)', b.ratioToMeasuredBound.toFixed(2), `≤ 1.3: ${mark(b.ratioToMeasuredBound <= 1.3)}`] as [string, string, string],
        ]),
    [`naive baseline ${small}`, `${r.naive.wallS.toFixed(2)} s (fastest of ${r.naive.wallSamplesS.join(', ')}), ${r.naive.eventsPerS.toLocaleString('en')} events/s, exact: ${r.naive.exact}`, ''],
    ['speed-up vs naive', `${r.speedupVsNaive.toFixed(1)}×`, `≥ 5×: ${mark(r.speedupVsNaive >= 5)}`],
    ['write path: our store vs raw loop, no network', `${r.writePath.storeEventsPerS.toLocaleString('en')} vs ${r.writePath.rawEventsPerS.toLocaleString('en')} events/s = ${r.writePath.ratio.toFixed(2)} (fastest of store runs ${r.writePath.storeS.join(', ')} s and raw runs ${r.writePath.rawS.join(', ')} s, alternating)`, `≥ 0.7: ${mark(r.writePath.ratio >= 0.7)}`],
    ['bytes stored per event', `${r.writePath.storage.bytesPerEvent} (table ${r.writePath.storage.tableBytesPerEvent}, of which raw JSON ${r.writePath.storage.rawJsonBytesPerEvent}; indexes ${r.writePath.storage.indexBytesPerEvent})`, ''],
    [`peak RSS of the sync, ${small} / ${big}`, `${r.memory.peakRssMb200k} / ${r.memory.peakRssMb1m} MB (×${r.memory.growth.toFixed(2)})`, `< 250 MB, ≤ ×1.2: ${mark(Math.max(r.memory.peakRssMb200k, r.memory.peakRssMb1m) < 250 && r.memory.growth <= 1.2)}`],
    [`backfill ${big}`, `${r.backfill1m.wallS.toFixed(1)} s, ${r.backfill1m.eventsPerS.toLocaleString('en')} events/s, network bound ${r.backfill1m.networkBoundS.toFixed(1)} s, exact: ${r.backfill1m.exact}`, ''],
    [`incremental, ${r.incremental.newEvents} new events, on ${small} / ${big}`, `${r.incremental.requests200k} / ${r.incremental.requests1m} requests (events: ${r.incremental.eventsRequests200k} / ${r.incremental.eventsRequests1m}), ${r.incremental.wallS200k.toFixed(2)} / ${r.incremental.wallS1m.toFixed(2)} s, exact: ${r.incremental.exact}`, `not growing with history: ${mark(r.incremental.requests1m <= r.incremental.requests200k * 1.2 + 2)}`],
    ...r.queries.map((q): [string, string, string] => [
      `query at ${big}: ${q.name}`,
      `${q.medianMs.toFixed(2)} ms median of ${q.runs}, ${q.rows} rows, full scan: ${q.fullScan}`,
      `< 50 ms, no scan: ${mark(q.medianMs < 50 && !q.fullScan)}`,
    ]),
    [
      `faults: ${r.faults.rate429 * 100}% 429 (Retry-After ${r.faults.retryAfterS} s), ${r.faults.rate5xx * 100}% 5xx`,
      `${r.faults.wallS.toFixed(2)} s vs ${r.faults.cleanWallS.toFixed(2)} s clean (×${r.faults.slowdown.toFixed(2)}), ${r.faults.rateLimited} waits on 429, ${r.faults.retries} retries, exact: ${r.faults.exact}`,
      '',
    ],
  ];
  const lines = ['| figure | measured | target |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
  return `${lines.join('\n')}\n`;
}
