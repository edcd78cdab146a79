/**
 * Linking newly stored events into their environments' chains inside one write transaction, the
 * same way in every store: an event gets the sequence number after its chain's head and the hash
 * linking that head to its digest, and becomes the head only if it was really stored (an id
 * already there is skipped and links nothing). So each chain stays gapless, 1, 2, 3…, whatever
 * order environments come in. The store reads each head under its write lock and saves the heads
 * that moved before it commits.
 */
import { linkHash, type ChainHead } from './event-chain.js';

export class ChainLinks {
  private readonly heads = new Map<string, ChainHead | null>();
  private readonly moved = new Set<string>();

  /** `readHead`: the head the store holds for an environment (null before its first event), read under the write lock. */
  constructor(private readonly readHead: (environmentId: string) => ChainHead | null) {}

  /** The link an event with `digest` gets if it is stored next in its environment's chain. */
  next(environmentId: string, digest: Buffer): ChainHead {
    const head = this.headOf(environmentId);
    return { seq: (head?.seq ?? 0) + 1, hash: linkHash(head?.hash ?? null, digest) };
  }

  /** The event linked by `link` was stored: it is its chain's head now. */
  stored(environmentId: string, link: ChainHead): void {
    this.heads.set(environmentId, link);
    this.moved.add(environmentId);
  }

  /** The heads that moved in this transaction, for the store to save with it. */
  movedHeads(): Array<[environmentId: string, head: ChainHead]> {
    return [...this.moved].map((environmentId) => [environmentId, this.heads.get(environmentId)!]);
  }

  private headOf(environmentId: string): ChainHead | null {
    let head = this.heads.get(environmentId);
    if (head === undefined) {
      head = this.readHead(environmentId);
      this.heads.set(environmentId, head);
    }
    return head;
  }
}
