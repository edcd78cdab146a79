/**
 * The account-level inventories: every environment the token sees, the account's users, and the
 * credential's user's Personal Access Tokens. The environments listing is also the plan of a run:
 * each one gets its own environment sync.
 */
import { NotFoundError, TokenRejectedError } from '../errors.js';
import { listEnvironments } from '../flatfile/environments.js';
import { listPersonalAccessTokens } from '../flatfile/personal-access-tokens.js';
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

/**
 * Lists and stores the calling user's Personal Access Tokens; returns how many, or null when the
 * credential may not list them (403, or an API without the call: 404; a legacy API key is no user).
 * Then the stored ones are left as they were: a listing refused is not a listing of none, and the
 * rest of the directory sync goes on.
 */
export async function syncPersonalAccessTokens(deps: DirectoryDeps): Promise<number | null> {
  let listing;
  try {
    listing = await listPersonalAccessTokens(deps.http, deps.signal);
  } catch (error) {
    if ((error instanceof TokenRejectedError && error.status === 403) || error instanceof NotFoundError) {
      deps.log.warn({ err: error }, 'the credential may not list personal access tokens; token hygiene is not checked');
      return null;
    }
    throw error;
  }
  for (const item of listing.invalid) deps.log.warn({ reason: item.reason }, 'skipped a personal access token without required fields');
  await deps.store.writeInventory({ kind: 'personal_access_tokens', scope: null, records: listing.records, seenAt: deps.clock().toISOString() });
  return listing.records.length;
}
