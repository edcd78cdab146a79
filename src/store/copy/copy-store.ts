/**
 * Copies a SQLite store into a PostgreSQL one (`flatfile-audit copy-store`), so a deployment can
 * move up without losing its history or its evidence: every event with its place in its chain
 * exactly as stored (so `verify` passes on the target), the chain heads, the inventory change log,
 * every inventory row (removed ones too), cursors, runs and rejected payloads (copied-tables.ts).
 *
 * - Resumable: rows go in pages of `batchRows`, one transaction each, and a page of events moves its
 *   environment's chain head in the same transaction. Whatever is committed is a prefix of the
 *   source's chains and log, which is where a rerun (after a crash, a SIGKILL, a lost connection)
 *   picks up: no row twice, none missing. Changing tables are upserted whole on every pass.
 * - Incremental: a pass reads the source as of one moment (sqlite-source.ts), so a second pass
 *   after the workers stopped copies only the tail; that is the migration procedure (README).
 * - Safe: the target is checked before anything is written (trail-check.ts), and one copy at a time
 *   writes into a schema (a session advisory lock).
 * Memory stays bounded: the source is read in pages by key, never whole.
 */
import pg from 'pg';
import type { PostgresConfig } from '../../config.js';
import { AuditError, CopyRefusedError } from '../../errors.js';
import { describeTarget, poolSettings, postgresTarget } from '../postgres/connection-settings.js';
import { lockKeys } from '../postgres/locks.js';
import { migrate } from '../postgres/migrate.js';
import { storeFailure } from '../postgres/store-error.js';
import { inTransaction } from '../postgres/transaction.js';
import { COPIED_TABLES, IDENTITY_TABLES, type CopiedTable } from './copied-tables.js';
import { insertStatement, statementParams, type SourceRow } from './copy-statements.js';
import { openSqliteSource, type SqliteSource } from './sqlite-source.js';
import { checkTrail, type CopyPosition } from './trail-check.js';
import { countRange } from '../event-counts.js';
import { PG_HOUR } from '../postgres/event-hour.js';

export const DEFAULT_BATCH_ROWS = 2000;

export interface CopyOptions {
  /** Rows per transaction (default DEFAULT_BATCH_ROWS). */
  batchRows?: number;
  /** Aborted: the copy stops after the page being written; a rerun continues. */
  signal?: AbortSignal;
  /** Told after each table is done. */
  onTable?: (count: TableCount) => void;
  /** The libpq variables (PGHOST, …); default: the process's environment. */
  env?: Record<string, string | undefined>;
}

export interface TableCount {
  table: string;
  /** Rows this pass wrote (inserted, or upserted because they differed). */
  copied: number;
  /** Rows of the table in the target afterwards. */
  rows: number;
}

export interface CopyReport {
  source: string;
  /** The target as messages name it: never the password. */
  target: string;
  tables: TableCount[];
}

export async function copyStore(sourcePath: string, settings: PostgresConfig, options: CopyOptions = {}): Promise<CopyReport> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const target = describeTarget(postgresTarget(settings, options.env));
  // The source first: a missing or unfit file is refused before anything is created in the target.
  const source = openSqliteSource(sourcePath);
  // One connection holds the copy's lock for the run, the other writes the pages.
  const pool = new pg.Pool({ ...poolSettings(settings, options.env), max: 2 });
  pool.on('error', () => undefined);
  try {
    const session = await guard(target, async () => {
      await migrate(pool, settings.schema);
      return pool.connect();
    });
    try {
      const locked = await guard(target, () => session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', lockKeys(settings.schema, 'copyStore')));
      if (!locked.rows[0]?.locked) throw new CopyRefusedError(`another copy-store is copying into ${target}; wait for it to end`);
      const position = await guard(target, () => checkTrail(source, session, target));
      const copy = new Copy(source, pool, target, batchRows, options.signal);
      const tables: TableCount[] = [];
      for (const spec of COPIED_TABLES) {
        const copied = await copy.table(spec, position);
        const count = { table: spec.table, copied, rows: await guard(target, () => countRows(session, spec.table)) };
        tables.push(count);
        options.onTable?.(count);
      }
      await guard(target, () => moveIdentities(session));
      return { source: sourcePath, target, tables };
    } finally {
      // Ending the session lets go of its lock.
      session.release(true);
    }
  } finally {
    source.close();
    await pool.end();
  }
}

const COUNT_RANGE = countRange(PG_HOUR, '$1', '$2', '$3');

