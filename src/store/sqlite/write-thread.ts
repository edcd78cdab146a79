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

/** `after`: the newest write of each of its environments still pending when this one was made (write-lanes.ts); if one of them failed, this one is refused. */
export type WriteRequest = { kind: 'write'; id: number; after: number[]; pages: readonly PreparedPage[]; now: string } | { kind: 'close' };

/** A failure as it crosses the thread boundary: what `storeFailure` needs to describe it. */
export interface ThreadFailure {
  message: string;
  code: string | undefined;
  /** Already an AuditError with a message for operators (not a raw SQLite error). */
  audit: boolean;
}

/** The answer to write `id`; id 0 with a failure: the thread could not open the database. */
export type WriteReply = { id: number; result: WriteResult } | { id: number; failure: ThreadFailure };

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
    port?.postMessage({ id: 0, failure: describe(error) } satisfies WriteReply);
    port?.close();
    return undefined;
  }
}

const db = open();
if (db) {
  const write = createPageWriter(db);
  // Writes that failed or were refused: a write made behind one of them must not commit pages whose
  // cursors skip the lost ones.
  const failed = new Set<number>();
  port.on('message', (request: WriteRequest) => {
    if (request.kind === 'close') {
      db.close();
      port.close();
      return;
    }
    let reply: WriteReply;
    if (request.after.some((id) => failed.has(id))) {
      failed.add(request.id);
      reply = { id: request.id, failure: { message: 'not written: an earlier write of the same environment failed', code: undefined, audit: true } };
    } else {
      try {
        reply = { id: request.id, result: write(request.pages, request.now) };
      } catch (error) {
        failed.add(request.id);
        reply = { id: request.id, failure: describe(error) };
      }
    }
    port.postMessage(reply);
  });
}
