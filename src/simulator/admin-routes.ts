/**
 * The admin surface under /__simulator, for driving a simulator that runs in another process
 * (the `simulator` CLI command, the benchmark). No auth and no faults: it binds to loopback.
 */
import { faultsFromJson, faultsToJson } from './faults.js';
import { HttpError, type Route, type SimRequest } from './http.js';
import type { Simulator } from './simulator.js';

/** GET /truth: {environments: {id: count}, total}, counting what includeAcknowledged=true shows. */
function truth(sim: Simulator) {
  const environments: Record<string, number> = {};
  for (const env of sim.environments()) environments[env.id] = sim.eventCount(env.id);
  return { status: 200, body: { environments, total: sim.eventCount() } };
}

/** GET /truth/ids?environmentId=: a bare JSON array of sorted ids (all environments if omitted). */
function truthIds(sim: Simulator, req: SimRequest) {
  const environmentId = req.query.get('environmentId') ?? undefined;
  if (environmentId !== undefined) knownEnvironment(sim, environmentId);
  return { status: 200, body: sim.eventIds(environmentId) };
}

/** POST /events {environmentId, count, createdAt?}: a bare JSON array of the added ids. */
function addEvents(sim: Simulator, req: SimRequest) {
  const body = objectBody(req);
  const { environmentId, count, createdAt } = body;
  if (typeof environmentId !== 'string') throw new HttpError(400, 'environmentId must be a string', 'environmentId');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new HttpError(400, 'count must be a non-negative integer', 'count');
  if (createdAt !== undefined && (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))) {
    throw new HttpError(400, 'createdAt must be an ISO date string', 'createdAt');
  }
  knownEnvironment(sim, environmentId);
  const added = sim.addEvents(environmentId, count, typeof createdAt === 'string' ? { createdAt } : {});
  return { status: 200, body: added.map((e) => e.id) };
}

/** POST /faults with Partial<Faults> (`only` as a pattern string, null clears it): answers the faults now in force. */
function setFaults(sim: Simulator, req: SimRequest) {
  try {
    sim.setFaults(faultsFromJson(req.body));
  } catch (error) {
    throw new HttpError(400, error instanceof Error ? error.message : String(error), 'faults');
  }
  return { status: 200, body: faultsToJson(sim.faults()) };
}

function faults(sim: Simulator) {
  return { status: 200, body: faultsToJson(sim.faults()) };
}

function stats(sim: Simulator) {
  return { status: 200, body: sim.stats() };
}

function resetStats(sim: Simulator) {
  sim.resetStats();
  return { status: 200, body: sim.stats() };
}

/** Secret values, so an out-of-process test can grep a database or log for leaks. */
function secrets(sim: Simulator) {
  return { status: 200, body: sim.secrets() };
}

/** POST /users/rename {userId, name?, email?}: the user as /users now lists it. */
function renameUser(sim: Simulator, req: SimRequest) {
  const { userId, name, email } = objectBody(req);
  if (typeof userId !== 'string') throw new HttpError(400, 'userId must be a string', 'userId');
  if ((name !== undefined && typeof name !== 'string') || (email !== undefined && typeof email !== 'string')) throw new HttpError(400, 'name and email must be strings', 'name');
  return { status: 200, body: changed(() => sim.renameUser(userId, { ...(name !== undefined ? { name } : {}), ...(email !== undefined ? { email } : {}) })) };
}

/** POST /guests/access {guestId, spaceId, granted: boolean}: the space:guestAdded or guestRemoved event it made. */
function guestAccess(sim: Simulator, req: SimRequest) {
  const { guestId, spaceId, granted } = objectBody(req);
  if (typeof guestId !== 'string' || typeof spaceId !== 'string' || typeof granted !== 'boolean') {
    throw new HttpError(400, 'guestId and spaceId must be strings, granted a boolean', 'guestId');
  }
  return { status: 200, body: changed(() => (granted ? sim.addGuestToSpace(guestId, spaceId) : sim.removeGuestFromSpace(guestId, spaceId))) };
}

/** POST /guests/remove {guestId}: removes the guest (a space:guestRemoved per space it could reach). */
function removeGuest(sim: Simulator, req: SimRequest) {
  const { guestId } = objectBody(req);
  if (typeof guestId !== 'string') throw new HttpError(400, 'guestId must be a string', 'guestId');
  changed(() => sim.removeGuest(guestId));
  return { status: 200, body: { removed: guestId } };
}

/** GET /truth/access?spaceId=&at=: the ids of the guests that could reach the space at that time. */
function truthAccess(sim: Simulator, req: SimRequest) {
  const spaceId = req.query.get('spaceId');
  const at = req.query.get('at');
  if (spaceId === null || at === null || Number.isNaN(Date.parse(at))) throw new HttpError(400, 'spaceId and at (an ISO date) are required', 'spaceId');
  return { status: 200, body: sim.guestsWithAccess(spaceId, at) };
}

/** A change the simulator refuses (unknown id, no such membership) is the caller's mistake: 400. */
function changed<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    throw new HttpError(400, error instanceof Error ? error.message : String(error), 'body');
  }
}

function knownEnvironment(sim: Simulator, environmentId: string): void {
  if (sim.findEnvironment(environmentId) === undefined) throw new HttpError(404, `environment ${environmentId} not found`, 'environmentId');
}

function objectBody(req: SimRequest): Record<string, unknown> {
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new HttpError(400, 'body must be a JSON object', 'body');
  return req.body as Record<string, unknown>;
}

/** Paths are relative to /__simulator. */
export const adminRoutes: ReadonlyArray<Route<Simulator>> = [
  { method: 'GET', path: '/truth', handle: truth },
  { method: 'GET', path: '/truth/ids', handle: truthIds },
  { method: 'POST', path: '/events', handle: addEvents },
  { method: 'GET', path: '/faults', handle: faults },
  { method: 'POST', path: '/faults', handle: setFaults },
  { method: 'GET', path: '/stats', handle: stats },
  { method: 'POST', path: '/stats/reset', handle: resetStats },
  { method: 'GET', path: '/secrets', handle: secrets },
  { method: 'POST', path: '/users/rename', handle: renameUser },
  { method: 'POST', path: '/guests/access', handle: guestAccess },
  { method: 'POST', path: '/guests/remove', handle: removeGuest },
  { method: 'GET', path: '/truth/access', handle: truthAccess },
];
