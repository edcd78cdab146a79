import type { AgentRecord } from '../records.js';
import type { FlatfileHttp } from './http-client.js';
import { toListing, type Listing } from './inventory-result.js';
import { listAll } from './list-all.js';
import { isObject, isoDate, stringList, text } from './parse.js';
import { rawJson } from './scrub.js';

/** The agents deployed in an environment. Their code (`source`, `sourceMap`) is not kept. */
export async function listAgents(http: FlatfileHttp, environmentId: string, pageSize: number, signal?: AbortSignal): Promise<Listing<AgentRecord>> {
  const items = await listAll(http, { path: '/agents', query: { environmentId }, pageSize, signal });
  return toListing(items, (item) => parseAgent(item, environmentId));
}

export function parseAgent(item: unknown, environmentId: string): AgentRecord | string {
  if (!isObject(item)) return 'agent is not an object';
  const id = text(item.id);
  if (!id) return 'agent without an id';
  return {
    id,
    environmentId,
    slug: text(item.slug),
    topics: stringList(item.topics),
    createdAt: isoDate(item.createdAt),
    raw: rawJson(item, ['source', 'sourceMap']),
  };
}
