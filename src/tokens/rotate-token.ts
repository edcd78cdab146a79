/**
 * `token rotate`: a new Personal Access Token in FLATFILE_TOKEN_FILE, and the old one deleted.
 *
 * The order makes every crash safe: the file holds a working token at every moment.
 * 1. settle what an earlier run left (rotation-state.ts): a token it created that never reached the
 *    file is deleted; one that did is taken as current; tokens it replaced are deleted;
 * 2. create the new token (the old one keeps working), and note it as pending;
 * 3. replace the file atomically (token-file.ts): before the rename the old file is whole, after it
 *    the new token, already valid, is;
 * 4. check the file's token with one API call, reading the file afresh as a sync would; refused,
 *    the old token goes back into the file;
 * 5. note the new token as current and the old one as to retire, then delete the old one: the token
 *    this command wrote last time (the file still held it: same fingerprint), or --revoke-id. When
 *    neither names it, nothing is deleted and the outcome lists the tokens that remain.
 * A new token's value only ever goes to the file: never to a log, the store or Redis.
 */
import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Config } from '../config.js';
import { ConfigError, TokenRejectedError } from '../errors.js';
import { connectFlatfile } from '../flatfile/connect.js';
import { readTokenFile } from '../flatfile/credentials.js';
import type { FlatfileHttp } from '../flatfile/http-client.js';
import { createPersonalAccessToken, deletePersonalAccessToken, listPersonalAccessTokens } from '../flatfile/personal-access-tokens.js';
import type { Logger } from '../log.js';
import type { PersonalAccessTokenRecord } from '../records.js';
import { fingerprint, readRotationState, writeRotationState, type RotationState } from './rotation-state.js';
import { replaceTokenFile } from './token-file.js';

