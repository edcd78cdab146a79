/**
 * Whether a PostgreSQL store holds exactly the simulator's events (same ids, none missing, none
 * extra), and whether every environment's hash chain verifies, as `flatfile-audit verify` checks it.
 */
import { verifyEventChains } from '../src/store/chain/verify-event-chain.js';
import { openReader } from '../src/store/open-store.js';
import type { BenchDatabase } from './postgres-database.js';
import type { Exactness } from './exactness.js';

export interface PostgresExactness extends Exactness {
  /** verify's verdict on the chains: gapless, every hash linking, heads where the chains end. */
  chainOk: boolean;
  chainRows: number;
}

export async function compareStoreWithTruth(db: BenchDatabase, schema: string, truthIds: readonly string[]): Promise<PostgresExactness> {
  const stored = await db.withClient(schema, async (client) => (await client.query<{ id: string }>('SELECT id FROM events')).rows.map((r) => r.id));
  const truth = new Set(truthIds);
  const storedSet = new Set(stored);
  let missing = 0;
  for (const id of truth) if (!storedSet.has(id)) missing += 1;
  let extra = 0;
  for (const id of storedSet) if (!truth.has(id)) extra += 1;
  const reader = await openReader({ dbPath: '/nonexistent/unused.db', postgres: db.settings(schema) });
  let chain;
  try {
    chain = await reader.snapshot((view) => verifyEventChains(view));
  } finally {
    await reader.close();
  }
  const exact = missing === 0 && extra === 0 && stored.length === truthIds.length && storedSet.size === stored.length && chain.ok && chain.rows === truthIds.length;
  return { exact, stored: stored.length, truth: truthIds.length, missing, extra, chainOk: chain.ok, chainRows: chain.rows };
}
