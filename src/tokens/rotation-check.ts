/**
 * The worker's scheduled rotation (AUDIT_PAT_ROTATE_EVERY): a check, run once a day, that rotates
 * the token in FLATFILE_TOKEN_FILE (rotate-token.ts, as `token rotate` does) once it is older than
 * the interval, and otherwise does nothing.
 *
 * Why a daily check rather than a schedule "every 30 days": a cron cannot say "every 30 days", and a
 * BullMQ `every` interval restarts from whenever the scheduler was last (re)registered, which every
 * worker start does. The age of the token itself is what the interval is about, and it survives
 * restarts, Redis losing its keys and manual rotations in between: a manual `token rotate` simply
 * pushes the next scheduled one back. A day late at most is nothing against a 30-day interval.
 *
 * How old the file's token is: the rotation state (rotation-state.ts) when it wrote that token (same
 * fingerprint); else, when the credential's user has exactly one PAT, that one is the file's (it is
 * accepted, so it is one of theirs), and the API's `createdAt` says; else it is unknown, and treated
 * as due. In the last case the token replaced is not known either, so it stays valid and is listed
 * in the log, as `token rotate` does.
 *
 * The old token is deleted as soon as the new one is in the file and accepted: a sync that started
 * with the old one re-reads the file when refused, and goes on with the new one
 * (flatfile/credentials.ts), so no grace period is needed on the hosts that read this file.
 */
import type { Config } from '../config.js';
import { connectFlatfile } from '../flatfile/connect.js';
import { readTokenFile } from '../flatfile/credentials.js';
import { listPersonalAccessTokens } from '../flatfile/personal-access-tokens.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { rotatableTokenFile, rotateToken } from './rotate-token.js';
import { fingerprint, readRotationState, writeRotationState, type RotationCheckRecord, type RotationState } from './rotation-state.js';

export interface RotationCheckOptions {
  everyMs: number;
  now: () => Date;
  signal?: AbortSignal;
}

export interface RotationCheckOutcome {
  outcome: 'rotated' | 'not-due';
  /** When the token in the file (before a rotation: the replaced one) was made; null when unknown. */
  tokenCreatedAt: string | null;
  /** The new token's id and name, when rotated (never its value). */
  created: { id: string; name: string } | null;
  /** Tokens deleted by this check. */
  deleted: string[];
  /** When rotated without knowing the replaced token: it stays valid, delete it by hand. */
  replacedUnknown: boolean;
}

/** Rotates the token in FLATFILE_TOKEN_FILE if it is older than `everyMs`; notes the outcome in the rotation state. */
export async function checkTokenRotation(config: Config, log: Logger, options: RotationCheckOptions): Promise<RotationCheckOutcome> {
  // Refused here, changing nothing, when the token cannot be replaced (a read-only mounted secret).
  const { path, credentialsDirectory } = await rotatableTokenFile(config);
  const started = options.now();
  try {
    const state = await readRotationState(path);
    const made = await tokenMadeAt(config, log, state, await readTokenFile(path, credentialsDirectory), options.signal);
    if (made.createdAt !== null && started.getTime() - Date.parse(made.createdAt) < options.everyMs) {
      await note(path, { at: started.toISOString(), outcome: 'not-due', tokenCreatedAt: made.createdAt, error: null });
      return { outcome: 'not-due', tokenCreatedAt: made.createdAt, created: null, deleted: [], replacedUnknown: false };
    }
    const rotated = await rotateToken(config, log, {
      name: `flatfile-audit ${started.toISOString()} (scheduled)`,
      revokeId: made.revokeId,
      now: options.now,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await note(path, { at: started.toISOString(), outcome: 'rotated', tokenCreatedAt: made.createdAt, error: null, lastRotatedAt: options.now().toISOString() });
    return { outcome: 'rotated', tokenCreatedAt: made.createdAt, created: rotated.created, deleted: rotated.deleted, replacedUnknown: rotated.remaining !== null };
  } catch (error) {
    await note(path, { at: started.toISOString(), outcome: 'failed', tokenCreatedAt: null, error: describeError(error) }).catch(() => undefined);
    throw error;
  }
}

/** How old the file's token is, and which token it is when the state does not say (see above). */
async function tokenMadeAt(config: Config, log: Logger, state: RotationState, token: string, signal?: AbortSignal): Promise<{ createdAt: string | null; revokeId: string | undefined }> {
  if (state.current && state.current.fingerprint === fingerprint(token)) {
    const id = state.current.id;
    const entry = state.created.find((c) => c.id === id);
    if (entry) return { createdAt: entry.createdAt, revokeId: undefined };
  }
  const { records } = await listPersonalAccessTokens(await connectFlatfile(config, log), signal);
  const only = records.length === 1 ? records[0]! : undefined;
  return { createdAt: only?.createdAt ?? null, revokeId: only?.id };
}

/** The check's outcome in the state file (re-read: a rotation wrote it meanwhile); the last rotation time is kept. */
async function note(path: string, record: Omit<RotationCheckRecord, 'lastRotatedAt'> & { lastRotatedAt?: string }): Promise<void> {
  const state = await readRotationState(path);
  state.lastCheck = { ...record, lastRotatedAt: record.lastRotatedAt ?? state.lastCheck?.lastRotatedAt ?? null };
  await writeRotationState(path, state);
}
