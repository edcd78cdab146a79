import type { SpaceRecord } from '../records.js';
import type { FlatfileHttp } from './http-client.js';
import { toListing, type Listing } from './inventory-result.js';
import { listAll } from './list-all.js';
import { isObject, isoDate, text } from './parse.js';
import { rawJson } from './scrub.js';

/** Every space of an environment, archived ones included. `accessToken` and `guestLink` never leave this module. */
export async function listSpaces(http: FlatfileHttp, environmentId: string, pageSize: number, signal?: AbortSignal): Promise<Listing<SpaceRecord>> {
  const items = await listAll(http, { path: '/spaces', query: { environmentId, archived: true }, pageSize, signal });
  return toListing(items, (item) => parseSpace(item, environmentId));
}

export function parseSpace(item: unknown, environmentId: string): SpaceRecord | string {
  if (!isObject(item)) return 'space is not an object';
  const id = text(item.id);
  if (!id) return 'space without an id';
  return {
    id,
    environmentId,
    name: text(item.name),
    createdAt: isoDate(item.createdAt),
    archivedAt: isoDate(item.archivedAt),
    createdByUserId: text(item.createdByUserId),
    raw: rawJson(item, ['accessToken', 'guestLink']),
  };
}
