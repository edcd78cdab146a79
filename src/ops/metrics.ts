/**
 * Prometheus metrics of one worker process. Counters are fed by the jobs and the HTTP client's
 * observer; cursor lag and queue depth are read when /metrics is scraped, so they are never stale.
 * The alerting gauges (last success and failing per environment) are set after each environment
 * sync and read again at every scrape from the store's read-only view, so they are right after a
 * restart too.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpObserver } from '../flatfile/http-client.js';
import type { AuditStore, ReconcileDrift } from '../store/audit-store.js';
import type { EnvironmentSyncState, SyncStateReader } from '../store/sync-state.js';
import { TOKEN_FLAGS, type TokenFlag } from '../token-hygiene.js';
import { lagWarns } from '../lag-warning.js';
import { lagWindowStart, type VisibilityLag } from '../store/visibility-lag.js';

/** How many Personal Access Tokens carry each hygiene flag now (token-hygiene.ts). */
export type TokenFlagCounts = () => Promise<Record<TokenFlag, number>>;

export interface QueueCounts {
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

/** What the forward lag gauges read at each scrape: per destination, the events after its position. */
export interface ForwardLag {
  destination: string;
  events: number;
  oldestIngestedAt: string | null;
}

export class AuditMetrics {
  readonly registry = new Registry();
  readonly eventsIngested: Counter<'environment'>;
  readonly futureDatedEvents: Counter<'environment'>;
  readonly syncDuration: Histogram<'kind' | 'outcome'>;
  readonly apiRequests: Counter<'route' | 'status'>;
  readonly apiRetries: Counter<'route'>;
  readonly apiRateLimited: Counter<'route'>;
  readonly lastSuccess: Gauge<'environment'>;
  readonly environmentFailing: Gauge<'environment'>;
  /** 1 while the last run ended with the token rejected; the next successful job clears it. */
  readonly tokenRejected: Gauge;
  readonly scheduleMissing: Counter;
  /** The scheduled token rotation (AUDIT_PAT_ROTATE_EVERY): 1 while its last check failed. */
  readonly tokenRotationFailing: Gauge;
  /** Unix time of the last scheduled rotation that replaced the token (absent before the first). */
  readonly tokenRotatedAt: Gauge;
  readonly tokenRotationChecks: Counter<'outcome'>;
  readonly forwardedEvents: Counter<'destination'>;
  readonly forwardFailures: Counter<'destination' | 'reason'>;
  /** Set by each reconcile (jobs/reconcile.ts): its late events and when it completed, per environment. */
  readonly reconcileLateEvents: Gauge<'environment'>;
  readonly reconcileLast: Gauge<'environment'>;
  /** Set by the worker when forwarding is on: the lag gauges read it at each scrape. */
  private readForwardLag: (() => Promise<ForwardLag[]>) | undefined;
  /** AUDIT_LOOKBACK, set by the worker: the visibility lag warning gauge compares with it. */
  private lookbackMs: number | undefined;

