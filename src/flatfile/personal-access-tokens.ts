/**
 * The calling user's Personal Access Tokens (GET, POST and DELETE /auth/personal-access-tokens):
 * listed for the inventory and token hygiene, created and deleted by `token rotate`. Answers are
 * validated here, as they arrive; a new token's value comes back wrapped (secret-value.ts).
 */
import { ApiError, NotFoundError } from '../errors.js';
import type { PersonalAccessTokenRecord } from '../records.js';
import type { FlatfileHttp } from './http-client.js';
import { toListing, type Listing } from './inventory-result.js';
import { isObject, isoDate, listData, text } from './parse.js';
import { rawJson } from './scrub.js';
import { SecretValue } from './secret-value.js';

const PATH = '/auth/personal-access-tokens';

/** Every PAT of the user the credential belongs to (one call: the listing has no pages). */
export async function listPersonalAccessTokens(http: FlatfileHttp, signal?: AbortSignal): Promise<Listing<PersonalAccessTokenRecord>> {
  const body = await http.get(PATH, {}, signal);
  return toListing(listData(body, `GET ${PATH}`), parsePersonalAccessToken);
}

export function parsePersonalAccessToken(item: unknown): PersonalAccessTokenRecord | string {
  if (!isObject(item)) return 'personal access token is not an object';
  const id = text(item.id);
  if (!id) return 'personal access token without an id';
  return {
    id,
    name: text(item.name),
    createdAt: isoDate(item.createdAt),
    lastUsedAt: isoDate(item.lastUsedAt),
    raw: rawJson(item),
  };
}

export interface CreatedToken {
  record: PersonalAccessTokenRecord;
  /** The token itself, shown by the API this once. */
  token: SecretValue;
}

/** Creates a PAT named `name` for the calling user. Not retried when no answer comes (see FlatfileHttp.post). */
export async function createPersonalAccessToken(http: FlatfileHttp, name: string, signal?: AbortSignal): Promise<CreatedToken> {
  const body = await http.post(PATH, { name }, signal);
  const data = isObject(body) && isObject(body.data) ? body.data : undefined;
  const token = data ? text(data.token) : null;
  const record = data ? parsePersonalAccessToken(data.personalAccessToken) : 'no data';
  if (!token || /\s/.test(token)) throw new ApiError(200, `POST ${PATH} answered without a usable token`);
  if (typeof record === 'string') throw new ApiError(200, `POST ${PATH} answered without the token's record: ${record}`);
  return { record, token: new SecretValue(token) };
}

/** Deletes (revokes at once) the PAT with that id; 'not-found' when the API knows no such token (already deleted). */
export async function deletePersonalAccessToken(http: FlatfileHttp, id: string, signal?: AbortSignal): Promise<'deleted' | 'not-found'> {
  try {
    await http.delete(`${PATH}/${encodeURIComponent(id)}`, signal);
    return 'deleted';
  } catch (error) {
    if (error instanceof NotFoundError) return 'not-found';
    throw error;
  }
}
