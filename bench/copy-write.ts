/**
 * The raw bound on PostgreSQL: the rows a sync stored, every column of `events` as stored (chain
 * columns, raw and raw_text included), loaded into a freshly migrated schema by one COPY on one
 * connection in one process, with nothing around it: no parsing, no validation, no chain, no
 * cursor. The rows are read out first (COPY TO, into memory); only the load is timed.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { PostgresConfig } from '../src/config.js';
import { poolSettings } from '../src/store/postgres/connection-settings.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';

const COLUMNS = `id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
  acknowledged_at, deleted_at, ingested_at, raw, chain_seq, chain_hash, raw_text`;

async function connect(settings: PostgresConfig): Promise<pg.Client> {
  const client = new pg.Client(poolSettings(settings, {}));
  await client.connect();
  return client;
}

/** The events of `source` in the order they were inserted, as COPY's text format. */
export async function readEventCopy(source: PostgresConfig): Promise<Buffer[]> {
  const client = await connect(source);
  try {
    const chunks: Buffer[] = [];
    await pipeline(
      client.query(copyTo(`COPY events (${COLUMNS}) TO STDOUT`)),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    return chunks;
  } finally {
    await client.end();
  }
}

/** Seconds one COPY takes to load `chunks` into the events table of a fresh schema `target`. */
export async function copyWrite(target: PostgresConfig, chunks: readonly Buffer[]): Promise<{ seconds: number; rows: number }> {
  // The project's schema, created by the store's own migrations.
  const store = PostgresStore.open(target, { env: {} });
  try {
    await store.ready();
  } finally {
    await store.close();
  }
  const client = await connect(target);
  try {
    const started = performance.now();
    const stream = client.query(copyFrom(`COPY events (${COLUMNS}) FROM STDIN`));
    await pipeline(async function* () {
      yield* chunks;
    }, stream);
    return { seconds: (performance.now() - started) / 1000, rows: stream.rowCount };
  } finally {
    await client.end();
  }
}
