/**
 * The process that runs one `query` statement (forked by query.ts, talking over IPC) through the
 * configured store's reader (AuditReader.openQuery). A process of its own because a store's driver
 * may be synchronous (better-sqlite3): a runaway statement (an aggregate over an endless join) stays
 * inside sqlite3_step and never returns to JavaScript, so neither a timer on the same thread nor
 * Worker.terminate() can stop it, and a process holding such a thread cannot even exit. A process
 * can always be killed, and the kernel then releases its locks, its connections and its read snapshot.
 *
 * Rows go to the parent in chunks (1, 2, 4 … up to CHUNK_ROWS rows, so the first ones show at
 * once), at most WINDOW chunks ahead of what the parent has written: a slow reader of the output
 * pauses the statement instead of filling memory.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AuditError, type ErrorCode } from '../errors.js';
import type { AuditReader, QueryCursor } from '../store/audit-reader.js';
import { openReader, type StoreSettings } from '../store/open-store.js';
import type { Row } from '../output/format.js';

export interface QueryJob {
  store: StoreSettings;
  sql: string;
  params: Record<string, string>;
  /** Stop after this many rows (and say whether more exist); null: every row. */
  maxRows: number | null;
  /** Epoch ms (--timeout) at which this process kills itself, whether or not its parent can. */
  killAt: number;
}

export type QueryRequest = { kind: 'start'; job: QueryJob } | { kind: 'more' };

export type QueryReply =
  | { kind: 'columns'; columns: string[] }
  | { kind: 'rows'; rows: Row[] }
  | { kind: 'end'; truncated: boolean }
  | { kind: 'failed'; code: ErrorCode | undefined; message: string };

export const CHUNK_ROWS = 256;
export const WINDOW = 2;

const send = process.send?.bind(process);
if (!send) throw new Error('query-process.js runs as a child process with an IPC channel (see query.ts)');

function reply(message: QueryReply): Promise<void> {
  return new Promise((resolve, reject) => send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

let credit = WINDOW;
let wake: (() => void) | undefined;

process.on('message', (request: QueryRequest) => {
  if (request.kind === 'more') {
    credit += 1;
    wake?.();
  } else {
    startWatchdog(request.job.killAt);
    // Disconnecting lets this process end once the database is closed.
    void run(request.job).finally(() => process.connected && process.disconnect());
  }
});

async function sendRows(rows: Row[]): Promise<void> {
  while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
  credit -= 1;
  await reply({ kind: 'rows', rows });
}

async function run(job: QueryJob): Promise<void> {
  let reader: AuditReader;
  try {
    reader = await openReader(job.store);
  } catch (error) {
    await reply(failure(error, 'STORE_FAILED'));
    return;
  }
  let cursor: QueryCursor | undefined;
  try {
    cursor = await reader.openQuery(job.sql, job.params, { firstRows: true });
    await reply({ kind: 'columns', columns: [...cursor.columns] });
    const limit = job.maxRows ?? Number.POSITIVE_INFINITY;
    let chunkSize = 1;
    let count = 0;
    let truncated = false;
    for (;;) {
      // One row past the limit is read only to say that more exist.
      const want = Math.min(chunkSize, limit - count + 1);
      const rows = (await cursor.read(want)) as Row[];
      if (count + rows.length > limit) {
        truncated = true;
        rows.length = limit - count;
      }
      if (rows.length > 0) await sendRows(rows);
      count += rows.length;
      if (truncated || rows.length < want) break;
      chunkSize = Math.min(chunkSize * 2, CHUNK_ROWS);
    }
    await reply({ kind: 'end', truncated });
  } catch (error) {
    await reply(failure(error, undefined));
  } finally {
    await cursor?.close();
    await reader.close();
  }
}

function failure(error: unknown, fallback: ErrorCode | undefined): QueryReply {
  return { kind: 'failed', code: error instanceof AuditError ? error.code : fallback, message: error instanceof Error ? error.message : String(error) };
}

/**
 * A thread that kills this process at `killAt` or as soon as its parent is gone. The parent kills
 * it at --timeout too, but cannot while its own thread is blocked writing to a reader that does
 * not read, nor once it was killed with SIGKILL; and a statement stuck in SQLite would then hold
 * its snapshot (and the WAL's growth) for ever. It runs beside the statement's thread, so it
 * fires even while that one never returns.
 */
function startWatchdog(killAt: number): void {
  const watchdog = new Worker(fileURLToPath(new URL('./query-watchdog.js', import.meta.url)), { workerData: { ppid: process.ppid, killAt } });
  watchdog.unref();
}
