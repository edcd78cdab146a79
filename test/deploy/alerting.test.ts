/**
 * deploy/prometheus/alerts.yml and deploy/grafana/flatfile-audit.json name only metrics a real
 * worker exports: a worker process with its ops port syncs the simulator once, /metrics is
 * scraped, and every name in every expression must be in it. promtool checks the rule file as
 * Prometheus would load it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loggedOpsUrl, scrape } from '../helpers/ops.js';
import { exportedNames, metricNames } from '../helpers/promql.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { simulator } from '../helpers/simulator.js';
import { tempDbPath } from '../helpers/temp.js';
import { testQueue, triggerAccountSync, workerEnv, workerProcess } from '../helpers/worker.js';

const RULES_FILE = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url));
const DASHBOARD_FILE = fileURLToPath(new URL('../../deploy/grafana/flatfile-audit.json', import.meta.url));

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

const rules = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; definition?: string }> };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

/** Where each metric name is used: every alert's expression, every panel's query, every dashboard variable. */
function namedMetrics(): Array<{ where: string; names: string[] }> {
  const uses = [
    ...rules.map((r) => ({ where: `alert ${r.alert}`, names: metricNames(r.expr) })),
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, names: metricNames(t.expr) }))),
    ...dashboard.templating.list
      .filter((v) => v.type === 'query')
      .map((v) => ({ where: `variable ${v.name}`, names: [/^label_values\((\w+),\s*\w+\)$/.exec(v.definition ?? '')?.[1] ?? `unreadable: ${v.definition}`] })),
  ];
  return uses;
}

describe('every metric the alert rules and the dashboard name', () => {
  it('is exported on /metrics by a real worker after a sync', async () => {
    const uses = namedMetrics();
    expect(uses.length).toBeGreaterThan(rules.length + 10);
    for (const use of uses) expect(use.names.length, use.where).toBeGreaterThan(0);

    const { url } = await simulator({ account: { environments: 2, eventsPerEnvironment: 30 } });
    const prefix = uniquePrefix();
    const worker = await workerProcess(workerEnv({ apiUrl: url, dbPath: tempDbPath(), redisUrl: SHARED_REDIS_URL, prefix, extra: { AUDIT_HTTP_PORT: '0' } }));
    const { queue, events } = await testQueue(SHARED_REDIS_URL, prefix);
    await triggerAccountSync(queue, events);
    const exported = exportedNames(await scrape(loggedOpsUrl(worker.logs())!));

    const missing = uses.flatMap((use) => use.names.filter((name) => !exported.has(name)).map((name) => `${use.where}: ${name}`));
    expect(missing).toEqual([]);
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  it('has the eight alerts, each with a severity and a summary', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'FlatfileAuditEnvironmentFailing',
      'FlatfileAuditEnvironmentStale',
      'FlatfileAuditFailedJobsGrowing',
      'FlatfileAuditForwardLagging',
      'FlatfileAuditNoWorker',
      'FlatfileAuditScheduleMissing',
      'FlatfileAuditTokenRejected',
      'FlatfileAuditTokenRotationFailed',
      'FlatfileAuditVisibilityLagNearLookback',
    ]);
    for (const rule of rules) {
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toMatch(/^flatfile-audit: /);
    }
  });

  it('passes promtool check rules', () => {
    const result = spawnSync('promtool', ['check', 'rules', RULES_FILE], { encoding: 'utf8' });
    expect(result.error, 'promtool is installed by .ci/run (Debian package prometheus)').toBeUndefined();
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

describe('deploy/grafana/flatfile-audit.json', () => {
  it('has panels for ingestion per environment, lag, API statuses and 429s, queue depth and sync durations', () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    for (const metric of [
      'flatfile_audit_events_ingested_total',
      'flatfile_audit_cursor_lag_seconds',
      'flatfile_audit_api_requests_total',
      'flatfile_audit_api_rate_limited_total',
      'flatfile_audit_queue_jobs',
      'flatfile_audit_sync_duration_seconds_bucket',
    ]) {
      expect(exprs).toContain(metric);
    }
    expect(exprs).toMatch(/sum by \(environment\) \(rate\(flatfile_audit_events_ingested_total/);
    expect(exprs).toMatch(/sum by \(status\) \(rate\(flatfile_audit_api_requests_total/);
  });

  it('is a dashboard Grafana imports: unique panel ids, every panel on the grid, one datasource variable', () => {
    const ids = panels.map((p) => (p as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) expect((panel as unknown as { gridPos: { w: number; h: number } }).gridPos.w).toBeGreaterThan(0);
    expect(dashboard.templating.list.filter((v) => v.type === 'datasource')).toHaveLength(1);
  });
});

describe('metricNames', () => {
  it('reads metric names, not functions, labels, ranges or variables', () => {
    expect(metricNames('time() - max by (environment) (a_seconds{environment=~"$environment"}) > 3600')).toEqual(['a_seconds']);
    expect(metricNames('histogram_quantile(0.95, sum by (le, kind) (rate(b_bucket[$__rate_interval])))')).toEqual(['b_bucket']);
    expect(metricNames('count(c == 1) or vector(0)')).toEqual(['c']);
    expect(() => metricNames('sumx(d)')).toThrow(/unknown PromQL function sumx/);
  });
});
