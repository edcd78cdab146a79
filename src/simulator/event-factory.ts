/**
 * Makes events: compact records at generation time (event-log.ts) and the full wire Event when a
 * page is served. Everything not kept in the record is derived from its seed, so an event reads
 * the same on every request without the memory of a million stored JSON objects.
 */
import type { Event, EventContext, JsonObject } from './wire-types.js';
import type { EnvironmentContext, EventRecord } from './event-record.js';
import { FILE_NAMES } from './names.js';
import { wireDate } from './iso-date.js';
import { createRng, shortId, type Rng } from './random.js';
import { domainOf, topicFor } from './topics.js';

/** Who may act on an environment's events (ids only). */
export interface ActorRoster {
  users: readonly string[];
  guests: readonly string[];
  agents: readonly string[];
  apiKeys: readonly string[];
  /** Users that /users no longer lists. */
  deletedUsers: readonly string[];
}

export interface HistoryPlan {
  count: number;
  startMs: number;
  endMs: number;
  duplicateRatio: number;
  acknowledgedRatio: number;
  spaceIds: readonly string[];
  roster: ActorRoster;
  env: EnvironmentContext;
}

const EVENT_ID_LENGTH = 16;
const MEAN_RUN = 4; // runs of equal createdAt are 2..6 events long

/**
 * An environment's history, sorted by (createdAt, id). About `duplicateRatio` of the events sit in
 * runs of 2..6 sharing one millisecond, so runs regularly straddle page boundaries.
 */
export function generateHistory(rng: Rng, plan: HistoryPlan): EventRecord[] {
  // A run starts with probability q; q is chosen so the expected share of events in runs is the ratio.
  const r = plan.duplicateRatio;
  const q = r >= 1 ? 1 : r / (MEAN_RUN - (MEAN_RUN - 1) * r);
  const runs: number[] = [];
  for (let left = plan.count; left > 0; ) {
    const length = rng.chance(q) ? Math.min(left, rng.int(2, 6)) : 1;
    runs.push(length);
    left -= length;
  }
  // One distinct timestamp per run, spread evenly with jitter (strictly increasing while gap >= 2 ms).
  const gap = (plan.endMs - plan.startMs) / Math.max(1, runs.length);
  const records: EventRecord[] = new Array(plan.count);
  let k = 0;
  for (let g = 0; g < runs.length; g++) {
    const t = plan.startMs + Math.floor(g * gap + rng.next() * gap * 0.8);
    const first = k;
    for (let i = 0; i < (runs[g] as number); i++) {
      const ackBy = rng.chance(plan.acknowledgedRatio) ? acknowledger(rng, plan.roster) : undefined;
      records[k++] = makeRecord(rng, t, plan, {}, ackBy);
    }
    if (k - first > 1) sortRunById(records, first, k);
  }
  return records;
}

/** One new record; `fixed` overrides the drawn topic or actor (addEvents options). */
export function makeRecord(
  rng: Rng,
  t: number,
  where: { spaceIds: readonly string[]; roster: ActorRoster; env: EnvironmentContext },
  fixed: { topic?: string; actorId?: string },
  ackBy: string | undefined,
): EventRecord {
  const id = rng.id('us_evt_', EVENT_ID_LENGTH);
  const topic = fixed.topic ?? topicFor(rng.next());
  // A scheduled (cron) event is the platform's, of the environment: no space, no actor.
  const scheduled = domainOf(topic) === 'cron';
  const spaceId = !scheduled && where.spaceIds.length > 0 ? rng.pick(where.spaceIds) : undefined;
  const actorId = fixed.actorId ?? (scheduled ? undefined : pickActor(rng, where.roster));
  return { id, t, topic, spaceId, actorId, ackBy, seed: rng.uint32(), env: where.env, raw: undefined };
}

/** The actor mix of a real account: mostly users, some guests, agents, API keys, deleted users and none. */
export function pickActor(rng: Rng, roster: ActorRoster): string | undefined {
  const u = rng.next();
  const users = roster.users.length > 0 ? roster.users : roster.deletedUsers;
  if (u < 0.6) return users.length > 0 ? rng.pick(users) : undefined;
  if (u < 0.75) return rng.pick(roster.guests.length > 0 ? roster.guests : users.length > 0 ? users : ['us_key_system']);
  if (u < 0.85) return rng.pick(roster.agents.length > 0 ? roster.agents : users.length > 0 ? users : ['us_key_system']);
  if (u < 0.9) return roster.apiKeys.length > 0 ? rng.pick(roster.apiKeys) : undefined;
  if (u < 0.95) return roster.deletedUsers.length > 0 ? rng.pick(roster.deletedUsers) : undefined;
  return undefined; // system event
}

/** An environment's agent; where it has none, a user acknowledged the event (via the API). */
function acknowledger(rng: Rng, roster: ActorRoster): string {
  if (roster.agents.length > 0) return rng.pick(roster.agents);
  return roster.users.length > 0 ? rng.pick(roster.users) : 'us_key_system';
}

