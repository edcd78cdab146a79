/** Reading a worker's ops port in tests: its URL from the logs, /healthz as JSON, /metrics values. */
import type { HealthReport } from '../../src/ops/health.js';

/** The ops URL a worker process logged at start (AUDIT_HTTP_PORT=0 picks a free port). */
export function loggedOpsUrl(logs: string): string | undefined {
  for (const line of logs.split('\n')) {
    if (!line.includes('ops HTTP server listening')) continue;
    const url = (JSON.parse(line) as { url?: string }).url;
    if (url) return url;
  }
  return undefined;
}

export async function health(base: string): Promise<{ status: number; body: HealthReport }> {
  const response = await fetch(`${base}/healthz`);
  return { status: response.status, body: (await response.json()) as HealthReport };
}

export async function scrape(base: string): Promise<string> {
  const response = await fetch(`${base}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/** The value of one series in Prometheus text, e.g. metricValue(text, 'x_total', { environment: 'us_env_1' }); undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`).join(',');
  const series = wanted ? `${name}{${wanted}}` : name;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
