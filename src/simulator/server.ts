/**
 * The HTTP server: /api/v1 (bearer auth, faults and the route, answered once the latency is up) and the
 * /__simulator admin surface (neither). Real sockets, so clients meet real resets and timeouts.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminRoutes } from './admin-routes.js';
import { apiRoutes, isPublicRoute } from './api-routes.js';
import { faultsApply } from './faults.js';
import { errorReply, matchRoute, routeId, runHandler, type Reply, type Route, type SimRequest } from './http.js';
import type { SimulatorOptions } from './options.js';
import { Simulator, type ScriptedReply } from './simulator.js';

export interface RunningSimulator {
  /** Base URL including the /api/v1 prefix. */
  url: string;
  port: number;
  sim: Simulator;
  /** Closes the server and destroys open sockets, stalled ones included. */
  close(): Promise<void>;
}

const API_PREFIX = '/api/v1';
const ADMIN_PREFIX = '/__simulator';
const MAX_BODY_BYTES = 1 << 20;
const HTML_BODY = '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Please try again later</h1></body></html>';

/** Starts a simulator on options.host:options.port (an ephemeral port by default). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = new Simulator(options);
  // Aborted on close: ends pending latency and stall waits, so close() is prompt.
  const closing = new AbortController();
  // One listener per request waiting out its latency or stall: any number may be pending at once.
  setMaxListeners(0, closing.signal);
  const server = createServer((req, res) => {
    serve(sim, req, res, closing.signal).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) send(sim, res, errorReply(500, `simulator error: ${String(error)}`), false);
    });
  });
  const { host, port } = sim.options;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actualPort}${API_PREFIX}`,
    port: actualPort,
    sim,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function serve(sim: Simulator, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  // The server's clock is the simulated one: the Date header is what a client checks event dates against.
  res.setHeader('date', sim.clock().toUTCString());
  const url = new URL(req.url ?? '/', 'http://simulator');
  const method = req.method ?? 'GET';
  const path = url.pathname;
  // A bad body is answered after faults, like any other 400 of the API.
  let body: unknown;
  let bodyError: Reply | undefined;
  try {
    body = await readJson(req);
  } catch (error) {
    bodyError = errorReply(400, error instanceof Error ? error.message : String(error), 'body');
  }
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
    const rel = path.slice(ADMIN_PREFIX.length);
    const match = matchRoute(adminRoutes, method, rel);
    const request = { method, path: rel, query: url.searchParams, headers: req.headers, body };
    send(sim, res, bodyError ?? (isRoute(match) ? runHandler(match, sim, request) : match), false);
    return;
  }
  if (!path.startsWith(`${API_PREFIX}/`)) {
    send(sim, res, errorReply(404, `no route ${path}: the API lives under ${API_PREFIX}`, 'route'), false);
    return;
  }

  const rel = path.slice(API_PREFIX.length);
  const match = matchRoute(apiRoutes, method, rel);
  sim.countRequest(isRoute(match) ? `${method} ${match.path}` : `${method} (unmatched)`);
  const faults = sim.faults();
  // The answer leaves `latencyMs` after the request arrived, not that long after the simulator got
  // round to it: the answer is built while the latency runs. Built after it, requests that arrive
  // together (a client's concurrent listings) would queue for this one thread when their latency
  // ends, and the API would seem slower the more concurrent its client.
  const answerAt = performance.now() + faults.latencyMs;
  const latencyOver = (): Promise<boolean> => waitUntil(answerAt, signal);

  const decision = faultsApply(faults, path, rel, isPublicRoute(method, rel)) ? sim.drawFault() : { kind: 'none' as const };
  switch (decision.kind) {
    case 'reset':
      if (!(await latencyOver())) return;
      sim.countOutcome('reset');
      req.socket.destroy();
      return;
    case 'stall':
      // A stalled request is answered like any other once the stall is over (built after it).
      if (!(await latencyOver()) || !(await wait(decision.ms, signal))) return;
      break;
    case '429':
      if (!(await latencyOver())) return;
      send(sim, res, errorReply(429, 'rate limit exceeded', 'rate_limit', { 'retry-after': decision.retryAfter }), true);
      return;
    case '5xx':
      if (!(await latencyOver())) return;
      send(sim, res, errorReply(decision.status, 'upstream error', 'server'), true);
      return;
    case 'html':
      if (!(await latencyOver())) return;
      if (!res.destroyed) sim.countOutcome(200);
      writeText(res, 200, HTML_BODY, { 'content-type': 'text/html; charset=utf-8' });
      return;
    default:
      break;
  }

  const id = isRoute(match) ? routeId(match, rel) : undefined;
  const request = { method, path: rel, query: url.searchParams, headers: req.headers, body, ...(id === undefined ? {} : { id }) };
  const scripted = sim.beforeAnswer ? await sim.beforeAnswer({ method, path: rel, query: url.searchParams }) : undefined;
  if (signal.aborted) return;
  const reply = scripted ? scriptedReply(scripted) : isRoute(match) ? (bodyError ?? answer(sim, match, request)) : match;
  if (decision.kind !== 'stall' && !(await latencyOver())) return;
  if (decision.kind === 'truncated' && reply.status >= 200 && reply.status < 300) {
    const text = JSON.stringify(reply.body);
    if (!res.destroyed) sim.countOutcome(reply.status);
    writeText(res, reply.status, text.slice(0, Math.floor(text.length / 2)), reply.headers);
    return;
  }
  send(sim, res, reply, true);
}

/** Checks the bearer token (except on POST /auth), then runs the route. */
function answer(sim: Simulator, route: Route<Simulator>, req: SimRequest): Reply {
  if (!isPublicRoute(req.method, req.path)) {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const refusal = sim.authRefusal(token);
    if (refusal !== undefined) return errorReply(401, refusal, 'authorization');
  }
  return runHandler(route, sim, req);
}

function scriptedReply(scripted: ScriptedReply): Reply {
  return 'body' in scripted ? { status: scripted.status, body: scripted.body } : errorReply(scripted.status, scripted.message, 'scripted');
}

function isRoute<T>(match: Route<T> | Reply): match is Route<T> {
  return 'handle' in match;
}

/** Waits unless the server closes first; false means give up the request. */
async function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until performance.now() reaches `at`; false if the server closes first. A timer alone may
 * fire up to a millisecond early (it truncates fractions and counts from the event loop's cached
 * time), which would answer faster than the latency set: check, and wait out any remainder.
 */
async function waitUntil(at: number, signal: AbortSignal): Promise<boolean> {
  for (let left = at - performance.now(); left > 0; left = at - performance.now()) {
    if (!(await wait(Math.ceil(left), signal))) return false;
  }
  return !signal.aborted;
}

function send(sim: Simulator, res: ServerResponse, reply: Reply, counted: boolean): void {
  if (res.destroyed) return; // the client went away (or close() ran) while we waited
  if (counted) sim.countOutcome(reply.status);
  writeText(res, reply.status, JSON.stringify(reply.body), reply.headers);
}

/** Writes a complete response; JSON unless `headers` name another content-type. */
function writeText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request's JSON body, or undefined when empty; throws on bad JSON or a body over 1 MB. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body is larger than 1 MB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error('request body is not valid JSON', { cause: error });
  }
}
