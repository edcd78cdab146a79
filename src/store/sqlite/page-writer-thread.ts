/**
 * The main thread's handle on the event writer's thread (write-thread.ts): each call posts one
 * batch of pages and resolves when its transaction has committed (or rejects with why it did not).
 * The thread starts on the first write, so commands that never write events never start it, and
 * it only keeps the process alive while a write is under way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AuditError } from '../../errors.js';
import type { WriteResult } from '../audit-store.js';
import type { PreparedPage } from './prepare-pages.js';
import { WriteLanes } from '../write-lanes.js';
import type { ThreadFailure, WriteReply, WriteRequest, WriteThreadData } from './write-thread.js';

interface Pending {
  resolve: (result: WriteResult) => void;
  reject: (error: Error) => void;
  environments: ReadonlySet<string>;
}

export class PageWriterThread {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The newest write not yet answered of each environment (write-lanes.ts). */
  private readonly lanes = new WriteLanes<number>();
  /** Set once the thread is gone: every later write fails with it. */
  private failure: Error | undefined;
  /** close() was called: the thread stays referenced until it has exited. */
  private closing = false;

  constructor(private readonly data: WriteThreadData) {}

  /**
   * Queues a write behind the ones under way (the thread writes one at a time, in the order posted);
   * if the newest pending write of one of its environments fails, this one is refused.
   */
  write(pages: readonly PreparedPage[], now: string): Promise<WriteResult> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.start();
    const id = this.nextId++;
    const environments = new Set(pages.map((p) => p.environmentId));
    const after = this.lanes.behind(environments);
    this.lanes.enter(environments, id);
    return new Promise<WriteResult>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject, environments });
      worker.postMessage({ kind: 'write', id, after, pages, now } satisfies WriteRequest);
    });
  }

  /** Lets the writes under way finish, then closes the thread's connection and waits for it to exit. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.failure ??= new AuditError('STORE_FAILED', 'the audit store is closed');
    this.closing = true;
    if (!worker) return;
    worker.ref();
    worker.postMessage({ kind: 'close' } satisfies WriteRequest);
    await this.exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // A small young generation: the thread's garbage (each batch, once written) is short-lived, and
    // V8's default lets it grow to tens of MB before collecting (the 200k backfill: ~20 MB less RSS).
    const worker = new Worker(threadEntry(), { workerData: this.data, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    worker.unref();
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: WriteReply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.once('exit', (code) => this.fail(new Error(`the database writer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: WriteReply): void {
    if (reply.id === 0 && 'failure' in reply) {
      this.fail(rebuild(reply.failure));
      return;
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    this.lanes.leave(pending.environments, reply.id);
    // Unreferenced while idle; but once closing, an answer arriving now must not let the process
    // exit before the thread has (it would end with a top-level await never settled, exit 13).
    if (this.pending.size === 0 && !this.closing) this.worker?.unref();
    if ('failure' in reply) pending.reject(rebuild(reply.failure));
    else pending.resolve(reply.result);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.pending.values()) reject(this.failure);
    this.pending.clear();
  }
}

/** The error the thread described, as storeFailure expects it: an AuditError, or an error with SQLite's code. */
function rebuild(failure: ThreadFailure): Error {
  if (failure.audit) return new AuditError('STORE_FAILED', failure.message);
  return Object.assign(new Error(failure.message), { code: failure.code });
}

/**
 * The thread's compiled entry. From dist/ it sits next to this file; when this module runs from its
 * TypeScript source (the test suite), the thread runs the compiled copy that `npm run build` (the
 * suite's global setup) writes, since a worker thread gets plain Node.js without the TypeScript loader.
 */
function threadEntry(): string {
  const beside = fileURLToPath(new URL('./write-thread.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(new URL('../../../dist/src/store/sqlite/write-thread.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new AuditError('STORE_FAILED', `the database writer thread's code is missing (${beside}); run npm run build`);
}
