/** Small validators for API answers: each reads one field and says plainly when it is wrong. */
import { ApiError } from '../errors.js';

export type Fields = Record<string, unknown>;

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or null. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** A date normalised to ISO-8601 UTC with milliseconds (so text order is time order), or null. */
export function isoDate(value: unknown): string | null {
  if (typeof value !== 'string' || value.length < 10) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return null;
  const date = new Date(time);
  const year = date.getUTCFullYear();
  return year >= 1970 && year <= 9999 ? date.toISOString() : null;
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The `data` array of a list answer; an answer without one is a broken response, not an empty list. */
export function listData(body: unknown, route: string): unknown[] {
  if (isObject(body) && Array.isArray(body.data)) return body.data;
  if (isObject(body) && body.data === undefined && route.startsWith('GET /agents')) return []; // agents' data is optional in the schema
  throw new ApiError(200, `${route} answered without a data array`);
}

export interface PageInfo {
  currentPage: number;
  pageCount: number;
}

/** The `pagination` object where the API sends one and it is well formed. */
export function pageInfo(body: unknown): PageInfo | undefined {
  if (!isObject(body) || !isObject(body.pagination)) return undefined;
  const { currentPage, pageCount } = body.pagination;
  if (typeof currentPage !== 'number' || typeof pageCount !== 'number') return undefined;
  return { currentPage, pageCount };
}
