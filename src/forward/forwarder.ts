/**
 * The forwarder: sends the trail, in ingestion order (store rule 9), from its own position to one
 * receiver, a batch at a time, until nothing is left. Its position lives in the store (rule 10) and
 * moves only after the receiver acknowledged a batch (2xx): a crash, a timeout or a lost answer
 * sends the batch again (at least once; records carry the event id for dedup), and the position
 * never passes an event the receiver did not take. A batch is tried again with jittered, growing
 * waits (a 429/503 Retry-After honoured) until it is acknowledged, refused, or `maxAttempts` tries
 * failed: then the run ends with ForwardFailedError and the next run (after the next sync, or the
 * catch-up schedule) starts from the same position.
 */
import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import type { ForwardConfig } from '../config.js';
import { AbortedError, ForwardFailedError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AuditReader, QueryRow } from '../store/audit-reader.js';
import type { AuditStore } from '../store/audit-store.js';
import { batchBody } from './batch-body.js';
import { backoffMs } from './delivery-rules.js';
import { forwardTarget, type ForwardTarget } from './forward-target.js';
import { postBatch } from './post-batch.js';

/** What the forwarder reports as it goes (metrics). */
export interface ForwardObserver {
  forwarded(destination: string, events: number): void;
  failed(destination: string, reason: string): void;
}

export interface ForwarderDeps {
  config: ForwardConfig;
  store: AuditStore;
  reader: AuditReader;
  log: Logger;
  observer: ForwardObserver;
  clock?: () => number;
  random?: () => number;
  /** Waits `ms`, or rejects when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Tries of one batch within a run. */
  maxAttempts?: number;
}

export interface ForwardRun {
  destination: string;
  batches: number;
  events: number;
  position: string;
}

const MAX_ATTEMPTS = 8;

export class Forwarder {
  readonly target: ForwardTarget;
  private readonly host = hostname();

  constructor(private readonly deps: ForwarderDeps) {
    this.target = forwardTarget(deps.config);
  }

  get destination(): string {
    return this.target.destination;
  }

  /** Throws a one-line ConfigError-like AuditError unless the HEC token file can be read (checked at start). */
  async checkToken(): Promise<void> {
    await this.authorization();
  }

  /** Sends every batch after the forwarder's position, until the trail is exhausted. */
  async run(signal: AbortSignal): Promise<ForwardRun> {
    const { store, config } = this.deps;
    const destination = this.destination;
    let batches = 0;
    let events = 0;
    for (;;) {
      if (signal.aborted) throw new AbortedError(signal.reason);
      const state = await store.readForward(destination);
      const rows = await this.readBatch(state.position);
      if (rows.length === 0) return { destination, batches, events, position: state.position };
      const last = String(rows[rows.length - 1]!.position);
      await this.deliver(rows, signal);
      const moved = await store.advanceForward(destination, state.position, last, rows.length, new Date(this.now()).toISOString());
      if (moved) {
        this.deps.observer.forwarded(destination, rows.length);
        batches += 1;
        events += rows.length;
        this.deps.log.debug({ destination, events: rows.length, position: last }, 'batch forwarded');
      } else {
        // Another forwarder of this destination moved it meanwhile (two workers after a stalled job): start from where it is.
        this.deps.log.warn({ destination }, 'the forward position was moved by another forwarder; continuing from there');
      }
      if (rows.length < config.batchSize) return { destination, batches, events, position: moved ? last : (await store.readForward(destination)).position };
    }
  }

  private async readBatch(after: string): Promise<QueryRow[]> {
    const cursor = await this.deps.reader.openTrail(after);
    try {
      return await cursor.read(this.deps.config.batchSize);
    } finally {
      await cursor.close();
    }
  }

  private async deliver(rows: readonly QueryRow[], signal: AbortSignal): Promise<void> {
    const { config, store, log, observer } = this.deps;
    const destination = this.destination;
    const { body, contentType } = batchBody(rows, { format: config.format, host: this.host, sourcetype: config.sourcetype });
    const maxAttempts = this.deps.maxAttempts ?? MAX_ATTEMPTS;
    for (let attempt = 0; ; attempt += 1) {
      const outcome = await postBatch({
        target: this.target, body, contentType, authorization: await this.authorization(),
        timeoutMs: config.timeoutMs, maxWaitMs: config.maxBackoffMs, signal, now: () => this.now(),
      });
      if (outcome.kind === 'acknowledged') return;
      observer.failed(destination, outcome.reason);
      const message = `forwarding to ${destination} failed: ${outcome.reason}`;
      await store.recordForwardError(destination, message, new Date(this.now()).toISOString()).catch((error: unknown) => log.warn({ err: error }, 'could not record the forwarding error'));
      if (outcome.kind === 'refused' || attempt + 1 >= maxAttempts) {
        throw new ForwardFailedError(`${message}${outcome.kind === 'retry' ? ` (${attempt + 1} tries)` : ''}; the position stays before this batch`);
      }
      const waitMs = outcome.waitMs ?? backoffMs(attempt, config.maxBackoffMs, this.deps.random ?? Math.random);
      log.warn({ destination, reason: outcome.reason, attempt: attempt + 1, waitMs }, 'forwarding failed; trying again');
      await (this.deps.sleep ?? sleep)(waitMs, signal);
    }
  }

  /** `Splunk <token>` for HEC, read from the file for each batch (a rotated token needs no restart). */
  private async authorization(): Promise<string | undefined> {
    const file = this.deps.config.tokenFile;
    if (file === undefined) return undefined;
    let token: string;
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch (error) {
      throw new ForwardFailedError(`cannot read AUDIT_FORWARD_TOKEN_FILE ${file}: ${describeError(error)}`, { cause: error });
    }
    if (token === '' || /\s/.test(token)) throw new ForwardFailedError(`AUDIT_FORWARD_TOKEN_FILE ${file} must hold one HEC token on one line`);
    return `Splunk ${token}`;
  }

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError(signal.reason));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
