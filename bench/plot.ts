/**
 * Two hand-written SVG charts of a run: events stored over time for our sync, our sync under
 * faults and the naive script (the slope is events/s; the dashed line is the bound), and the
 * sync's RSS over time on the main and the large account (flat means streaming).
 */
import type { BenchResult } from './results.js';
import type { Sample } from './timeline.js';

interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  yMax?: number;
}

const WIDTH = 860;
const HEIGHT = 330;
const MARGIN = { left: 78, right: 24, top: 40, bottom: 48 };

export function renderPlot(r: BenchResult): string {
  const small = r.sizes.small.toLocaleString('en');
  const big = r.sizes.big.toLocaleString('en');
  const bound = Math.max(r.backfill.networkBoundS, r.backfill.rawWriteS);
  const events = (samples: Sample[]): Array<[number, number]> => samples.map(([t, n]) => [t, n]);
  const rss = (samples: Sample[]): Array<[number, number]> => samples.map(([t, , mb]) => [t, mb]);
  const charts: Chart[] = [
    {
      title: `Backfill of ${small} events, ${r.backfill.latencyMs} ms per request: events stored over time (slope = events/s)`,
      xLabel: 'seconds',
      yLabel: 'events stored',
      series: [
        { label: `flatfile-audit ${r.backfill.wallS.toFixed(1)} s`, color: '#1f6feb', points: events(r.timelines.backfill) },
        { label: `under faults ${r.faults.wallS.toFixed(1)} s`, color: '#d97706', points: events(r.timelines.faults) },
        { label: `naive script ${r.naive.wallS.toFixed(1)} s`, color: '#9ca3af', points: events(r.timelines.naive) },
        { label: `bound ${bound.toFixed(1)} s`, color: '#111827', dashed: true, points: [[0, 0], [bound, r.backfill.events]] },
      ],
    },
    {
      title: 'Resident memory of the sync process (target: under 250 MB, flat as the history grows)',
      xLabel: 'seconds',
      yLabel: 'RSS (MB)',
      yMax: Math.max(260, r.memory.peakRssMb1m, r.memory.peakRssMb200k) * 1.05,
      series: [
        { label: `${small} events, peak ${r.memory.peakRssMb200k} MB`, color: '#1f6feb', points: rss(r.timelines.backfill) },
        { label: `${big} events, peak ${r.memory.peakRssMb1m} MB`, color: '#7c3aed', points: rss(r.timelines.backfill1m) },
        { label: '250 MB', color: '#dc2626', dashed: true, points: [[0, 250], [Math.max(lastX(r.timelines.backfill1m), lastX(r.timelines.backfill)), 250]] },
      ],
    },
  ];
  const body = charts.map((chart, i) => `<g transform="translate(0 ${i * HEIGHT})">${renderChart(chart)}</g>`).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT * charts.length}" viewBox="0 0 ${WIDTH} ${HEIGHT * charts.length}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
${body}
</svg>
`;
}

function renderChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xMax = niceCeil(Math.max(1e-9, ...all.map(([x]) => x)));
  const yMax = niceCeil(chart.yMax ?? Math.max(1e-9, ...all.map(([, y]) => y)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number): number => MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${MARGIN.left}" y="22" font-size="14" font-weight="600">${escape(chart.title)}</text>`);
  for (const x of ticks(xMax)) {
    parts.push(`<line x1="${sx(x)}" y1="${MARGIN.top}" x2="${sx(x)}" y2="${MARGIN.top + plotH}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${sx(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" fill="#374151">${label(x)}</text>`);
  }
  for (const y of ticks(yMax)) {
    parts.push(`<line x1="${MARGIN.left}" y1="${sy(y)}" x2="${MARGIN.left + plotW}" y2="${sy(y)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${sy(y) + 4}" text-anchor="end" fill="#374151">${label(y)}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle" fill="#374151">${escape(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#374151">${escape(chart.yLabel)}</text>`);
  const dash = (series: Series): string => (series.dashed ? ' stroke-dasharray="6 4"' : '');
  for (const series of chart.series) {
    const points = series.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(Math.min(y, yMax)).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${series.color}" stroke-width="2"${dash(series)}/>`);
  }
  // The legend sits bottom right, on a white box, where the curves (rising from the left) leave room.
  const legendW = 250;
  const legendH = chart.series.length * 18 + 8;
  const lx = MARGIN.left + plotW - legendW - 8;
  const top = MARGIN.top + plotH - legendH - 8;
  parts.push(`<rect x="${lx}" y="${top}" width="${legendW}" height="${legendH}" fill="#ffffff" fill-opacity="0.9" stroke="#d1d5db"/>`);
  chart.series.forEach((series, i) => {
    const ly = top + 18 + i * 18;
    parts.push(`<line x1="${lx + 8}" y1="${ly - 4}" x2="${lx + 30}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2"${dash(series)}/>`);
    parts.push(`<text x="${lx + 36}" y="${ly}" fill="#111827">${escape(series.label)}</text>`);
  });
  return parts.join('\n');
}

function lastX(samples: Sample[]): number {
  return samples.at(-1)?.[0] ?? 0;
}

/** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n) at or above `value`. */
function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= value * (1 - 1e-9)) return step * power;
  return 10 * power;
}

/** Grid lines at a 1, 2 or 5 × 10^n step, five to ten of them. */
function ticks(max: number): number[] {
  const power = 10 ** Math.floor(Math.log10(max / 5));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => max / s <= 10) ?? 10 * power;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 1000; v += step) out.push(v);
  return out;
}

function label(value: number): string {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(2)}M`;
  if (value >= 1000) return `${+(value / 1000).toFixed(1)}k`;
  return String(+value.toFixed(2));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