  constructor(store: AuditStore, queue: QueueCounts, syncState: SyncStateReader, clock: () => number = Date.now, tokenFlags?: TokenFlagCounts) {
    const registers = [this.registry];
    let reading: Promise<void> = Promise.resolve();
    const readStates = async (): Promise<void> => {
      let states: EnvironmentSyncState[];
      try {
        states = await syncState.environments();
      } catch {
        return; // keep the values set after the last sync; /healthz names the database trouble
      }
      this.lastSuccess.reset();
      this.environmentFailing.reset();
      this.observeEnvironments(states);
    };
    collectDefaultMetrics({ register: this.registry, prefix: 'flatfile_audit_process_' });
    if (tokenFlags) {
      new Gauge({
        name: 'flatfile_audit_pat_flagged',
        help: 'Personal Access Tokens per hygiene flag: unused (AUDIT_PAT_STALE_AFTER), never-used (7 days), too-old (AUDIT_PAT_MAX_AGE)',
        labelNames: ['flag'],
        registers,
        async collect() {
          let counts: Record<TokenFlag, number>;
          try {
            counts = await tokenFlags();
          } catch {
            return; // keep the last values; /healthz names the database trouble
          }
          for (const flag of TOKEN_FLAGS) this.set({ flag }, counts[flag]);
        },
      });
    }
    this.eventsIngested = new Counter({ name: 'flatfile_audit_events_ingested_total', help: 'Events newly stored, per environment', labelNames: ['environment'], registers });
    this.futureDatedEvents = new Counter({
      name: 'flatfile_audit_future_dated_events_total',
      help: "Events read that were dated beyond the API server's clock plus AUDIT_MAX_CLOCK_SKEW (stored, kept out of the cursor), per environment",
      labelNames: ['environment'],
      registers,
    });
    this.syncDuration = new Histogram({
      name: 'flatfile_audit_sync_duration_seconds',
      help: 'Duration of sync jobs',
      labelNames: ['kind', 'outcome'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.apiRequests = new Counter({ name: 'flatfile_audit_api_requests_total', help: 'Flatfile API answers by route and status', labelNames: ['route', 'status'], registers });
    this.apiRetries = new Counter({ name: 'flatfile_audit_api_retries_total', help: 'Retried Flatfile API requests', labelNames: ['route'], registers });
    this.apiRateLimited = new Counter({ name: 'flatfile_audit_api_rate_limited_total', help: 'HTTP 429 answers from the Flatfile API', labelNames: ['route'], registers });
    this.tokenRejected = new Gauge({ name: 'flatfile_audit_token_rejected', help: '1 while the Flatfile token is rejected (the last run failed with 401/403), else 0', registers });
    this.tokenRejected.set(0);
    this.tokenRotationFailing = new Gauge({ name: 'flatfile_audit_token_rotation_failing', help: '1 while the last scheduled token rotation check (AUDIT_PAT_ROTATE_EVERY) failed, else 0', registers });
    this.tokenRotationFailing.set(0);
    this.tokenRotatedAt = new Gauge({ name: 'flatfile_audit_token_rotation_last_timestamp_seconds', help: 'When the scheduled rotation last replaced the token (Unix time; absent before the first)', registers });
    this.tokenRotationChecks = new Counter({ name: 'flatfile_audit_token_rotation_checks_total', help: 'Scheduled token rotation checks by outcome: rotated, not-due, failed', labelNames: ['outcome'], registers });
    this.scheduleMissing = new Counter({ name: 'flatfile_audit_schedule_missing_total', help: 'Times the watchdog found the schedule missing from Redis and registered it again', registers });
    this.lastSuccess = new Gauge({
      name: 'flatfile_audit_last_success_timestamp_seconds',
      help: 'When each environment last synced successfully (Unix time; absent before its first success)',
      labelNames: ['environment'],
      registers,
      // Sets both alerting gauges from one read: the registry collects metrics side by side, so the
      // failing gauge waits for this read (registered before it, this collect starts first).
      collect: () => (reading = readStates()),
    });
    this.environmentFailing = new Gauge({
      name: 'flatfile_audit_environment_failing',
      help: "1 while an environment's last sync failed, else 0",
      labelNames: ['environment'],
      registers,
      collect: () => reading,
    });
    new Gauge({
      name: 'flatfile_audit_cursor_lag_seconds',
      help: 'Seconds between now and the newest event stored for each environment',
      labelNames: ['environment'],
      registers,
      async collect() {
        this.reset();
        for (const cursor of await store.listCursors()) {
          if (cursor.highWater) this.set({ environment: cursor.environmentId }, Math.max(0, (clock() - Date.parse(cursor.highWater)) / 1000));
        }
      },
    });
    this.reconcileLateEvents = new Gauge({
      name: 'flatfile_audit_reconcile_late_events',
      help: "Events the last reconcile found that the incremental sync had missed (now stored), per environment; see its warning for the AUDIT_LOOKBACK that would have caught them",
      labelNames: ['environment'],
      registers,
    });
    this.reconcileLast = new Gauge({
      name: 'flatfile_audit_reconcile_last_timestamp_seconds',
      help: 'When the last reconcile of each environment completed (Unix time; absent until this worker has run one)',
      labelNames: ['environment'],
      registers,
    });
    this.forwardedEvents = new Counter({ name: 'flatfile_audit_forwarded_events_total', help: 'Events the forwarding receiver acknowledged (2xx), per destination', labelNames: ['destination'], registers });
    this.forwardFailures = new Counter({
      name: 'flatfile_audit_forward_failures_total',
      help: 'Failed forwarding POSTs (HTTP status, timeout, connection error), per destination; the batch is sent again',
      labelNames: ['destination', 'reason'],
      registers,
    });
    let lag: Promise<ForwardLag[]> = Promise.resolve([]);
    const readLag = async (): Promise<ForwardLag[]> => {
      try {
        return (await this.readForwardLag?.()) ?? [];
      } catch {
        return []; // /healthz names the database trouble
      }
    };
    new Gauge({
      name: 'flatfile_audit_forward_lag_events',
      help: 'Events stored but not yet acknowledged by the forwarding receiver, per destination',
      labelNames: ['destination'],
      registers,
      async collect() {
        // One read for both lag gauges (registered first, this collect starts first).
        lag = readLag();
        this.reset();
        for (const l of await lag) this.set({ destination: l.destination }, l.events);
      },
    });
    new Gauge({
      name: 'flatfile_audit_forward_lag_seconds',
      help: 'Age of the oldest event stored and not yet acknowledged by the forwarding receiver (0 when caught up), per destination',
      labelNames: ['destination'],
      registers,
      async collect() {
        this.reset();
        for (const l of await lag) this.set({ destination: l.destination }, l.oldestIngestedAt ? Math.max(0, (clock() - Date.parse(l.oldestIngestedAt)) / 1000) : 0);
      },
    });
    // Visibility lag (rule 16 of audit-store.ts): one read of the window per scrape for the four gauges (this one registered first, so its collect starts first).
    let visibility: Promise<VisibilityLag[]> = Promise.resolve([]);
    const lookback = (): number | undefined => this.lookbackMs;
    new Gauge({
      name: 'flatfile_audit_visibility_lag_seconds',
      help: 'Visibility lag (read time minus createdAt) of the events first read by an incremental listing in the last 24h, p50 and p99 (upper bounds), per environment',
      labelNames: ['environment', 'quantile'],
      registers,
      async collect() {
        visibility = store.visibilityLag(lagWindowStart(clock())).catch(() => []); // /healthz names the database trouble
        this.reset();
        for (const l of await visibility) {
          if (l.topic !== null) continue;
          this.set({ environment: l.environmentId, quantile: '0.5' }, l.p50Ms / 1000);
          this.set({ environment: l.environmentId, quantile: '0.99' }, l.p99Ms / 1000);
        }
      },
    });
    new Gauge({
      name: 'flatfile_audit_visibility_lag_topic_seconds',
      help: 'flatfile_audit_visibility_lag_seconds per environment and topic',
      labelNames: ['environment', 'topic', 'quantile'],
      registers,
      async collect() {
        this.reset();
        for (const l of await visibility) {
          if (l.topic === null) continue;
          this.set({ environment: l.environmentId, topic: l.topic, quantile: '0.5' }, l.p50Ms / 1000);
          this.set({ environment: l.environmentId, topic: l.topic, quantile: '0.99' }, l.p99Ms / 1000);
        }
      },
    });
    new Gauge({
      name: 'flatfile_audit_visibility_lag_events',
      help: 'Events first read by an incremental listing in the last 24h (what the visibility lag quantiles are taken over), per environment',
      labelNames: ['environment'],
      registers,
      async collect() {
        this.reset();
        for (const l of await visibility) if (l.topic === null) this.set({ environment: l.environmentId }, l.events);
      },
    });
    new Gauge({
      name: 'flatfile_audit_visibility_lag_warning',
      help: "1 while an environment's p99 visibility lag is at half of AUDIT_LOOKBACK or more (events later than the lookback are missed), else 0",
      labelNames: ['environment'],
      registers,
      async collect() {
        this.reset();
        const lookbackMs = lookback();
        if (lookbackMs === undefined) return;
        for (const l of await visibility) if (l.topic === null) this.set({ environment: l.environmentId }, lagWarns(l.p99Ms, lookbackMs) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'flatfile_audit_queue_jobs',
      help: 'Jobs in the sync queue by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
  }

  /** Sets the alerting gauges of these environments from their state in the store. */
  observeEnvironments(states: readonly EnvironmentSyncState[]): void {
    for (const state of states) {
      const environment = state.environmentId;
      if (state.lastSuccessAt) this.lastSuccess.set({ environment }, Date.parse(state.lastSuccessAt) / 1000);
      this.environmentFailing.set({ environment }, state.failing ? 1 : 0);
    }
  }

  /** Sets the reconcile gauges from recorded reconciles (rule 15 of audit-store.ts). */
  observeReconcile(drifts: ReadonlyArray<Pick<ReconcileDrift, 'environmentId' | 'lateEvents' | 'completedAt'>>): void {
    for (const drift of drifts) {
      this.reconcileLateEvents.set({ environment: drift.environmentId }, drift.lateEvents);
      this.reconcileLast.set({ environment: drift.environmentId }, Date.parse(drift.completedAt) / 1000);
    }
  }

  /** Turns the visibility lag warning gauge on, for this AUDIT_LOOKBACK. */
  observeLookback(lookbackMs: number): void {
    this.lookbackMs = lookbackMs;
  }

  /** Turns the forward lag gauges on: `read` is called at each scrape. */
  observeForwarding(read: () => Promise<ForwardLag[]>): void {
    this.readForwardLag = read;
  }

  /** Feeds the forwarding counters from a forwarder. */
  forwardObserver(): { forwarded(destination: string, events: number): void; failed(destination: string, reason: string): void } {
    return {
      forwarded: (destination, events) => this.forwardedEvents.inc({ destination }, events),
      failed: (destination, reason) => this.forwardFailures.inc({ destination, reason: failureKind(reason) }),
    };
  }

  /** Feeds the API counters from an HTTP client. */
  httpObserver(): HttpObserver {
    return {
      response: (route, status) => this.apiRequests.inc({ route, status: String(status) }),
      retry: (route) => this.apiRetries.inc({ route }),
      rateLimited: (route) => this.apiRateLimited.inc({ route }),
    };
  }
}

/** A label with few values: the status, 'timeout' or 'connection', never free text. */
function failureKind(reason: string): string {
  const status = /^HTTP (\d{3})/.exec(reason);
  if (status) return status[1]!;
  return reason.startsWith('no answer') ? 'timeout' : 'connection';
}
