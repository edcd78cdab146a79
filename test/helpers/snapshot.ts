import type { AuditSnapshot } from '../../src/store/audit-snapshot.js';
import { verifyEventChains } from '../../src/store/chain/verify-event-chain.js';
import { openReader } from '../../src/store/open-store.js';

/** Runs `read` on one snapshot of the SQLite database at `dbPath`, through a reader of its own, as verify does. */
export async function withSnapshot<T>(dbPath: string, read: (view: AuditSnapshot) => Promise<T>): Promise<T> {
  const reader = await openReader({ dbPath });
  try {
    return await reader.snapshot(read);
  } finally {
    await reader.close();
  }
}

/** The chain walk of `flatfile-audit verify` over the database at `dbPath`. */
export function verifyChainsOf(dbPath: string) {
  return withSnapshot(dbPath, (view) => verifyEventChains(view));
}
