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
  if (isNormalised(value, time)) return value;
  const date = new Date(time);
  const year = date.getUTCFullYear();
  return year >= 1970 && year <= 9999 ? date.toISOString() : null;
}

const NORMALISED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * True when `value` (which Date.parse read as `time`) is already what isoDate would return, as
 * the API's own dates are: building a Date and printing it again costs more than the parse. Days
 * 29-31 and hour 24 are left to the slow path, since the parser rolls them over (Feb 30 is Mar 2).
 */
function isNormalised(value: string, time: number): boolean {
  return (
    time >= 0 && // 1970 or later; four digits already keep it before 10000
    value.length === 24 &&
    NORMALISED.test(value) &&
    (value.charCodeAt(8) < 0x32 || (value.charCodeAt(8) === 0x32 && value.charCodeAt(9) <= 0x38)) && // day <= 28
    !(value.charCodeAt(11) === 0x32 && value.charCodeAt(12) === 0x34) // hour 24
  );
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
  /** Items in the whole listing when this page was served, if the API said. */
  totalCount?: number;
}

/** The `pagination` object where the API sends one and it is well formed. */
export function pageInfo(body: unknown): PageInfo | undefined {
  if (!isObject(body) || !isObject(body.pagination)) return undefined;
  const { currentPage, pageCount, totalCount } = body.pagination;
  if (typeof currentPage !== 'number' || typeof pageCount !== 'number') return undefined;
  return typeof totalCount === 'number' ? { currentPage, pageCount, totalCount } : { currentPage, pageCount };
}
