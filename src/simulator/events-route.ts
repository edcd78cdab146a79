/** GET /events: offsets on the current list, no pagination object, acknowledged events hidden by default. */
import { HttpError, parseFlag, parsePaging, type Reply, type Route, type SimRequest } from './http.js';
import type { EventsQuery, Simulator } from './simulator.js';

/** Parses the query, runs the onEventsRequest hook, then serves the page. */
function listEvents(sim: Simulator, req: SimRequest): Reply {
  const { query } = req;
  const paging = parsePaging(query, 10);
  // A server may cap pageSize without saying so: a short page is not the end, an empty one is.
  const pageSize = Math.min(paging.pageSize, sim.options.pageSizeCap);
  const environmentId = query.get('environmentId') ?? undefined;
  if (environmentId !== undefined && sim.findEnvironment(environmentId) === undefined) {
    throw new HttpError(404, `environment ${environmentId} not found`, 'environmentId');
  }
  const since = query.get('since') ?? undefined;
  const sinceMs = since === undefined ? undefined : Date.parse(since);
  if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw new HttpError(400, `since is not a valid date: "${since}"`, 'since');
  const parsed: EventsQuery = {
    includeAcknowledged: parseFlag(query, 'includeAcknowledged'),
    pageNumber: paging.pageNumber,
    pageSize,
  };
  if (environmentId !== undefined) parsed.environmentId = environmentId;
  if (sinceMs !== undefined) parsed.sinceMs = sinceMs;
  for (const name of ['spaceId', 'domain', 'topic'] as const) {
    const value = query.get(name);
    if (value !== null && value !== '') parsed[name] = value;
  }
  if (sim.onEventsRequest) {
    const info: Parameters<NonNullable<Simulator['onEventsRequest']>>[0] = { pageNumber: paging.pageNumber, pageSize };
    if (environmentId !== undefined) info.environmentId = environmentId;
    if (since !== undefined) info.since = since;
    sim.onEventsRequest(info);
    // The hook may have deleted the environment; answer as the API then would.
    if (environmentId !== undefined && sim.findEnvironment(environmentId) === undefined) {
      throw new HttpError(404, `environment ${environmentId} not found`, 'environmentId');
    }
  }
  return { status: 200, body: { data: sim.eventsPage(parsed) } };
}

export const eventsRoute: Route<Simulator> = { method: 'GET', path: '/events', handle: listEvents };
