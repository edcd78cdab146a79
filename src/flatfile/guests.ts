/**
 * Guests can only be listed per space (GET /guests?spaceId=), so an environment's guests are
 * gathered by walking its spaces. One guest listed in several spaces becomes one record whose
 * memberships are the union of what each listing said.
 */
import pLimit from 'p-limit';
import type { GuestMembership, GuestRecord } from '../records.js';
import type { FlatfileHttp } from './http-client.js';
import type { Listing } from './inventory-result.js';
import { isObject, isoDate, listData, text } from './parse.js';
import { rawJson } from './scrub.js';

/** All guests of the given spaces of one environment, each once. */
export async function listGuests(
  http: FlatfileHttp,
  environmentId: string,
  spaceIds: readonly string[],
  concurrency: number,
  signal?: AbortSignal,
): Promise<Listing<GuestRecord>> {
  const limit = pLimit(concurrency);
  const pages = await Promise.all(spaceIds.map((spaceId) => limit(async () => ({ spaceId, items: listData(await http.get('/guests', { spaceId }, signal), 'GET /guests') }))));
  const byId = new Map<string, GuestRecord>();
  const listing: Listing<GuestRecord> = { records: [], invalid: [] };
  for (const { spaceId, items } of pages) {
    for (const item of items) {
      const parsed = parseGuest(item, environmentId, spaceId);
      if (typeof parsed === 'string') {
        listing.invalid.push({ reason: parsed });
        continue;
      }
      const known = byId.get(parsed.id);
      if (known) known.spaces = mergeMemberships(known.spaces, parsed.spaces);
      else byId.set(parsed.id, parsed);
    }
  }
  listing.records = [...byId.values()];
  return listing;
}

export function parseGuest(item: unknown, environmentId: string, listedInSpaceId: string): GuestRecord | string {
  if (!isObject(item)) return 'guest is not an object';
  const id = text(item.id);
  if (!id) return 'guest without an id';
  const memberships: GuestMembership[] = [];
  if (Array.isArray(item.spaces)) {
    for (const space of item.spaces) {
      if (isObject(space) && text(space.id)) memberships.push({ spaceId: space.id as string, lastAccessed: isoDate(space.lastAccessed) });
    }
  }
  // The space we listed it in is a membership even if its `spaces` array forgot to say so.
  if (!memberships.some((m) => m.spaceId === listedInSpaceId)) memberships.push({ spaceId: listedInSpaceId, lastAccessed: null });
  return { id, environmentId, email: text(item.email), name: text(item.name), spaces: memberships, raw: rawJson(item) };
}

function mergeMemberships(a: GuestMembership[], b: GuestMembership[]): GuestMembership[] {
  const bySpace = new Map(a.map((m) => [m.spaceId, m]));
  for (const m of b) {
    const known = bySpace.get(m.spaceId);
    if (!known || (m.lastAccessed && (!known.lastAccessed || m.lastAccessed > known.lastAccessed))) bySpace.set(m.spaceId, m);
  }
  return [...bySpace.values()];
}
