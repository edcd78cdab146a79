/**
 * The account-level inventories: every environment the token sees, and the account's users. The
 * environments listing is also the plan of a run: each one gets its own environment sync.
 */
import { listEnvironments } from '../flatfile/environments.js';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import { listUsers } from '../flatfile/users.js';
import type { Logger } from '../log.js';
import type { EnvironmentRecord } from '../records.js';
import type { AuditStore } from '../store/audit-store.js';

export interface DirectoryDeps {
  http: FlatfileHttp;
  store: AuditStore;
  log: Logger;
  clock: () => Date;
  signal: AbortSignal;
}

/** Lists and stores the environments; returns them. */
export async function syncEnvironmentList(deps: DirectoryDeps, pageSize: number): Promise<EnvironmentRecord[]> {
  const listing = await listEnvironments(deps.http, pageSize, deps.signal);
  for (const item of listing.invalid) deps.log.warn({ reason: item.reason }, 'skipped an environment without required fields');
  await deps.store.writeInventory({ kind: 'environments', scope: null, records: listing.records, seenAt: deps.clock().toISOString() });
  return listing.records;
}

/** Lists and stores the account's users; returns how many there are. */
export async function syncUsers(deps: DirectoryDeps, pageSize: number): Promise<number> {
  const listing = await listUsers(deps.http, pageSize, deps.signal);
  for (const item of listing.invalid) deps.log.warn({ reason: item.reason }, 'skipped a user without required fields');
  await deps.store.writeInventory({ kind: 'users', scope: null, records: listing.records, seenAt: deps.clock().toISOString() });
  return listing.records.length;
}