export interface RotateOptions {
  /** The new token's name; default `flatfile-audit <ISO time>`. */
  name?: string | undefined;
  /** Delete this token once the new one works, instead of the one this command wrote last time. */
  revokeId?: string | undefined;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface RotateOutcome {
  created: { id: string; name: string };
  /** Tokens deleted by this run (earlier runs' leftovers included). */
  deleted: string[];
  /** When the replaced token is unknown: the tokens other than the new one, for the operator to choose from. */
  remaining: PersonalAccessTokenRecord[] | null;
  path: string;
}

/** Where the token to rotate lives; refuses a credential `token rotate` cannot replace. */
export async function rotatableTokenFile(config: Config): Promise<{ path: string; credentialsDirectory: string | undefined }> {
  const source = config.credentials;
  switch (source.kind) {
    case 'token':
      throw new ConfigError(`token rotate replaces the token in FLATFILE_TOKEN_FILE, but this one comes from ${source.variable}, an environment variable it cannot change; keep the token in a file (mode 0600) named by FLATFILE_TOKEN_FILE`);
    case 'legacy':
      throw new ConfigError('token rotate replaces a Personal Access Token kept in FLATFILE_TOKEN_FILE; FLATFILE_CLIENT_ID/FLATFILE_SECRET are not one');
    case 'none':
      throw new ConfigError('token rotate needs FLATFILE_TOKEN_FILE: the file holding the Personal Access Token to replace');
    case 'token-file':
      break;
  }
  if (source.credentialsDirectory !== undefined && dirname(source.path) === source.credentialsDirectory.replace(/\/+$/, '')) {
    throw new ConfigError(`FLATFILE_TOKEN_FILE ${source.path} is a systemd credential (LoadCredential=), read-only to this service; rotate the token where the credential comes from`);
  }
  try {
    await access(dirname(source.path), constants.W_OK);
  } catch {
    throw new ConfigError(`FLATFILE_TOKEN_FILE ${source.path} cannot be replaced: its directory ${dirname(source.path)} is not writable by this user (a read-only credential?)`);
  }
  return { path: source.path, credentialsDirectory: source.credentialsDirectory };
}

export async function rotateToken(config: Config, log: Logger, options: RotateOptions = {}): Promise<RotateOutcome> {
  const now = options.now ?? (() => new Date());
  const { path, credentialsDirectory } = await rotatableTokenFile(config);
  const oldToken = await readTokenFile(path, credentialsDirectory);
  const state = await readRotationState(path);
  const http = await connectFlatfile(config, log);
  const deleted = await settle(http, state, path, fingerprint(oldToken), log, options.signal);

  // 2. The new token, noted (with the token it replaces) before it goes into the file.
  const oldId = options.revokeId ?? (state.current && state.current.fingerprint === fingerprint(oldToken) ? state.current.id : undefined);
  const name = options.name ?? `flatfile-audit ${now().toISOString()}`;
  const created = await createPersonalAccessToken(http, name, options.signal);
  if (options.revokeId === created.record.id) throw new ConfigError(`--revoke-id ${options.revokeId} names the token just created`);
  const newRef = { id: created.record.id, fingerprint: fingerprint(created.token.reveal()) };
  state.pending = { ...newRef, replaces: oldId ?? null };
  state.created.push({ id: created.record.id, name, createdAt: created.record.createdAt ?? now().toISOString() });
  await writeRotationState(path, state);
  log.info({ tokenId: created.record.id, name }, 'created a new personal access token');

  // 3 and 4. Into the file, then checked as a sync would read it.
  await replaceTokenFile(path, created.token.reveal());
  try {
    const fresh = await connectFlatfile(config, log);
    await fresh.get('/environments', { pageSize: 1, pageNumber: 1 }, options.signal);
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error; // unknown either way: the new token stays, settled next run
    await replaceTokenFile(path, oldToken);
    state.pending = null;
    state.retire.push(newRef.id);
    await writeRotationState(path, state);
    deleted.push(...(await retire(http, state, path, log, options.signal)));
    throw new TokenRejectedError(error.status, `the new token was refused when checked, so FLATFILE_TOKEN_FILE holds the previous one again (${error.message})`);
  }

  // 5. The old token goes.
  state.current = newRef;
  state.pending = null;
  if (oldId !== undefined && !state.retire.includes(oldId)) state.retire.push(oldId);
  await writeRotationState(path, state);
  log.info({ tokenId: newRef.id, path }, 'FLATFILE_TOKEN_FILE holds the new token, and Flatfile accepts it');
  const withNew = await connectFlatfile(config, log);
  deleted.push(...(await retire(withNew, state, path, log, options.signal)));
  const remaining = oldId === undefined ? (await listPersonalAccessTokens(withNew, options.signal)).records.filter((r) => r.id !== newRef.id) : null;
  return { created: { id: newRef.id, name }, deleted, remaining, path };
}

/** Step 1: what an earlier run left behind, settled by what the file holds now. */
async function settle(http: FlatfileHttp, state: RotationState, path: string, inFile: string, log: Logger, signal?: AbortSignal): Promise<string[]> {
  if (state.pending) {
    if (state.pending.fingerprint === inFile) {
      // The run got the new token into the file and stopped before noting it: finish its work.
      if (state.pending.replaces !== null) state.retire.push(state.pending.replaces);
      state.current = { id: state.pending.id, fingerprint: state.pending.fingerprint };
    } else {
      state.retire.push(state.pending.id); // created, never in the file: nobody uses it
    }
    state.pending = null;
    await writeRotationState(path, state);
  }
  return retire(http, state, path, log, signal);
}

/** Deletes the tokens to retire, never the one the file holds; each deletion noted as it happens. */
async function retire(http: FlatfileHttp, state: RotationState, path: string, log: Logger, signal?: AbortSignal): Promise<string[]> {
  const deleted: string[] = [];
  for (const id of [...state.retire]) {
    if (id !== state.current?.id) {
      const outcome = await deletePersonalAccessToken(http, id, signal);
      log.info({ tokenId: id, outcome }, 'deleted a replaced personal access token');
      if (outcome === 'deleted') deleted.push(id);
    }
    state.retire = state.retire.filter((other) => other !== id);
    await writeRotationState(path, state);
  }
  return deleted;
}
