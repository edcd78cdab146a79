/**
 * `flatfile-audit query "<SQL>"`: answers one read-only statement through the store's reader
 * (AuditReader.openQuery): the store is read read-only, and a statement that could write (or
 * ATTACH another file) is refused before it runs, so this command cannot change the audit trail.
 *
 * The statement runs in a process of its own (query-process.ts) and its rows are written as they
 * come. It stops at `maxRows` (saying on stderr that more exist) and is killed at `timeoutMs`, so
 * a runaway join cannot hold its read snapshot, and with it the WAL's growth, for ever.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AuditError, QueryTimeoutError } from '../errors.js';
import { storeSettings, type StoreSettings } from '../store/open-store.js';
import type { OutputFormat } from '../output/format.js';
import type { QueryReply, QueryRequest } from './query-process.js';
import { rowStream, type RowStream } from '../output/row-stream.js';

export const DEFAULT_MAX_ROWS = 10_000;
export const DEFAULT_QUERY_TIMEOUT = '60s';
/** A table is aligned over at most this many rows (see row-stream.ts). */
const TABLE_ALIGN_ROWS = 10_000;

export interface QueryOptions {
  /** Which store to read (only these settings are handed to the query's process). */
  store: StoreSettings;
  sql: string;
  format: OutputFormat;
  /** Named parameters (`:email` ← { email: … }). */
  params?: Record<string, string>;
  /** Stop after this many rows; null: every row (--all). */
  maxRows: number | null;
  timeoutMs: number;
}

export interface QueryOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Aborting it stops the query (SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export interface QueryOutcome {
  rows: number;
  /** Stopped at maxRows with more rows left. */
  truncated: boolean;
}

/** Runs one read-only statement, writing its rows to `out.stdout` as they come. */
export async function runQuery(options: QueryOptions, out: QueryOutput): Promise<QueryOutcome> {
  // The query process kills itself at the deadline too (query-watchdog.ts): writing to a pipe or a
  // terminal blocks this thread while the reader does not read (a pager left open), and then the
  // timer below cannot fire, but the snapshot must still be let go on time.
  const deadline = Date.now() + options.timeoutMs;
  const child = fork(processEntry(), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
  const closed = once(child, 'close').catch(() => undefined);
  let childStderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (childStderr = (childStderr + chunk.toString()).slice(-2000)));

  // Settles once, with the outcome or why the query stopped; every later message is ignored.
  let resolve!: (result: QueryOutcome | Error) => void;
  const result = new Promise<QueryOutcome | Error>((r) => (resolve = r));
  let settled = false;
  // Aborted when the query settles: a write waiting for the output to drain stops waiting.
  const stopped = new AbortController();
  const settle = (value: QueryOutcome | Error) => {
    if (settled) return;
    settled = true;
    stopped.abort();
    resolve(value);
  };

  let stream: RowStream | undefined;
  let rows = 0;
  const write = async (text: string): Promise<void> => {
    if (text === '' || settled) return;
    if (!out.stdout.write(text)) await once(out.stdout, 'drain', { signal: stopped.signal }).catch(() => undefined);
  };
  const handle = async (reply: QueryReply): Promise<void> => {
    if (settled) return;
    switch (reply.kind) {
      case 'columns':
        stream = rowStream(options.format, reply.columns, Math.min(options.maxRows ?? TABLE_ALIGN_ROWS, TABLE_ALIGN_ROWS));
        return write(stream.start());
      case 'rows':
        rows += reply.rows.length;
        await write(stream!.rows(reply.rows));
        if (!settled) send(child, { kind: 'more' });
        return;
      case 'end':
        await write(stream!.end(reply.truncated));
        return settle({ rows, truncated: reply.truncated });
      case 'failed':
        return settle(new AuditError(reply.code ?? 'STORE_FAILED', reply.message));
    }
  };

  // Messages are handled one after another: a chunk is written before the next is looked at.
  let chain = Promise.resolve();
  child.on('message', (reply: QueryReply) => (chain = chain.then(() => handle(reply))));
  child.on('error', (error) => settle(new Error(`cannot run the query process: ${error.message}`, { cause: error })));
  const timedOut = () => new QueryTimeoutError(`query stopped: it ran past --timeout ${durationText(options.timeoutMs)} (${rows} row${rows === 1 ? '' : 's'} printed); narrow it with WHERE or LIMIT, or allow more with --timeout`);
  void closed.then(() =>
    (chain = chain.then(() => {
      if (Date.now() >= deadline) return settle(timedOut());
      const how = child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
      settle(new Error(`the query process stopped unexpectedly (${how})${childStderr.trim() ? `: ${childStderr.trim().split('\n').at(-1)}` : ''}`));
    })),
  );

  const timer = setTimeout(() => settle(timedOut()), options.timeoutMs);
  const onAbort = () => settle(new AuditError('ABORTED', 'query interrupted'));
  out.signal?.addEventListener('abort', onAbort, { once: true });
  if (out.signal?.aborted) onAbort();
  // The reader of our output went away (`| head`): nothing more to do.
  const onOutputError = () => settle({ rows, truncated: false });
  out.stdout.on('error', onOutputError);

  send(child, {
    kind: 'start',
    job: { store: storeSettings(options.store), sql: options.sql, params: options.params ?? {}, maxRows: options.maxRows, killAt: deadline },
  });

  const outcome = await result;
  clearTimeout(timer);
  out.signal?.removeEventListener('abort', onAbort);
  out.stdout.off('error', onOutputError);
  // The process is gone before we return, and its read snapshot with it.
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await closed;
  if (outcome instanceof Error) {
    // What was held back (a table's first rows) is printed before the error.
    if (stream) out.stdout.write(stream.stop());
    throw outcome;
  }
  if (outcome.truncated) {
    out.stderr.write(`flatfile-audit: showing the first ${options.maxRows} rows; the query returns more: add --all for every row, or --max-rows with a larger number\n`);
  }
  return outcome;
}

/** 60000 → "1m", 2000 → "2s", 1500 → "1500ms": the way --timeout is written. */
function durationText(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function send(child: ChildProcess, request: QueryRequest): void {
  // A process already gone cannot take it; its 'close' settles the query.
  if (child.connected) child.send(request, (error) => void error);
}

/**
 * The query process's compiled entry. From dist/ it sits next to this file; when this module runs
 * from its TypeScript source (the test suite), the compiled copy that `npm run build` writes.
 */
function processEntry(): string {
  const beside = fileURLToPath(new URL('./query-process.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(new URL('../../dist/src/cli/query-process.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new AuditError('QUERY_REFUSED', `the query process's code is missing (${beside}); run npm run build`);
}
