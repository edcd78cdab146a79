/**
 * One event's link in its environment's chain, checked on its own (the explorer's event page): its
 * hash recomputed from its stored row and its predecessor's stored hash. A whole-chain `verify`
 * finds everything this finds and more (deleted rows, a moved head); this answers for one row fast.
 */
import type { AuditSnapshot } from '../audit-snapshot.js';
import { chainHash, chainHashV1 } from './event-chain.js';

export type EventLinkCheck =
  | { ok: true; seq: number }
  | { ok: false; seq: number | null; reason: string };

/** Undefined when no event has this id. */
export async function verifyEventLink(view: Pick<AuditSnapshot, 'storedEvent' | 'chainHeads' | 'eventHashesAt' | 'chainCuts'>, id: string): Promise<EventLinkCheck | undefined> {
  const row = await view.storedEvent(id);
  if (row === undefined) return undefined;
  if (row.chain_seq === null || row.chain_hash === null) return { ok: false, seq: null, reason: 'the row has no chain hash: it was inserted outside flatfile-audit' };
  const seq = row.chain_seq;
  let previous: Buffer | null = null;
  if (seq > 1) {
    const hashes = await view.eventHashesAt(row.environment_id, seq - 1);
    // The first event after a prune links to the cut, which keeps the pruned predecessor's hash.
    const cut = hashes.length === 0 ? (await view.chainCuts()).find((c) => c.environmentId === row.environment_id && c.seq === seq - 1) : undefined;
    if (cut) previous = cut.hash;
    else if (hashes.length !== 1) return { ok: false, seq, reason: hashes.length === 0 ? `its predecessor (sequence ${seq - 1}) is not stored` : `sequence ${seq - 1} is stored more than once` };
    else previous = Buffer.from(hashes[0]!, 'hex');
  }
  const head = (await view.chainHeads()).find((h) => h.environmentId === row.environment_id);
  const hashOf = seq <= (head?.v1ThroughSeq ?? 0) ? chainHashV1 : chainHash;
  if (!hashOf(previous, row).equals(row.chain_hash)) return { ok: false, seq, reason: 'the row (or its predecessor) changed after it was stored' };
  return { ok: true, seq };
}
