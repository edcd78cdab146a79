/** Reading prune archives (src/retention/archive-file.ts) back in tests, and checking their rows against the chain. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ArchivedEventLine, PruneArchiveHeader } from '../../src/retention/archive-file.js';
import { chainHash, type ChainedRow } from '../../src/store/chain/event-chain.js';

export function readArchive(path: string): { header: PruneArchiveHeader; events: ArchivedEventLine[] } {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  return { header: lines[0] as PruneArchiveHeader, events: lines.slice(1) as ArchivedEventLine[] };
}

/** Each environment's rows relinked from the header's previous hash: the hash of its last row, or a description of the first break. */
export function relink(archive: ReturnType<typeof readArchive>): Record<string, string> {
  const ends: Record<string, string> = {};
  for (const env of archive.header.environments) {
    let previous: Buffer | null = env.previousHash === null ? null : Buffer.from(env.previousHash, 'hex');
    let seq = env.fromSeq;
    for (const line of archive.events.filter((e) => e.environment_id === env.environmentId)) {
      const hash = chainHash(previous, line.event as unknown as ChainedRow);
      if (line.chain_seq !== seq || hash.toString('hex') !== line.chain_hash) return { [env.environmentId]: `broken at seq ${seq}` };
      previous = hash;
      seq += 1;
    }
    if (seq !== env.throughSeq + 1) return { [env.environmentId]: `ends at ${seq - 1}, not ${env.throughSeq}` };
    ends[env.environmentId] = previous?.toString('hex') ?? '';
  }
  return ends;
}
