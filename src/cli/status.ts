/** `flatfile-audit status`: per environment, where its cursor stands, when it last synced, what failed. */
import type { TokenHygieneConfig } from '../config.js';
import { formatDuration, lookbackSetting } from '../duration.js';
import type { TrailBacklog } from '../store/audit-reader.js';
import type { ForwardState, StatusOptions, StoreStatus } from '../store/audit-store.js';
import { openReader, type StoreSettings } from '../store/open-store.js';
import { hygieneCutoffs, readTokenHygiene, type FlaggedToken } from '../token-hygiene.js';
import { formatTable } from '../output/format.js';
import { escapeControl } from '../output/safe-text.js';
import { formatSeconds, lagWarningText, lagWarns } from '../lag-warning.js';

/** A forwarder (AUDIT_FORWARD_URL) and what is stored after its position. */
export type ForwarderStatus = ForwardState & { behind: TrailBacklog };

export type FullStatus = StoreStatus & { forwarders: ForwarderStatus[] };

export async function readStatus(settings: StoreSettings, options: StatusOptions): Promise<FullStatus> {
  const reader = await openReader(settings);
  try {
    const status = await reader.status(options);
    const forwarders: ForwarderStatus[] = [];
    for (const state of await reader.forwardStates()) forwarders.push({ ...state, behind: await reader.trailBacklog(state.position) });
    return { ...status, forwarders };
  } finally {
    await reader.close();
  }
}

/** The Personal Access Tokens the inventory flags (token-hygiene.ts), as of `now`. */
export async function readTokenFlags(settings: StoreSettings, tokens: TokenHygieneConfig, now = new Date()): Promise<FlaggedToken[]> {
  const reader = await openReader(settings);
  try {
    return await readTokenHygiene(reader, hygieneCutoffs(now, tokens));
  } finally {
    await reader.close();
  }
}

const FLAG_TEXT = { unused: 'unused for longer than AUDIT_PAT_STALE_AFTER', 'never-used': 'never used, made over 7 days ago', 'too-old': 'older than AUDIT_PAT_MAX_AGE: rotate it' };

/** One warning line per flagged token; nothing when none is. */
export function formatTokenFlags(tokens: readonly FlaggedToken[]): string {
  return tokens
    // Each line escaped on its own, then ended: an escaped newline would print as the two characters \n.
    .map((t) => `${escapeControl(`token: ${t.id} (${t.name ?? 'no name'}, created ${t.createdAt ?? '?'}, last used ${t.lastUsedAt ?? 'never'}): ${t.flags.map((f) => FLAG_TEXT[f]).join('; ')}`)}\n`)
    .join('');
}

/** p50 and p99 per environment, then per topic, and a warning line per environment whose p99 nears `lookbackMs` (lag-warning.ts). */
export function formatVisibilityLag(status: Pick<StoreStatus, 'environments' | 'visibilityLag'>, lookbackMs: number): string[] {
  if (status.visibilityLag.length === 0) return ['visibility lag (last 24h): no event first read by an incremental listing'];
  const names = new Map(status.environments.map((e) => [e.environmentId, e.name]));
  const figures = (l: StoreStatus['visibilityLag'][number]) => `p50 ${formatSeconds(l.p50Ms)}, p99 ${formatSeconds(l.p99Ms)} over ${l.events} event(s)`;
  return [
    'visibility lag (last 24h; events first read by an incremental listing, read time minus createdAt):',
    ...status.visibilityLag.map((l) =>
      escapeControl(l.topic === null ? `  ${names.get(l.environmentId) ?? '(unknown)'} (${l.environmentId}): ${figures(l)}` : `    ${l.topic}: ${figures(l)}`),
    ),
    ...status.visibilityLag.filter((l) => l.topic === null && lagWarns(l.p99Ms, lookbackMs)).map((l) => escapeControl(lagWarningText(l.environmentId, l.p99Ms, lookbackMs))),
  ];
}

export function formatStatus(status: FullStatus, lookbackMs: number): string {
  const rows = status.environments.map((e) => ({
    environment: e.name ?? '(unknown)',
    id: e.environmentId,
    events: e.events,
    cursor: e.highWater ?? '',
    'last success': e.lastSuccessAt ?? 'never',
    state: e.removedAt ? `removed ${e.removedAt}` : e.listingInProgress ? 'listing interrupted, resumes next run' : 'idle',
    'last error': e.lastError ? `${e.lastErrorAt ?? ''} ${e.lastError}` : '',
  }));
  const run = status.lastRun;
  const t = status.totals;
  return [
    formatTable(rows).trimEnd(),
    run
      ? // The table escapes its own cells; this line carries stored text (the run's error) too.
        escapeControl(`last run ${run.id} (${run.scope}): ${run.status}, started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}, ${run.newEvents} new events${run.error ? `, error: ${run.error}` : ''}`)
      : 'no sync has run yet',
    `stored: ${t.events} events, ${t.rejected} rejected events, ${t.users} users, ${t.guests} guests, ${t.spaces} spaces, ${t.agents} agents`,
    ...formatVisibilityLag(status, lookbackMs),
    ...status.forwarders.map((f) =>
      escapeControl(
        `forwarding to ${f.destination}: at position ${f.position}, ${f.forwarded} forwarded, ${f.behind.events} event(s) behind` +
          `${f.behind.oldestIngestedAt ? ` (oldest stored ${f.behind.oldestIngestedAt})` : ''}${f.lastError ? `; last error ${f.lastErrorAt ?? ''} ${f.lastError}` : ''}`,
      ),
    ),
    ...status.reconcile.map((d) =>
      escapeControl(
        `last reconcile of ${d.environmentId}: completed ${d.completedAt}, ${d.since} to ${d.until}, ${d.served} events listed, ${d.lateEvents} late` +
          (d.lateEvents > 0 ? ` (up to ${formatDuration(d.maxLateMs!)} late; AUDIT_LOOKBACK=${lookbackSetting(d.neededLookbackMs!)} would have caught them)` : ''),
      ),
    ),
    ...status.futureDated.map(
      (f) => escapeControl(`warning: ${f.count} event(s) of ${f.environmentId} dated in the future, newest ${f.newestCreatedAt}: stored, but kept out of the cursor (AUDIT_MAX_CLOCK_SKEW); check the API's clock`),
    ),
    '',
  ].join('\n');
}
