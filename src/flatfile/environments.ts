import type { EnvironmentRecord } from '../records.js';
import type { FlatfileHttp } from './http-client.js';
import { toListing, type Listing } from './inventory-result.js';
import { listAll } from './list-all.js';
import { isObject, text } from './parse.js';
import { rawJson } from './scrub.js';

/** Every environment the token can see (GET /environments, all pages). */
export async function listEnvironments(http: FlatfileHttp, pageSize: number, signal?: AbortSignal): Promise<Listing<EnvironmentRecord>> {
  const items = await listAll(http, { path: '/environments', query: {}, pageSize, signal });
  return toListing(items, parseEnvironment);
}

export function parseEnvironment(item: unknown): EnvironmentRecord | string {
  if (!isObject(item)) return 'environment is not an object';
  const id = text(item.id);
  if (!id) return 'environment without an id';
  return { id, accountId: text(item.accountId), name: text(item.name) ?? id, isProd: item.isProd === true, raw: rawJson(item) };
}
