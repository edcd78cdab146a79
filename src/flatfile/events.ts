/**
 * One page of GET /events, validated. An audit log must ask with includeAcknowledged=true: by
 * default the API hides events an agent has acknowledged. The listing has no pagination object,
 * so the caller ends it on an empty page, and `served` (not the count of valid events) says
 * whether the page was empty.
 */
import type { EventRecord, RejectedEvent } from '../records.js';
import type { FlatfileHttp } from './http-client.js';
import { isObject, isoDate, listData, text } from './parse.js';
import { rawJson } from './scrub.js';

export interface EventsPageRequest {
  environmentId: string;
  since: string | null;
  pageNumber: number;
  pageSize: number;
}

export interface EventsPage {
  /** Items the API served on this page, valid or not: 0 ends the listing. */
  served: number;
  events: EventRecord[];
  rejected: RejectedEvent[];
}

export async function fetchEventsPage(http: FlatfileHttp, request: EventsPageRequest, signal?: AbortSignal): Promise<EventsPage> {
  const body = await http.get(
    '/events',
    {
      environmentId: request.environmentId,
      since: request.since ?? undefined,
      pageSize: request.pageSize,
      pageNumber: request.pageNumber,
      includeAcknowledged: true,
    },
    signal,
  );
  const items = listData(body, 'GET /events');
  const page: EventsPage = { served: items.length, events: [], rejected: [] };
  for (const item of items) {
    const parsed = parseEvent(item, request.environmentId);
    if ('reason' in parsed) page.rejected.push(parsed);
    else page.events.push(parsed);
  }
  return page;
}

/** Validates one event: it needs an id, a readable createdAt and a topic; all else is optional. */
export function parseEvent(item: unknown, environmentId: string): EventRecord | RejectedEvent {
  if (!isObject(item)) return reject(item, environmentId, null, 'event is not an object');
  const id = text(item.id);
  if (!id) return reject(item, environmentId, null, 'event has no id');
  const createdAt = isoDate(item.createdAt);
  if (!createdAt) return reject(item, environmentId, id, `event has no valid createdAt (${JSON.stringify(item.createdAt ?? null).slice(0, 40)})`);
  const topic = text(item.topic);
  if (!topic) return reject(item, environmentId, id, 'event has no topic');
  if (item.context !== undefined && item.context !== null && !isObject(item.context)) return reject(item, environmentId, id, 'event context is not an object');
  const context = isObject(item.context) ? item.context : {};
  const actorId = context.actorId;
  if (actorId !== undefined && actorId !== null && typeof actorId !== 'string') return reject(item, environmentId, id, 'event context.actorId is not a string');
  return {
    id,
    environmentId,
    createdAt,
    topic,
    domain: text(item.domain) ?? topic.split(':')[0] ?? topic,
    actorId: text(actorId),
    spaceId: text(context.spaceId),
    workbookId: text(context.workbookId),
    sheetId: text(context.sheetId),
    jobId: text(context.jobId),
    acknowledgedAt: isoDate(item.acknowledgedAt),
    deletedAt: isoDate(item.deletedAt),
    raw: rawJson(item),
  };
}

function reject(item: unknown, environmentId: string, eventId: string | null, reason: string): RejectedEvent {
  let raw: string;
  try {
    raw = rawJson(item) ?? 'null';
  } catch {
    raw = String(item);
  }
  return { environmentId, eventId, reason, raw };
}
