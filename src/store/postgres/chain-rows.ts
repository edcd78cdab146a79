/**
 * The event chain as verify walks it (the SQLite store's verify-chain.ts walks the same rows):
 * each environment's rows in sequence order, with every chained column as the string it was hashed
 * as (`raw` is raw_text, the exact payload), read in pages by key from one snapshot, so a walk of
 * millions of rows neither holds them all nor sees a sync's later commits. Each row also says
 * whether its queryable `raw` (jsonb) is still raw_text made storable (storable-text.ts): the chain
 * covers raw_text, so an edit of `raw` alone is caught here.
 */
import type pg from 'pg';
import type { ChainedRow } from '../chain/event-chain.js';
import { storableJsonChecked } from './storable-text.js';

export type PostgresChainRow = ChainedRow & {
  chain_seq: number;
  chain_hash: Buffer;
  rawMatches: boolean;
  /** The queryable `raw` as its text, when it no longer matches raw_text; else null. */
  rawAsQueried: string | null;
};

export interface PostgresChainHead {
  environment_id: string;
  last_seq: number;
  last_hash: Buffer;
  v1_through_seq: number;
}

const PAGE_ROWS = 2000;

const COLUMNS = `id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
       acknowledged_at, deleted_at, ingested_at, raw_text AS raw, chain_seq, chain_hash`;

const ROWS = `
SELECT ${COLUMNS}
FROM events
WHERE (environment_id, chain_seq) > ($1, $2)
ORDER BY environment_id, chain_seq
LIMIT ${PAGE_ROWS}`;

// The JSON is compared as jsonb by the server: the same equality queries see.
const RAW_MISMATCHES = `
SELECT e.id, e.raw::text AS raw FROM unnest($1::text[], $2::text[]) AS t(id, raw) JOIN events e ON e.id = t.id
WHERE e.raw IS DISTINCT FROM t.raw::jsonb`;

/** Every chain's head. Call on the transaction the rows are read on. */
export async function readChainHeads(client: pg.PoolClient): Promise<PostgresChainHead[]> {
  return (await client.query<PostgresChainHead>('SELECT environment_id, last_seq, last_hash, v1_through_seq FROM event_chains ORDER BY environment_id')).rows;
}

type ReadRow = Omit<PostgresChainRow, 'rawMatches' | 'rawAsQueried'>;

/** Whether each row's queryable `raw` is still its raw_text made storable: the rows whose `raw` is not, with it as text. */
async function rawMismatches(client: pg.PoolClient, rows: readonly ReadRow[]): Promise<Map<string, string>> {
  const { rows: mismatched } = await client.query<{ id: string; raw: string }>(RAW_MISMATCHES, [rows.map((r) => r.id), rows.map((r) => storableJsonChecked(r.raw))]);
  return new Map(mismatched.map((r) => [r.id, r.raw]));
}

/** One event's chain row by id (the explorer checks one link); undefined when there is none. */
export async function readChainRow(client: pg.PoolClient, id: string): Promise<PostgresChainRow | undefined> {
  const { rows } = await client.query<ReadRow>(`SELECT ${COLUMNS} FROM events WHERE id = $1`, [id]);
  const row = rows[0];
  if (row === undefined) return undefined;
  const mismatched = await rawMismatches(client, rows);
  return { ...row, rawMatches: !mismatched.has(row.id), rawAsQueried: mismatched.get(row.id) ?? null };
}

/** The rows, environment after environment, each chain in order. Call inside a REPEATABLE READ transaction on `client`. */
export async function* readChainRows(client: pg.PoolClient): AsyncGenerator<PostgresChainRow> {
  let after: [string, number] = ['', -1];
  for (;;) {
    const { rows } = await client.query<ReadRow>(ROWS, after);
    if (rows.length === 0) return;
    const mismatched = await rawMismatches(client, rows);
    for (const row of rows) yield { ...row, rawMatches: !mismatched.has(row.id), rawAsQueried: mismatched.get(row.id) ?? null };
    const last = rows.at(-1)!;
    after = [last.environment_id, last.chain_seq];
  }
}

const RANGE = `
SELECT id, environment_id, created_at, topic, domain, actor_id, space_id, workbook_id, sheet_id, job_id,
       acknowledged_at, deleted_at, ingested_at, raw_text AS raw, chain_seq, chain_hash
FROM events
WHERE environment_id = $1 AND chain_seq BETWEEN $2 AND $3
ORDER BY chain_seq`;

/** The rows fromSeq..throughSeq of one chain, as verify reads them, a page at a time (for an archive). */
export async function* readChainRange(client: pg.PoolClient, environmentId: string, fromSeq: number, throughSeq: number): AsyncGenerator<Array<ChainedRow & { chain_seq: number; chain_hash: Buffer }>> {
  for (let from = fromSeq; from <= throughSeq; from += PAGE_ROWS) {
    const { rows } = await client.query<ChainedRow & { chain_seq: number; chain_hash: Buffer }>(RANGE, [environmentId, from, Math.min(from + PAGE_ROWS - 1, throughSeq)]);
    if (rows.length > 0) yield rows;
  }
}
