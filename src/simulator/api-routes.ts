/** The Flatfile API routes other than /events (see events-route.ts), as in /work/shared/flatfile-api.md. */
import type { Agent, CreatePersonalAccessTokenData, PersonalAccessToken, Space, SuccessBody } from './wire-types.js';
import { eventsRoute } from './events-route.js';
import { HttpError, errorReply, paginate, parseFlag, parsePaging, required, type Route, type SimRequest } from './http.js';
import type { Simulator } from './simulator.js';

/**
 * POST /auth: legacy clientId/secret exchange; the answer is not wrapped in `data`. The body is a
 * union keyed on `type` ("apiCredentials" or "userCredentials"), so a body without it is a 400.
 */
function exchange(sim: Simulator, req: SimRequest) {
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  if (body.type === 'userCredentials') return errorReply(401, 'invalid email or password', 'authorization');
  if (body.type !== 'apiCredentials') return errorReply(400, 'type must be "apiCredentials" or "userCredentials"', 'type');
  const token = sim.exchangeCredentials(body.clientId, body.secret);
  if (token === undefined) return errorReply(401, 'invalid clientId or secret', 'authorization');
  return { status: 200, body: token };
}

function listEnvironments(sim: Simulator, req: SimRequest) {
  return { status: 200, body: paginate(sim.environments(), parsePaging(req.query, 10)) };
}

function listUsers(sim: Simulator, req: SimRequest) {
  const paging = parsePaging(req.query, 20);
  const email = req.query.get('email')?.toLowerCase();
  const search = req.query.get('search')?.toLowerCase();
  const users = sim
    .users()
    .filter((u) => (!email || u.email === email) && (!search || u.name.toLowerCase().includes(search) || u.email.includes(search)));
  return { status: 200, body: paginate(users, paging) };
}

/** GET /spaces: all environments unless environmentId; archived spaces only with archived=true. */
function listSpaces(sim: Simulator, req: SimRequest) {
  const paging = parsePaging(req.query, 10);
  const environmentId = req.query.get('environmentId') ?? undefined;
  if (environmentId !== undefined) liveEnvironment(sim, environmentId);
  const archived = parseFlag(req.query, 'archived');
  const search = req.query.get('search')?.toLowerCase();
  const spaces = sim
    .spaces(environmentId)
    .filter((s: Space) => (archived || s.archivedAt === undefined) && (!search || (s.name ?? '').toLowerCase().includes(search)));
  return { status: 200, body: paginate(spaces, paging) };
}

/** GET /guests?spaceId=: no account-wide listing and no pagination, as in the real API. */
function listGuests(sim: Simulator, req: SimRequest) {
  const spaceId = required(req.query, 'spaceId');
  const space = sim.findSpace(spaceId);
  if (space === undefined) throw new HttpError(404, `space ${spaceId} not found`, 'spaceId');
  const email = req.query.get('email')?.toLowerCase();
  const guests = sim
    .guests(space.environmentId)
    .filter((g) => g.spaces.some((s) => s.id === spaceId) && (!email || g.email === email));
  return { status: 200, body: { data: guests } };
}

/** GET /agents?environmentId=: agents carry their `source` code, which clients must drop. */
function listAgents(sim: Simulator, req: SimRequest) {
  const environmentId = required(req.query, 'environmentId');
  liveEnvironment(sim, environmentId);
  const paging = parsePaging(req.query, 10);
  const isSystem = req.query.has('isSystem') ? parseFlag(req.query, 'isSystem') : undefined;
  const search = req.query.get('search')?.toLowerCase();
  const agents = sim
    .agents(environmentId)
    .filter((a: Agent) => (isSystem === undefined || Boolean(a.isSystem) === isSystem) && (!search || (a.slug ?? '').includes(search)));
  return { status: 200, body: paginate(agents, paging) };
}

/** GET /auth/personal-access-tokens: the calling user's PATs, no secret values, no pagination. */
function listPersonalAccessTokens(sim: Simulator) {
  const data: PersonalAccessToken[] = sim.personalAccessTokens();
  return { status: 200, body: { data } };
}

/** POST /auth/personal-access-tokens {name}: the new token's value, shown this once, and its record. */
function createPersonalAccessToken(sim: Simulator, req: SimRequest) {
  const body = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
  if (typeof body.name !== 'string' || body.name.trim() === '') throw new HttpError(400, 'name is required', 'name');
  const data: CreatePersonalAccessTokenData = sim.createPersonalAccessToken(body.name);
  return { status: 200, body: { data } };
}

/** DELETE /auth/personal-access-tokens/{id}: revoked at once; an unknown id is a 404. */
function deletePersonalAccessToken(sim: Simulator, req: SimRequest) {
  const id = req.id ?? '';
  if (!sim.deletePersonalAccessToken(id)) throw new HttpError(404, `personal access token ${id} not found`, 'accessTokenId');
  const body: SuccessBody = { data: { success: true } };
  return { status: 200, body };
}

function liveEnvironment(sim: Simulator, environmentId: string): void {
  if (sim.findEnvironment(environmentId) === undefined) throw new HttpError(404, `environment ${environmentId} not found`, 'environmentId');
}

/** Paths are relative to /api/v1. Only POST /auth works without a bearer token. */
export const apiRoutes: ReadonlyArray<Route<Simulator>> = [
  { method: 'POST', path: '/auth', handle: exchange },
  { method: 'GET', path: '/environments', handle: listEnvironments },
  { method: 'GET', path: '/users', handle: listUsers },
  { method: 'GET', path: '/spaces', handle: listSpaces },
  { method: 'GET', path: '/guests', handle: listGuests },
  { method: 'GET', path: '/agents', handle: listAgents },
  { method: 'GET', path: '/auth/personal-access-tokens', handle: listPersonalAccessTokens },
  { method: 'POST', path: '/auth/personal-access-tokens', handle: createPersonalAccessToken },
  { method: 'DELETE', path: '/auth/personal-access-tokens/:id', handle: deletePersonalAccessToken },
  eventsRoute,
];

/** The routes that skip the bearer check. */
export function isPublicRoute(method: string, path: string): boolean {
  return method === 'POST' && path === '/auth';
}
