/**
 * The simulator's own wire shapes of the Flatfile REST API, written from the API reference
 * (shared/flatfile-api.md) and the official SDK's schemas (@flatfile/api, src/api/resources/), and
 * checked against those schemas by test/contract/simulator-wire.test.ts. The simulator imports
 * nothing from the client it stands in front of: a misreading of the API in the client must not be
 * mirrored here, where no test could catch it.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** `pagination` of list responses that have one (events have none). */
export interface Pagination {
  currentPage: number;
  pageCount: number;
  totalCount: number;
}

export interface ListResponse<T> {
  data: T[];
  pagination?: Pagination;
}

export interface ApiErrorBody {
  errors: Array<{ key?: string; message: string }>;
}

export interface Environment {
  id: string;
  accountId: string;
  name: string;
  isProd: boolean;
  guestAuthentication: Array<'shared_link' | 'magic_link'>;
  features: JsonObject;
  metadata: JsonObject;
  namespaces?: string[];
  [extra: string]: unknown;
}

export interface User {
  id: string;
  email: string;
  name: string;
  accountId: string;
  idp: string;
  idpRef?: string;
  metadata: JsonObject;
  createdAt: string;
  updatedAt: string;
  lastSeenAt?: string;
  dashboard?: number;
  [extra: string]: unknown;
}

export interface Space {
  id: string;
  environmentId: string;
  /** Required by the SDK's schema. */
  name: string;
  /** Required by the SDK's schema: how guests reach the space. */
  guestAuthentication: Array<'shared_link' | 'magic_link'>;
  createdAt: string;
  updatedAt: string;
  archivedAt?: string;
  expiredAt?: string;
  lastActivityAt?: string;
  createdByUserId?: string;
  workbooksCount?: number;
  filesCount?: number;
  namespace?: string;
  labels?: string[];
  /** Secret: never stored or logged. */
  accessToken?: string;
  /** Secret (may embed a token): never stored or logged. */
  guestLink?: string;
  [extra: string]: unknown;
}

export interface GuestSpace {
  id: string;
  workbooks?: Array<{ id: string }>;
  sheets?: Array<{ id: string }>;
  lastAccessed?: string;
}

export interface Guest {
  id: string;
  environmentId: string;
  email: string;
  name: string;
  spaces: GuestSpace[];
  createdAt: string;
  updatedAt: string;
  [extra: string]: unknown;
}

export interface Agent {
  id: string;
  environmentId: string;
  accountId?: string;
  topics?: string[];
  compiler?: string;
  slug?: string;
  namespace?: string;
  isSystem?: boolean;
  /** The agent's code: never stored. */
  source?: string;
  /** The source map of that code: never stored either. */
  sourceMap?: string;
  createdAt: string;
  updatedAt: string;
  [extra: string]: unknown;
}

export interface EventContext {
  accountId?: string;
  environmentId?: string;
  spaceId?: string;
  workbookId?: string;
  sheetId?: string;
  sheetSlug?: string;
  jobId?: string;
  fileId?: string;
  documentId?: string;
  programId?: string;
  commitId?: string;
  appId?: string;
  actionName?: string;
  precedingEventId?: string;
  /** us_usr_… user, us_g_… guest, us_ag_… agent, us_key_… API key. */
  actorId?: string;
  namespaces?: string[];
  slugs?: JsonObject;
  [extra: string]: unknown;
}

export interface Event {
  id: string;
  topic: string;
  domain: string;
  createdAt: string;
  deletedAt?: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  payload: JsonObject;
  context: EventContext;
  callbackUrl?: string;
  dataUrl?: string;
  target?: string;
  origin?: { id?: string; slug?: string };
  namespaces?: string[];
  attributes?: JsonObject;
  [extra: string]: unknown;
}

/** Answer of `POST /auth` (not wrapped in `data`). */
export interface AccessToken {
  accessToken: string;
  expiresIn: string;
  expires: string;
  email?: string;
  userId?: string;
  accountId?: string;
}

/** An item of `GET /auth/personal-access-tokens` (no secret value). */
export interface PersonalAccessToken {
  /** us_pat_… */
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string;
}

/** `data` of `POST /auth/personal-access-tokens`: the token's value is in this answer only. */
export interface CreatePersonalAccessTokenData {
  token: string;
  personalAccessToken: PersonalAccessToken;
}

/** The SDK's `Success` answer (of DELETE /auth/personal-access-tokens/{id}); `data` is optional in its schema. */
export interface SuccessBody {
  data?: { success: boolean };
}