class Copy {
  constructor(
    private readonly source: SqliteSource,
    private readonly pool: pg.Pool,
    private readonly target: string,
    private readonly batchRows: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Copies one table's rows (its tail, for an appended table); returns how many were written. */
  table(spec: CopiedTable, position: CopyPosition): Promise<number> {
    switch (spec.table) {
      case 'events':
        return this.events(spec, position.eventSeqs);
      case 'inventory_changes':
        return this.pages(spec, [position.changeSeq]);
      case 'sync_runs':
        return this.runs(spec);
      default:
        return this.pages(spec, undefined);
    }
  }

  /**
   * Each environment's events past the target's head, a page per transaction, the head moved to the
   * page's last row in it, and the page's events counted (rule 19). event_chains itself is copied after, so each head ends as the source's.
   */
  private async events(spec: CopiedTable, targetSeqs: ReadonlyMap<string, number>): Promise<number> {
    const heads = this.source.all<{ environment_id: string; updated_at: string; v1_through_seq: number }>(
      'SELECT environment_id, updated_at, v1_through_seq FROM event_chains ORDER BY environment_id',
    );
    const statement = insertStatement(spec);
    let copied = 0;
    for (const head of heads) {
      const only = { sql: 'environment_id = ?', params: [head.environment_id] };
      let after: unknown[] = [head.environment_id, targetSeqs.get(head.environment_id) ?? 0];
      for (;;) {
        const rows = this.source.page(spec, after, this.batchRows, only);
        if (rows.length === 0) break;
        const last = rows.at(-1)!;
        await this.write(async (client) => {
          await client.query(statement, statementParams(spec, rows));
          await client.query(COUNT_RANGE, [head.environment_id, rows[0]!.chain_seq, last.chain_seq]); // rule 19, in the page's transaction
          await client.query(
            `INSERT INTO event_chains (environment_id, last_seq, last_hash, updated_at, v1_through_seq) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (environment_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash, updated_at = excluded.updated_at, v1_through_seq = excluded.v1_through_seq`,
            [head.environment_id, last.chain_seq, last.chain_hash, head.updated_at, head.v1_through_seq],
          );
        });
        copied += rows.length;
        after = [head.environment_id, last.chain_seq];
      }
    }
    return copied;
  }

  /**
   * Runs end once: those the target holds finished are left alone, so a pass reads from the first
   * run still running there (its end is the news), or past the last one.
   */
  private async runs(spec: CopiedTable): Promise<number> {
    const from = await this.write(async (client) => {
      const { rows } = await client.query<{ from: number }>("SELECT COALESCE(min(id) FILTER (WHERE status = 'running'), max(id) + 1, 0) AS from FROM sync_runs");
      return rows[0]!.from;
    });
    return this.pages(spec, undefined, { sql: 'id >= ?', params: [from] });
  }

  /** The table's rows in key order after `after`, one page per transaction. */
  private async pages(spec: CopiedTable, after: unknown[] | undefined, filter?: { sql: string; params: unknown[] }): Promise<number> {
    const statement = insertStatement(spec);
    let copied = 0;
    for (;;) {
      const rows: SourceRow[] = this.source.page(spec, after, this.batchRows, filter);
      if (rows.length === 0) return copied;
      const result = await this.write((client) => client.query(statement, statementParams(spec, rows)));
      copied += result.rowCount ?? 0;
      const last = rows.at(-1)!;
      after = spec.key.map((k) => last[k]);
    }
  }

  private async write<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.signal?.aborted) throw new AuditError('ABORTED', 'copy-store stopped; what it copied stays, and running it again continues from there', { cause: this.signal.reason });
    return guard(this.target, () => inTransaction(this.pool, work));
  }
}

async function countRows(client: pg.PoolClient, table: string): Promise<number> {
  return (await client.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n;
}

/** Moves each identity past the copied ids (never back), so the next run or rejected payload PostgreSQL numbers cannot collide with one. */
async function moveIdentities(client: pg.PoolClient): Promise<void> {
  for (const table of IDENTITY_TABLES) {
    await client.query(
      `SELECT setval(s.seq, GREATEST(m.id, COALESCE(pg_sequence_last_value(s.seq), 0)))
       FROM (SELECT pg_get_serial_sequence('${table}', 'id')::regclass AS seq) s, (SELECT max(id) AS id FROM ${table}) m
       WHERE m.id IS NOT NULL`,
    );
  }
}

async function guard<T>(target: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storeFailure(target, error);
  }
}
