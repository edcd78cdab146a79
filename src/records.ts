/**
 * What flatfile-audit keeps of each API object once validated: the columns ops query plus `raw`,
 * the object's JSON with secrets removed. These types are the contract between the API client,
 * the sync logic and any store; none of them knows about the others.
 */

export interface EventRecord {
  id: string;
  environmentId: string;
  /** ISO-8601 UTC with milliseconds, normalised so that text order is time order. */
  createdAt: string;
  topic: string;
  domain: string;
  actorId: string | null;
  spaceId: string | null;
  workbookId: string | null;
  sheetId: string | null;
  jobId: string | null;
  acknowledgedAt: string | null;
  deletedAt: string | null;
  raw: string;
}

/** An event the API sent that failed validation: kept with the reason, never dropped silently. */
export interface RejectedEvent {
  environmentId: string;
  eventId: string | null;
  reason: string;
  raw: string;
}

export interface EnvironmentRecord {
  id: string;
  accountId: string | null;
  name: string;
  isProd: boolean;
  raw: string;
}

export interface UserRecord {
  id: string;
  email: string | null;
  name: string | null;
  createdAt: string | null;
  lastSeenAt: string | null;
  raw: string;
}

export interface SpaceRecord {
  id: string;
  environmentId: string;
  name: string | null;
  createdAt: string | null;
  archivedAt: string | null;
  createdByUserId: string | null;
  raw: string;
}

export interface GuestMembership {
  spaceId: string;
  lastAccessed: string | null;
}

/** One guest of one environment, merged over every space it was listed in. */
export interface GuestRecord {
  id: string;
  environmentId: string;
  email: string | null;
  name: string | null;
  spaces: GuestMembership[];
  raw: string;
}

export interface AgentRecord {
  id: string;
  environmentId: string;
  slug: string | null;
  topics: string[];
  createdAt: string | null;
  raw: string;
}

/** One of the calling user's Personal Access Tokens, as listed (never its value: the API shows that once). */
export interface PersonalAccessTokenRecord {
  id: string;
  name: string | null;
  createdAt: string | null;
  /** Null while never used. */
  lastUsedAt: string | null;
  raw: string;
}
