/**
 * Before anything is copied: the target must be empty, or an earlier pass of this very copy. Each
 * environment's chain in the target must end on a row the source holds at the same sequence with
 * the same hash (so it is a prefix of the source's chain), and so must the inventory change log.
 * A target that holds another trail, or one already ahead of the source (workers writing to it),
 * is refused before a row is written: appending to it would fork or interleave two trails.
 */
import type pg from 'pg';
import { CopyRefusedError } from '../../errors.js';
import type { SqliteSource } from './sqlite-source.js';

/** Where each append-only table of the target ends: the rows past these are the source's tail. */
export interface CopyPosition {
  /** Per environment, the target's last chain sequence (missing: none yet). */
  eventSeqs: Map<string, number>;
  /** The target's last inventory change (0: none). */
  changeSeq: number;
}

interface Head {
  environment_id: string;
  last_seq: number;
  last_hash: Buffer;
  v1_through_seq: number;
}

export async function checkTrail(source: SqliteSource, client: pg.PoolClient, target: string): Promise<CopyPosition> {
  const unchained = source.get<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE chain_seq IS NULL OR chain_hash IS NULL')!.n;
  if (unchained > 0) {
    throw new CopyRefusedError(`${source.path} holds ${unchained} event(s) without a place in a hash chain (inserted outside flatfile-audit): run flatfile-audit verify on it; PostgreSQL keeps only chained events`);
  }
  const other = (why: string) =>
    new CopyRefusedError(`the target ${target} already holds another audit trail (${why}); copy into an empty database or another AUDIT_DATABASE_SCHEMA`);
  const ahead = (why: string) =>
    new CopyRefusedError(`the target ${target} is ahead of ${source.path} (${why}): workers write to it already; copy-store only continues its own earlier copy`);

  const eventSeqs = new Map<string, number>();
  const heads = (await client.query<Head>('SELECT environment_id, last_seq, last_hash, v1_through_seq FROM event_chains ORDER BY environment_id')).rows;
  for (const head of heads) {
    const mine = source.get<{ last_seq: number; v1_through_seq: number }>('SELECT last_seq, v1_through_seq FROM event_chains WHERE environment_id = ?', head.environment_id);
    if (!mine) throw other(`environment ${head.environment_id} has a chain there, none in the source`);
    if (head.last_seq > mine.last_seq) throw ahead(`environment ${head.environment_id}'s chain is at ${head.last_seq} there, at ${mine.last_seq} in the source`);
    if (head.v1_through_seq !== mine.v1_through_seq) throw other(`environment ${head.environment_id}'s chain changed form at another sequence`);
    if (head.last_seq > 0) {
      const row = source.get<{ chain_hash: Buffer }>('SELECT chain_hash FROM events WHERE environment_id = ? AND chain_seq = ?', head.environment_id, head.last_seq);
      if (!row || !row.chain_hash.equals(head.last_hash)) throw other(`environment ${head.environment_id}'s event ${head.last_seq} has another chain hash there`);
    }
    eventSeqs.set(head.environment_id, head.last_seq);
  }

  const changes = (await client.query<{ seq: number; chain_hash: Buffer }>('SELECT seq, chain_hash FROM inventory_changes ORDER BY seq DESC LIMIT 1')).rows[0];
  if (changes) {
    const mine = source.get<{ chain_hash: Buffer }>('SELECT chain_hash FROM inventory_changes WHERE seq = ?', changes.seq);
    if (!mine) {
      const last = source.get<{ seq: number | null }>('SELECT max(seq) AS seq FROM inventory_changes')!.seq ?? 0;
      throw ahead(`the inventory change log is at ${changes.seq} there, at ${last} in the source`);
    }
    if (!mine.chain_hash.equals(changes.chain_hash)) throw other(`inventory change ${changes.seq} has another chain hash there`);
  }
  return { eventSeqs, changeSeq: changes?.seq ?? 0 };
}
