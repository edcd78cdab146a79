/**
 * A page of events as the PostgreSQL store keeps it, prepared before its transaction: every text
 * made storable and every time put in the form it reads back in (storable-text.ts, timestamps.ts),
 * then encoded and digested exactly as the SQLite store does (prepare-pages.ts), so that the hash
 * chain covers what is stored and has the same format in both stores. Each event's COPY text is
 * made here too, all but the chain columns (which depend on the head it links onto): the page is
 * prepared as it arrives (page-batch.ts), while the writer is busy with the batch before, so the
 * writer's transaction only links, COPYs and moves cursors.
 */
import type { PageWrite } from '../audit-store.js';
import type { EventRecord, RejectedEvent } from '../../records.js';
import { DIGEST_BYTES, eventValues, rowText, writeTextDigest, type ChainedValues } from '../chain/event-chain.js';
import { prepareRejected } from '../sqlite/prepare-pages.js';
import { CopyBytes } from './copy-bytes.js';
import { isoMillis, isoMillisOrNull } from './timestamps.js';
import { storableJson, storableJsonChecked, storableText, storableTextOrNull } from './storable-text.js';

export interface StorableEvent {
  /** The row's values in CHAINED_COLUMNS order: what is stored, and what the chain covers. */
  values: ChainedValues;
  /** The row's digest (event-chain.ts textDigest of its rowText). */
  digest: Buffer;
  /** The jsonb text for `raw` when `raw` (values[13]) cannot be cast as it is; else null. */
  rawJson: string | null;
  /**
   * The row's COPY text (copy-rows.ts) in EVENT_COPY_COLUMNS order, up to the chain columns and
   * without the tab before them, as UTF-8 (copy-bytes.ts): a view of one buffer for the page.
   */
  copyBytes: Buffer;
}

/**
 * The columns of `events` in the order a row is COPYed: the chain's sequence and hash last, so
 * that all before them is encoded once, when the page is prepared (StorableEvent.copyText).
 */
export const EVENT_COPY_COLUMNS = [
  'id', 'environment_id', 'created_at', 'topic', 'domain', 'actor_id', 'space_id', 'workbook_id', 'sheet_id', 'job_id',
  'acknowledged_at', 'deleted_at', 'ingested_at', 'raw', 'raw_text', 'chain_seq', 'chain_hash',
];

export interface StorableRejected {
  eventId: string | null;
  reason: string;
  rawText: string;
  /** Always castable to jsonb (a payload that is not JSON is kept as a JSON string). */
  rawJson: string;
  rawSha256: string;
}

export interface StorablePage {
  /** The environment as the caller named it (the key of WriteResult.insertedByEnvironment). */
  callerEnvironmentId: string;
  environmentId: string;
  events: StorableEvent[];
  rejected: StorableRejected[];
  cursor: PageWrite['cursor'];
  window: PageWrite['window'];
  read: PageWrite['read'];
}

/** A row's COPY text but for its two payload fields, about, as ids and times are long. */
const ROW_BYTES_BESIDES_PAYLOADS = 320;

/** One page as rows stamped `ingestedAt` (an ISO time with milliseconds). */
export function storablePage(page: PageWrite, ingestedAt: string): StorablePage {
  const environmentId = storableText(page.environmentId);
  const events = page.events.map(storableEvent);
  // Room for the page's COPY text as it is when ASCII (two payloads and the other fields a row), so
  // that the buffer is handed over, not copied, with little spare.
  const copy = new CopyBytes(events.reduce((bytes, e) => bytes + 2 * e.raw.length + ROW_BYTES_BESIDES_PAYLOADS, 0));
  const ends: number[] = [];
  // One buffer for the page's digests: a small Buffer of its own per event is a backing store of
  // its own for the collector to track while the batch waits.
  const digests = Buffer.alloc(events.length * DIGEST_BYTES);
  const storable = events.map((event, i): Omit<StorableEvent, 'copyBytes'> => {
    // Each row's text and digest as the SQLite store takes them (prepare-pages.ts preparePage).
    const v = eventValues(environmentId, event, ingestedAt);
    writeTextDigest(rowText(v), digests, i * DIGEST_BYTES);
    const rawJson = storableJson(v[13]);
    for (let c = 0; c < 13; c += 1) {
      copy.field(v[c]!);
      copy.tab();
    }
    // raw (jsonb) is the payload made storable where it must be (storable-text.ts), raw_text the payload as kept.
    const rawStart = copy.size;
    copy.field(rawJson ?? v[13]);
    const rawEnd = copy.size;
    copy.tab();
    if (rawJson === null) copy.repeat(rawStart, rawEnd);
    else copy.field(v[13]);
    ends.push(copy.size);
    return { values: v, digest: digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES), rawJson };
  });
  const bytes = copy.take();
  return {
    callerEnvironmentId: page.environmentId,
    environmentId,
    events: storable.map((event, i) => ({ ...event, copyBytes: bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i]) })),
    rejected: page.rejected.map((item) => {
      const r = prepareRejected(storableRejectedEvent(item));
      return { eventId: r.eventId, reason: r.reason, rawText: r.raw, rawJson: storableJsonChecked(r.raw), rawSha256: r.rawSha256 };
    }),
    cursor: page.cursor,
    window: page.window,
    read: page.read,
  };
}

function storableEvent(e: EventRecord): EventRecord {
  return {
    id: storableText(e.id),
    environmentId: storableText(e.environmentId),
    createdAt: isoMillis(e.createdAt),
    topic: storableText(e.topic),
    domain: storableText(e.domain),
    actorId: storableTextOrNull(e.actorId),
    spaceId: storableTextOrNull(e.spaceId),
    workbookId: storableTextOrNull(e.workbookId),
    sheetId: storableTextOrNull(e.sheetId),
    jobId: storableTextOrNull(e.jobId),
    acknowledgedAt: isoMillisOrNull(e.acknowledgedAt),
    deletedAt: isoMillisOrNull(e.deletedAt),
    raw: storableText(e.raw),
  };
}

function storableRejectedEvent(r: RejectedEvent): RejectedEvent {
  return { environmentId: storableText(r.environmentId), eventId: storableTextOrNull(r.eventId), reason: storableText(r.reason), raw: storableText(r.raw) };
}
