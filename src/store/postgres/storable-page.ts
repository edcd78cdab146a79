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
import { DIGEST_BYTES, eventValues, type ChainedValues } from '../chain/event-chain.js';
import { preparePage, type PreparedPage } from '../sqlite/prepare-pages.js';
import { copyLine } from './copy-rows.js';
import { isoMillis, isoMillisOrNull } from './timestamps.js';
import { storableJson, storableJsonChecked, storableText, storableTextOrNull } from './storable-text.js';

export interface StorableEvent {
  /** The row's values in CHAINED_COLUMNS order: what is stored, and what the chain covers. */
  values: ChainedValues;
  /** The row's digest (event-chain.ts textDigest of its rowText). */
  digest: Buffer;
  /** The jsonb text for `raw` when `raw` (values[13]) cannot be cast as it is; else null. */
  rawJson: string | null;
  /** The row's COPY line (copy-rows.ts) in EVENT_COPY_COLUMNS order, up to the chain columns. */
  copyText: string;
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

/** One page as rows stamped `ingestedAt` (an ISO time with milliseconds). */
export function storablePage(page: PageWrite, ingestedAt: string): StorablePage {
  const environmentId = storableText(page.environmentId);
  const events = page.events.map(storableEvent);
  const prepared: PreparedPage = preparePage({ environmentId, events, rejected: page.rejected.map(storableRejectedEvent), cursor: page.cursor }, ingestedAt);
  return {
    callerEnvironmentId: page.environmentId,
    environmentId,
    events: events.map((event, i) => {
      // The values preparePage took each row's text and digest of (not that text parsed back: the same, at a cost).
      const v = eventValues(environmentId, event, ingestedAt);
      const rawJson = storableJson(v[13]);
      // raw (jsonb) is the payload made storable where it must be (storable-text.ts), raw_text the payload as kept.
      const copyText = copyLine([v[0], environmentId, v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], rawJson ?? v[13], v[13]]);
      return { values: v, digest: prepared.digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES), rawJson, copyText };
    }),
    rejected: prepared.rejected.map((r) => ({ eventId: r.eventId, reason: r.reason, rawText: r.raw, rawJson: storableJsonChecked(r.raw), rawSha256: r.rawSha256 })),
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
