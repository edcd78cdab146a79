/**
 * `flatfile-audit status --check [--max-age 30m]`, for cron, Nagios or a Kubernetes probe: exit 0
 * when every environment synced within max-age, 1 when any is stale or failing or its visibility
 * lag warns (lag-warning.ts: events are about to outrun AUDIT_LOOKBACK), 3 when Flatfile rejects
 * the token; one line per problem on stdout, or one "ok" line. It reads the database
 * (read-only) and asks the API about the token (token-probe.ts), never Redis, so it answers the
 * same wherever the database is: beside a worker, after `sync --once` from cron, or with Redis down.
 */
import type { Config } from '../config.js';
import { parseDuration } from '../duration.js';
import { ConfigError } from '../errors.js';
import { probeToken, type TokenProbe } from '../flatfile/token-probe.js';
import { createLogger } from '../log.js';
import type { EnvironmentStatus, StoreStatus } from '../store/audit-store.js';
import { EXIT, type CliContext } from './context.js';
import { escapeControl } from '../output/safe-text.js';
import { lagProblemText, lagWarns } from '../lag-warning.js';

export interface CheckInput {
  status: StoreStatus;
  token: TokenProbe;
  maxAgeMs: number;
  /** AUDIT_LOOKBACK: a visibility lag near it fails the check (lag-warning.ts). */
  lookbackMs: number;
  now: number;
}

export interface CheckResult {
  exitCode: typeof EXIT.ok | typeof EXIT.failed | typeof EXIT.tokenRejected;
  /** One per problem; a single "ok: …" line when there is none. */
  lines: string[];
}

/** --max-age, or AUDIT_STALE_AFTER (the bound /healthz uses) when it is not given. */
export function parseMaxAge(text: string | undefined, config: Config): number {
  if (text === undefined) return config.worker.staleAfterMs;
  const ms = parseDuration(text);
  if (!ms) throw new ConfigError(`--max-age must be a duration like 30m or 2h, got "${text}"`);
  return ms;
}

export function assessStatus({ status, token, maxAgeMs, lookbackMs, now }: CheckInput): CheckResult {
  const problems: string[] = [];
  if (token.kind === 'rejected') problems.push(`token rejected: ${token.message}`);
  if (token.kind === 'failed') problems.push(`api: could not ask Flatfile whether the token is accepted: ${token.message}`);
  // Removed environments are history: nothing syncs them any more, and nothing should.
  const current = status.environments.filter((e) => e.removedAt === null);
  if (current.length === 0) problems.push('stale: no environment has been synced yet');
  for (const environment of current) {
    const label = describe(environment);
    const success = environment.lastSuccessAt === null ? NaN : Date.parse(environment.lastSuccessAt);
    if (Number.isNaN(success)) {
      problems.push(`stale: environment ${label} has never synced successfully`);
    } else if (now - success > maxAgeMs) {
      problems.push(`stale: environment ${label}: last successful sync ${age(now - success)} ago, at ${environment.lastSuccessAt} (max age ${age(maxAgeMs)})`);
    }
    if (environment.lastError !== null) {
      problems.push(`failing: environment ${label}: its last sync failed${environment.lastErrorAt ? ` at ${environment.lastErrorAt}` : ''}: ${environment.lastError}`);
    }
    // Fresh and error-free, an environment can still be losing events: those seen later than the lookback.
    const lag = status.visibilityLag.find((l) => l.environmentId === environment.environmentId && l.topic === null);
    if (lag && lagWarns(lag.p99Ms, lookbackMs)) problems.push(`lagging: ${lagProblemText(label, lag.p99Ms, lookbackMs)}`);
  }
  // A run that failed as a whole (the environment listing, a rejected token, the store) leaves the
  // environments' own records as they were: until they go stale, only the run says so.
  const run = status.lastRun;
  if (run?.status === 'failed') problems.push(`failing: the last run (${run.id}, ${run.scope}) failed${run.finishedAt ? ` at ${run.finishedAt}` : ''}${run.error ? `: ${run.error}` : ''}`);

  const lines = problems.map(escapeControl);
  if (lines.length > 0) return { exitCode: token.kind === 'rejected' ? EXIT.tokenRejected : EXIT.failed, lines };
  const tokenNote = token.kind === 'rate-limited' ? 'the token not checked (the API is rate limiting)' : 'the token accepted';
  return { exitCode: EXIT.ok, lines: [`ok: ${current.length} environment(s) synced within ${age(maxAgeMs)}, ${tokenNote}`] };
}

/** Prints the check of `status` (the store's report, read by the caller) and the token's answer; returns the exit code. */
export async function runStatusCheck(ctx: CliContext, config: Config, status: StoreStatus, maxAgeMs: number): Promise<number> {
  const now = Date.now();
  // Its answer is the exit code and its lines; logs only when asked for with LOG_LEVEL.
  const log = createLogger({ level: ctx.env.LOG_LEVEL ? config.logLevel : 'silent' });
  const result = assessStatus({ status, token: await probeToken(config, log), maxAgeMs, lookbackMs: config.lookbackMs, now });
  ctx.stdout.write(result.lines.map((line) => `${line}\n`).join(''));
  return result.exitCode;
}

function describe(environment: EnvironmentStatus): string {
  return environment.name === null ? environment.environmentId : `"${environment.name}" (${environment.environmentId})`;
}

/** "2h 5m", "30m", "45s": the largest unit and the next one, unless that is zero. */
function age(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
    else if (parts.length > 0) break;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
