/**
 * What `token rotate` remembers between runs, in a file beside the token file
 * (`<FLATFILE_TOKEN_FILE>.rotation.json`, mode 0600): the id of the token it last wrote there with a
 * fingerprint of it (SHA-256, which cannot be used as the token), so the next rotation knows which
 * token the file holds and may delete it once replaced; tokens still to delete (a run that stopped
 * before it could); and every token id it created. Never a token's value. Written like the token
 * file: temporary file, fsync, rename, fsync of the directory.
 */
import { createHash } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuditError } from '../errors.js';
import { syncDirectory } from './token-file.js';

export interface RotationState {
  /** The token this command last wrote to the token file. */
  current: { id: string; fingerprint: string } | null;
  /**
   * A token created and about to be written to the file, and the token it is to replace (null when
   * unknown): a run that stops here is settled by the next.
   */
  pending: { id: string; fingerprint: string; replaces: string | null } | null;
  /** Tokens replaced but not yet deleted (the run stopped before it could). */
  retire: string[];
  /** Every token created, newest last: id, name, when. */
  created: Array<{ id: string; name: string; createdAt: string }>;
  /** The worker's last scheduled rotation check (AUDIT_PAT_ROTATE_EVERY), for `status`; absent before the first. */
  lastCheck?: RotationCheckRecord | undefined;
}

/** What a scheduled rotation check found: rotated, not due yet, or failed (one line, never a token). */
export interface RotationCheckRecord {
  at: string;
  outcome: 'rotated' | 'not-due' | 'failed';
  /** When the token in the file was made, as far as known. */
  tokenCreatedAt: string | null;
  /** The last time a scheduled check rotated the token. */
  lastRotatedAt: string | null;
  error: string | null;
}

export function statePath(tokenFile: string): string {
  return join(dirname(tokenFile), `${basename(tokenFile)}.rotation.json`);
}

/** SHA-256 of a token, hex: tells whether the file still holds the token a rotation wrote. */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function readRotationState(tokenFile: string): Promise<RotationState> {
  const path = statePath(tokenFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { current: null, pending: null, retire: [], created: [] };
    throw new AuditError('CONFIG_INVALID', `cannot read the rotation state ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as Partial<RotationState>;
    const tokenRef = (value: unknown) =>
      typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' && typeof (value as { fingerprint?: unknown }).fingerprint === 'string'
        ? { id: (value as { id: string }).id, fingerprint: (value as { fingerprint: string }).fingerprint }
        : null;
    return {
      current: tokenRef(parsed.current),
      pending: parsed.pending && tokenRef(parsed.pending) ? { ...tokenRef(parsed.pending)!, replaces: typeof parsed.pending.replaces === 'string' ? parsed.pending.replaces : null } : null,
      retire: Array.isArray(parsed.retire) ? parsed.retire.filter((id): id is string => typeof id === 'string') : [],
      created: Array.isArray(parsed.created) ? parsed.created : [],
      lastCheck: typeof parsed.lastCheck === 'object' && parsed.lastCheck !== null && typeof parsed.lastCheck.at === 'string' ? parsed.lastCheck : undefined,
    };
  } catch (error) {
    throw new AuditError('CONFIG_INVALID', `the rotation state ${path} is not valid JSON; move it aside and delete the previous token by hand (--revoke-id)`, { cause: error });
  }
}

export async function writeRotationState(tokenFile: string, state: RotationState): Promise<void> {
  const path = statePath(tokenFile);
  const temp = `${path}.tmp`;
  await unlink(temp).catch(() => undefined);
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  await syncDirectory(dirname(path));
}
