/**
 * The event writer's thread (worker_threads entry). It opens the database on a connection of its
 * own and runs each batch of pages through the page writer, one transaction per message, in the
 * order they arrive. better-sqlite3 is synchronous: on the main thread a commit stops everything
 * else, so fetching and parsing the next pages would wait for the disk; here they overlap with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditError } from '../../errors.js';
import type { WriteResult } from '../audit-store.js';
import { openWritable, type SqliteDatabase } from './open.js';
import { createPageWriter } from './page-writer.js';
import type { PreparedPage } from './prepare-pages.js';

export interface WriteThreadData {
  path: string;
  busyTimeoutMs: number | undefined;
}

export type WriteRequest = { kind: 'write'; id: number; pages: readonly PreparedPage[]; now: string } | { kind: 'close' };

/** A failure as it crosses the thread boundary: what `storeFailure` needs to describe it. */
export interface ThreadFailure {
  message: string;
  code: string | undefined;
  /** Already an AuditError with a message for operators (not a raw SQLite error). */
  audit: boolean;
}

export type WriteReply = { id: number; result: WriteResult } | { id: number; failure: ThreadFailure } | { id: 0; failure: ThreadFailure };

const port = parentPort;
if (!port) throw new Error('write-thread.js runs as a worker thread (see page-writer-thread.ts)');
const { path, busyTimeoutMs } = workerData as WriteThreadData;

function describe(error: unknown): ThreadFailure {
  const code = (error as { code?: unknown }).code;
  return {
    message: error instanceof Error ? error.message : String(error),
    code: typeof code === 'string' ? code : undefined,
    audit: error instanceof AuditError,
  };
}

function open(): SqliteDatabase | undefined {
  try {
    return openWritable(path, { busyTimeoutMs });
  } catch (error) {
    // Id 0: not the answer to a write; the main thread fails every write with it.
    port?.postMessage({ id: 0, failure: describe(error) } satisfies WriteReply);
    port?.close();
    return undefined;
  }
}

const db = open();
if (db) {
  const write = createPageWriter(db);
  port.on('message', (request: WriteRequest) => {
    if (request.kind === 'close') {
      db.close();
      port.close();
      return;
    }
    let reply: WriteReply;
    try {
      reply = { id: request.id, result: write(request.pages, request.now) };
    } catch (error) {
      reply = { id: request.id, failure: describe(error) };
    }
    port.postMessage(reply);
  });
}
