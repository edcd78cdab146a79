/**
 * Walks a paginated inventory listing (environments, users, spaces, agents) to the end. Only an
 * empty page or the `pagination` object ends it: a short page may just mean the server capped
 * pageSize. A page that brings no id not seen before also ends it, so an API that ignores
 * pageNumber cannot keep us looping; items without an id are kept (the resource parser rejects
 * them) but are never new, so an API serving them forever cannot either.
 */
import type { FlatfileHttp, Query } from './http-client.js';
import { isObject, listData, pageInfo } from './parse.js';

export interface ListRequest {
  path: string;
  query: Query;
  pageSize: number;
  signal?: AbortSignal | undefined;
}

/** Times a listing is read again because it changed while it was paged, before the last read is taken as it is. */
const MAX_READS = 3;

/**
 * Every item of the listing, in the order served; duplicates across pages are kept once. An item
 * removed while the listing is paged shifts the later ones back, so one of them can fall between two
 * pages and be taken for removed; when the API's `totalCount` changes between pages the listing is
 * read again from the start (a few times at most).
 */
export async function listAll(http: FlatfileHttp, request: ListRequest): Promise<unknown[]> {
  for (let read = 1; ; read += 1) {
    const { items, changed } = await readOnce(http, request);
    if (!changed || read >= MAX_READS) return items;
  }
}

async function readOnce(http: FlatfileHttp, request: ListRequest): Promise<{ items: unknown[]; changed: boolean }> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  const route = `GET ${request.path}`;
  const totals = new Set<number>();
  for (let pageNumber = 1; ; pageNumber += 1) {
    const body = await http.get(request.path, { ...request.query, pageSize: request.pageSize, pageNumber }, request.signal);
    const page = listData(body, route);
    let fresh = 0;
    for (const item of page) {
      const id = isObject(item) && typeof item.id === 'string' ? item.id : undefined;
      if (id === undefined) {
        items.push(item);
        continue;
      }
      if (seen.has(id)) continue;
      seen.add(id);
      fresh += 1;
      items.push(item);
    }
    const info = pageInfo(body);
    if (info?.totalCount !== undefined) totals.add(info.totalCount);
    if (page.length === 0 || fresh === 0 || (info && info.currentPage >= info.pageCount)) return { items, changed: totals.size > 1 };
  }
}
