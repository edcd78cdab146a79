import type { UserRecord } from '../records.js';
import type { FlatfileHttp } from './http-client.js';
import { toListing, type Listing } from './inventory-result.js';
import { listAll } from './list-all.js';
import { isObject, isoDate, text } from './parse.js';
import { rawJson } from './scrub.js';

/** The account's users (GET /users, account level, all pages). */
export async function listUsers(http: FlatfileHttp, pageSize: number, signal?: AbortSignal): Promise<Listing<UserRecord>> {
  const items = await listAll(http, { path: '/users', query: {}, pageSize, signal });
  return toListing(items, parseUser);
}

export function parseUser(item: unknown): UserRecord | string {
  if (!isObject(item)) return 'user is not an object';
  const id = text(item.id);
  if (!id) return 'user without an id';
  return {
    id,
    email: text(item.email),
    name: text(item.name),
    createdAt: isoDate(item.createdAt),
    lastSeenAt: isoDate(item.lastSeenAt),
    raw: rawJson(item),
  };
}
