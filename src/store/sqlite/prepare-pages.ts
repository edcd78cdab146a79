/**
 * The part of an event write that needs no database: each event's row values and digest (see
 * event-chain.ts), and each rejected item's fingerprint. Done on the caller's thread, so the
 * writer's thread, which every commit waits on, only inserts and links.
 */
import { createHash } from 'node:crypto';
import type { CursorUpdate, PageWrite } from '../audit-store.js';
import { rowDigest, type ChainedValues } from './event-chain.js';

export interface PreparedEvent {
  values: ChainedValues;
  digest: Buffer;
}

export interface PreparedRejected {
  eventId: string | null;
  reason: string;
  raw: string;
  rawSha256: string;
}

export interface PreparedPage {
  environmentId: string;
  events: PreparedEvent[];
  rejected: PreparedRejected[];
  cursor: CursorUpdate;
}

/** The pages as rows stamped `ingestedAt`. */
export function preparePages(pages: readonly PageWrite[], ingestedAt: string): PreparedPage[] {
  return pages.map((page) => ({
    environmentId: page.environmentId,
    events: page.events.map((e) => {
      const values: ChainedValues = [
        e.id, page.environmentId, e.createdAt, e.topic, e.domain, e.actorId, e.spaceId, e.workbookId, e.sheetId, e.jobId,
        e.acknowledgedAt, e.deletedAt, ingestedAt, e.raw,
      ];
      return { values, digest: rowDigest(values) };
    }),
    rejected: page.rejected.map((r) => ({ eventId: r.eventId, reason: r.reason, raw: r.raw, rawSha256: createHash('sha256').update(r.raw).digest('hex') })),
    cursor: page.cursor,
  }));
}
