/**
 * Everything of one environment: its spaces (archived ones too), the guests reached through
 * them, its agents, and its events. Each part is tried on its own, so a failing inventory listing
 * does not hold back the audit events; failures scoped to this environment are collected, the
 * rest are thrown to stop the run.
 */
import { listAgents } from '../flatfile/agents.js';
import { listGuests } from '../flatfile/guests.js';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import type { Listing } from '../flatfile/inventory-result.js';
import { listSpaces } from '../flatfile/spaces.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EnvironmentRecord } from '../records.js';
import type { CheckpointWriter } from '../checkpoint/checkpoint-writer.js';
import type { AuditStore, InventoryKind, InventoryRecords } from '../store/audit-store.js';
import type { BatchWriter } from './batch-writer.js';
import { isEnvironmentScoped } from './errors.js';
import { listingKind, planListing } from './plan-listing.js';
import type { SyncOptions } from './sync-options.js';
import { syncEvents } from './sync-events.js';
import { catchUpEvents } from './catch-up-listing.js';

export interface EnvironmentDeps {
  http: FlatfileHttp;
  store: AuditStore;
  writer: BatchWriter;
  log: Logger;
  clock: () => Date;
  signal: AbortSignal;
  onPage?: (environmentId: string, pagesDone: number) => void;
  /** Appends a checkpoint after the environment is synced (AUDIT_CHECKPOINT_FILE). */
  checkpoints?: Pick<CheckpointWriter, 'append'> | undefined;
}

export interface EnvironmentReport {
  environmentId: string;
  name: string;
  status: 'ok' | 'failed';
  newEvents: number;
  pages: number;
  rejected: number;
  /** Events dated beyond the server's clock plus AUDIT_MAX_CLOCK_SKEW: stored, flagged, kept out of the cursor. */
  futureDated: number;
  resumedAtPage: number;
  spaces: number;
  guests: number;
  agents: number;
  durationMs: number;
  errors: string[];
  /** With `sync --since`: the catch-up listing before the incremental one (catch-up-listing.ts). */
  catchUp?: { since: string; pages: number; served: number; newEvents: number };
}

/** What an operator asked of this one environment beyond its usual sync. */
export interface EnvironmentRequest {
  /** List the events from here too, storing only the missing ones, before the incremental listing. */
  catchUpSince?: string | undefined;
}

export async function syncEnvironment(deps: EnvironmentDeps, environment: Pick<EnvironmentRecord, 'id' | 'name'>, options: SyncOptions, request: EnvironmentRequest = {}): Promise<EnvironmentReport> {
  const { http, store, log, signal } = deps;
  const started = Date.now();
  const report: EnvironmentReport = {
    environmentId: environment.id, name: environment.name, status: 'ok', newEvents: 0, pages: 0, rejected: 0, futureDated: 0,
    resumedAtPage: 1, spaces: 0, guests: 0, agents: 0, durationMs: 0, errors: [],
  };
  const attempt = async (part: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      if (!isEnvironmentScoped(error)) throw error;
      report.errors.push(`${part}: ${describeError(error)}`);
      log.error({ err: error, part }, 'environment sync step failed');
    }
  };
  const saveInventory = async <K extends InventoryKind>(kind: K, listing: Listing<InventoryRecords[K]>): Promise<void> => {
    for (const item of listing.invalid) log.warn({ kind, reason: item.reason }, 'skipped an inventory item the API sent without required fields');
    await store.writeInventory({ kind, scope: environment.id, records: listing.records, seenAt: deps.clock().toISOString() });
  };

  await attempt('events', async () => {
    const listingDeps = {
      ...deps,
      maxClockSkewMs: options.maxClockSkewMs,
      onPage: (n: number) => deps.onPage?.(environment.id, report.pages + n),
      onRestart: (reason: string) => log.warn({ reason }, 'events listing restarted'),
    };
    if (request.catchUpSince !== undefined) {
      const before = deps.writer.insertedFor(environment.id);
      log.info({ since: request.catchUpSince }, 'catch-up listing: storing the events from this time on that are missing');
      const caught = await catchUpEvents(listingDeps, environment.id, request.catchUpSince, options.pageSize);
      report.pages += caught.pages;
      report.rejected += caught.rejected;
      report.catchUp = { since: request.catchUpSince, pages: caught.pages, served: caught.served, newEvents: deps.writer.insertedFor(environment.id) - before };
      log.info(report.catchUp, 'catch-up listing done');
    }
    const cursor = await store.readCursor(environment.id);
    const start = planListing(cursor, { ...options, now: deps.clock() });
    report.resumedAtPage = start.nextPage;
    if (start.nextPage > 1) log.info({ since: start.since, page: start.nextPage }, 'resuming an interrupted events listing');
    // A resumed listing cannot see events that arrived in front of its page while it was stopped
    // (newest-first listings put them there): follow it with a fresh one from the new high-water mark.
    const listings = start.nextPage > 1 ? 2 : 1;
    for (let i = 0; i < listings; i += 1) {
      const current = i === 0 ? cursor : await store.readCursor(environment.id);
      const plan = i === 0 ? start : planListing(current, { ...options, now: deps.clock() });
      const result = await syncEvents(listingDeps, environment.id, plan, 'track', listingKind(current, plan, { ...options, now: deps.clock() }));
      report.pages += result.pages;
      report.rejected += result.rejected;
      report.futureDated += result.futureDated.length;
      if (result.futureDated.length > 0) {
        log.warn(
          { futureDated: result.futureDated.length, examples: result.futureDated.slice(0, 5), maxClockSkewMs: options.maxClockSkewMs },
          `stored ${result.futureDated.length} event(s) dated beyond the API server's clock plus AUDIT_MAX_CLOCK_SKEW; they do not move the cursor`,
        );
      }
    }
  });
  await attempt('spaces and guests', async () => {
    const spaces = await listSpaces(http, environment.id, options.pageSize, signal);
    await saveInventory('spaces', spaces);
    report.spaces = spaces.records.length;
    const guests = await listGuests(http, environment.id, spaces.records.map((s) => s.id), options.guestConcurrency, signal);
    await saveInventory('guests', guests);
    report.guests = guests.records.length;
  });
  await attempt('agents', async () => {
    const agents = await listAgents(http, environment.id, options.pageSize, signal);
    await saveInventory('agents', agents);
    report.agents = agents.records.length;
  });

  report.newEvents = deps.writer.insertedFor(environment.id);
  // Logged so that the tamper-evidence chain is anchored outside the database (see RELIABILITY.md).
  const head = await store.chainHead(environment.id);
  if (head) log.info({ chainSeq: head.seq, chainHead: head.hash }, 'audit chain head');
  if (deps.checkpoints) {
    // The data is stored either way; a checkpoint that could not be written fails the environment so that it is retried and seen.
    try {
      await deps.checkpoints.append('sync');
    } catch (error) {
      report.errors.push(`checkpoint: ${describeError(error)}`);
      log.error({ err: error }, 'could not write the audit checkpoint');
    }
  }
  report.durationMs = Date.now() - started;
  if (report.errors.length > 0) {
    report.status = 'failed';
    await store.recordEnvironmentError(environment.id, report.errors.join('; '), deps.clock().toISOString());
  }
  return report;
}