/** Sorts records[from, to) by id; they share a timestamp. Runs are tiny, so insertion sort. */
function sortRunById(records: EventRecord[], from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const item = records[i] as EventRecord;
    let j = i - 1;
    while (j >= from && (records[j] as EventRecord).id > item.id) {
      records[j + 1] = records[j] as EventRecord;
      j--;
    }
    records[j + 1] = item;
  }
}

/** The wire form of a record (raw records are served exactly as given). */
export function materialize(record: EventRecord): unknown {
  if (record.raw !== undefined) return record.raw;
  const ctx = record.env;
  const rng = createRng(record.seed);
  const domain = domainOf(record.topic);
  const context: EventContext = { accountId: ctx.accountId, environmentId: ctx.environmentId };
  const workbooks = record.spaceId === undefined ? undefined : ctx.workbooksBySpace.get(record.spaceId);
  if (record.spaceId !== undefined) context.spaceId = record.spaceId;
  const workbook = workbooks && workbooks.length > 0 ? rng.pick(workbooks) : undefined;
  const sheet = workbook && workbook.sheets.length > 0 ? rng.pick(workbook.sheets) : undefined;
  if (workbook && domain !== 'environment' && domain !== 'space') context.workbookId = workbook.id;
  if (sheet && (domain === 'sheet' || record.topic.startsWith('records:'))) {
    context.sheetId = sheet.id;
    context.sheetSlug = sheet.slug;
  }
  if (domain === 'job') context.jobId = shortId('us_jb_', rng.uint32());
  if (domain === 'file') context.fileId = shortId('us_fl_', rng.uint32());
  if (domain === 'document') context.documentId = shortId('us_dc_', rng.uint32());
  if (record.topic.startsWith('commit:')) context.commitId = shortId('us_cm_', rng.uint32());
  if (record.actorId !== undefined) context.actorId = record.actorId;
  if (record.topic.startsWith('action:')) context.actionName = rng.pick(ACTION_NAMES);
  if (domain === 'program') context.programId = shortId('us_pg_', rng.uint32());

  const event: Event = {
    id: record.id,
    topic: record.topic,
    domain,
    createdAt: wireDate(record.t),
    payload: record.subjectId === undefined ? payloadFor(rng, record.topic, domain) : { guestId: record.subjectId },
    context,
  };
  if (record.ackBy !== undefined) {
    event.acknowledgedAt = wireDate(record.t + rng.int(500, 120_000));
    event.acknowledgedBy = record.ackBy;
  }
  if (context.sheetId !== undefined && record.topic.startsWith('records:')) {
    event.dataUrl = `/v1/sheets/${context.sheetId}/records?versionId=${shortId('us_vr_', rng.uint32())}`;
  }
  return event;
}

const JOB_NAMES = ['workbook:submitAction', 'space:configure', 'sheet:buildSheet', 'file:extract'] as const;
const JOB_OPERATIONS = ['submitAction', 'configure', 'extract', 'map'] as const;
const DOCUMENT_TITLES = ['Getting started', 'Import guide', 'FAQ'] as const;
const ACTION_NAMES = ['submitAction', 'downloadWorkbook', 'validate'] as const;

/** A small, plausible payload per domain. */
function payloadFor(rng: Rng, topic: string, domain: string): JsonObject {
  switch (domain) {
    case 'job':
      return {
        job: rng.pick(JOB_NAMES),
        operation: rng.pick(JOB_OPERATIONS),
        status: topic === 'job:failed' ? 'failed' : topic === 'job:completed' ? 'complete' : 'executing',
        progress: topic === 'job:completed' ? 100 : rng.int(0, 99),
      };
    case 'file':
      return { name: rng.pick(FILE_NAMES), size: rng.int(1_000, 50_000_000), status: 'complete' };
    case 'workbook':
      return topic.startsWith('records:') ? { recordsCount: rng.int(1, 5_000) } : { name: 'Workbook', sheetsCount: rng.int(1, 3) };
    case 'sheet':
      return { recordsCount: rng.int(0, 10_000), completed: topic === 'commit:completed' };
    case 'space':
      return { status: topic === 'space:deleted' ? 'deleted' : 'active' };
    case 'document':
      return { title: rng.pick(DOCUMENT_TITLES) };
    default:
      return {};
  }
}

/**
 * A record serving `raw` verbatim. Its createdAt places it when it is a valid date string;
 * otherwise `t` is NaN and the caller lists it after everything else.
 */
export function rawRecord(raw: unknown, env: EnvironmentContext): EventRecord {
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const context = typeof obj.context === 'object' && obj.context !== null ? (obj.context as Record<string, unknown>) : {};
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const createdAt = text(obj.createdAt);
  return {
    id: text(obj.id) ?? '',
    t: createdAt === undefined ? Number.NaN : Date.parse(createdAt),
    topic: text(obj.topic) ?? '',
    spaceId: text(context.spaceId),
    actorId: text(context.actorId),
    // A raw event that says it was acknowledged is hidden like any other acknowledged event.
    ackBy: obj.acknowledgedAt ? (text(obj.acknowledgedBy) ?? 'unknown') : undefined,
    seed: 0,
    env,
    raw: raw === undefined ? null : raw, // undefined would mark a well-formed record
  };
}
