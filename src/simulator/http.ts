/** Small HTTP pieces shared by the API and admin routes: the request/reply shapes, errors, paging. */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiErrorBody, Pagination } from './wire-types.js';

/** A parsed request as route handlers see it. */
export interface SimRequest {
  method: string;
  /** Path relative to the surface's prefix, e.g. "/events" for /api/v1/events. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when there is none). */
  body: unknown;
  /** The last path segment where the route's path ends in `/:id` (decoded), else undefined. */
  id?: string;
}

/** What a handler answers; the server serializes `body` as JSON. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Thrown by handlers to answer with an API error. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly key?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** The API's error shape: {errors: [{key?, message}]}. */
export function errorReply(status: number, message: string, key?: string, headers?: Record<string, string>): Reply {
  const body: ApiErrorBody = { errors: [key === undefined ? { message } : { key, message }] };
  return headers === undefined ? { status, body } : { status, body, headers };
}

export interface Paging {
  pageNumber: number;
  pageSize: number;
}

/** pageSize and pageNumber from the query: positive integers, else 400. */
export function parsePaging(query: URLSearchParams, defaultPageSize: number): Paging {
  return {
    pageSize: positiveInt(query, 'pageSize') ?? defaultPageSize,
    pageNumber: positiveInt(query, 'pageNumber') ?? 1,
  };
}

function positiveInt(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new HttpError(400, `${name} must be a positive integer, got "${text}"`, name);
  return value;
}

/** A boolean query flag ("true"/"false"); anything else is a 400. */
export function parseFlag(query: URLSearchParams, name: string): boolean {
  const text = query.get(name);
  if (text === null || text === 'false') return false;
  if (text === 'true') return true;
  throw new HttpError(400, `${name} must be true or false, got "${text}"`, name);
}

/** A required query parameter, else 400. */
export function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new HttpError(400, `${name} is required`, name);
  return value;
}

/** One page of `items` with the pagination object list endpoints carry. */
export function paginate<T>(items: readonly T[], paging: Paging): { data: T[]; pagination: Pagination } {
  const start = (paging.pageNumber - 1) * paging.pageSize;
  return {
    data: items.slice(start, start + paging.pageSize),
    pagination: {
      currentPage: paging.pageNumber,
      pageCount: Math.ceil(items.length / paging.pageSize),
      totalCount: items.length,
    },
  };
}

/** A route of one surface (API or admin). */
export interface Route<Ctx> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Exact, or ending in `/:id` for one more path segment (handed to the handler as `req.id`). */
  path: string;
  handle(ctx: Ctx, req: SimRequest): Reply;
}

/** Finds the route for a request: the route, or 404 (no such path) / 405 (wrong method). */
export function matchRoute<Ctx>(routes: ReadonlyArray<Route<Ctx>>, method: string, path: string): Route<Ctx> | Reply {
  const samePath = routes.filter((r) => pathMatches(r.path, path));
  if (samePath.length === 0) return errorReply(404, `no route ${path}`, 'route');
  const route = samePath.find((r) => r.method === method);
  if (route) return route;
  const allow = samePath.map((r) => r.method).join(', ');
  return errorReply(405, `method ${method} not allowed on ${path}`, 'method', { allow });
}

function pathMatches(pattern: string, path: string): boolean {
  if (!pattern.endsWith('/:id')) return pattern === path;
  const prefix = pattern.slice(0, -':id'.length);
  return path.startsWith(prefix) && path.length > prefix.length && !path.slice(prefix.length).includes('/');
}

/** The `:id` segment of `path` under `route`, decoded; undefined for exact routes. */
export function routeId(route: { path: string }, path: string): string | undefined {
  if (!route.path.endsWith('/:id')) return undefined;
  const segment = path.slice(route.path.length - ':id'.length);
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Runs a handler, turning HttpError (and any other throw) into an error reply. */
export function runHandler<Ctx>(route: Route<Ctx>, ctx: Ctx, req: SimRequest): Reply {
  try {
    return route.handle(ctx, req);
  } catch (error) {
    if (error instanceof HttpError) return errorReply(error.status, error.message, error.key, error.headers);
    return errorReply(500, `simulator error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
