/**
 * One environment's events, kept so a page costs O(pageSize + log n) even at a million events:
 * records sorted by (createdAt, id), a second sorted array of the unacknowledged ones (the default
 * listing), binary search for `since`, and newest-first offsets counted from the end.
 * Records are compact; the full Event JSON is built only when a page is served (event-factory.ts).
 */
import { compareRecords, type EventRecord } from './event-record.js';

export interface PageQuery {
  sinceMs: number | undefined;
  includeAcknowledged: boolean;
  newestFirst: boolean;
  offset: number;
  limit: number;
  /** Optional filter (spaceId, domain, topic): costs a scan, which the sync never needs. */
  filter?: (record: EventRecord) => boolean;
}

export class EventLog {
  private all: EventRecord[];
  private unacked: EventRecord[];
  /** Raw events without a usable createdAt: listed after all others, whatever the order or since. */
  private readonly tail: EventRecord[] = [];
  private rawInMain = 0;

  /** `sorted` must already be in compareRecords order (the generator produces it so). */
  constructor(sorted: EventRecord[]) {
    this.all = sorted;
    this.unacked = sorted.filter((r) => r.ackBy === undefined);
  }

  /** Number of well-formed events (raw ones are not part of the ground truth). */
  get size(): number {
    return this.all.length - this.rawInMain;
  }

  /** Well-formed records in sort order. */
  records(): EventRecord[] {
    return this.rawInMain === 0 ? this.all.slice() : this.all.filter((r) => r.raw === undefined);
  }

  /** Adds records anywhere in time; appending after the newest is the cheap, common case. */
  insert(records: EventRecord[]): void {
    const sorted = records.slice().sort(compareRecords);
    for (const r of sorted) if (r.raw !== undefined) this.rawInMain++;
    this.all = mergeSorted(this.all, sorted);
    this.unacked = mergeSorted(this.unacked, sorted.filter((r) => r.ackBy === undefined));
  }

  /** A raw event that has no valid createdAt: it goes to the end of every listing. */
  appendToTail(record: EventRecord): void {
    this.tail.push(record);
  }

  /** The records of one page. */
  page(query: PageQuery): EventRecord[] {
    return pageOf(this.sources(query.includeAcknowledged), query);
  }

  /** The main sorted array and the tail for a listing (exposed to merge environments). */
  sources(includeAcknowledged: boolean): { main: readonly EventRecord[]; tail: readonly EventRecord[] } {
    return includeAcknowledged
      ? { main: this.all, tail: this.tail }
      : { main: this.unacked, tail: this.tail.filter((r) => r.ackBy === undefined) };
  }
}

/** Slices one page out of a sorted array plus a tail, in the requested order. */
export function pageOf(source: { main: readonly EventRecord[]; tail: readonly EventRecord[] }, query: PageQuery): EventRecord[] {
  let { main, tail } = source;
  let lo = query.sinceMs === undefined ? 0 : lowerBound(main, query.sinceMs);
  if (query.filter) {
    const keep = query.filter;
    const filtered: EventRecord[] = [];
    for (let i = lo; i < main.length; i++) if (keep(main[i] as EventRecord)) filtered.push(main[i] as EventRecord);
    main = filtered;
    tail = tail.filter(keep);
    lo = 0;
  }
  const mainCount = main.length - lo;
  const end = Math.min(mainCount + tail.length, query.offset + query.limit);
  const out: EventRecord[] = [];
  for (let i = query.offset; i < end; i++) {
    if (i >= mainCount) out.push(tail[i - mainCount] as EventRecord);
    else out.push((query.newestFirst ? main[main.length - 1 - i] : main[lo + i]) as EventRecord);
  }
  return out;
}

/** Index of the first record with createdAt >= ms. */
export function lowerBound(records: readonly EventRecord[], ms: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((records[mid] as EventRecord).t < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Merges two sorted arrays; when b starts after a ends (new events) it is a plain append. */
export function mergeSorted(a: EventRecord[], b: readonly EventRecord[]): EventRecord[] {
  if (b.length === 0) return a;
  const last = a[a.length - 1];
  if (last === undefined || compareRecords(last, b[0] as EventRecord) <= 0) {
    for (const r of b) a.push(r);
    return a;
  }
  const out = new Array<EventRecord>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = compareRecords(a[i] as EventRecord, b[j] as EventRecord) <= 0 ? (a[i++] as EventRecord) : (b[j++] as EventRecord);
  }
  while (i < a.length) out[k++] = a[i++] as EventRecord;
  while (j < b.length) out[k++] = b[j++] as EventRecord;
  return out;
}
