/**
 * `status`'s line on the scheduled token rotation (AUDIT_PAT_ROTATE_EVERY): the worker's last check
 * as the rotation state beside FLATFILE_TOKEN_FILE records it (outcome, when, the last rotation),
 * and whether the file can be replaced at all. Ids and times only, never a token.
 */
import type { Config } from '../config.js';
import { describeError } from '../errors.js';
import { rotatableTokenFile } from '../tokens/rotate-token.js';
import { readRotationState, type RotationCheckRecord } from '../tokens/rotation-state.js';
import { escapeControl } from '../output/safe-text.js';

export interface RotationStatus {
  /** AUDIT_PAT_ROTATE_EVERY in days; null when off. */
  everyDays: number | null;
  lastCheck: RotationCheckRecord | null;
  /** Why the token file cannot be replaced, when it cannot. */
  cannotRotate: string | null;
}

/** Null when rotation is off and the token file was never rotated by a scheduled check. */
export async function readRotationStatus(config: Config): Promise<RotationStatus | null> {
  const everyMs = config.tokens.rotateEveryMs;
  let cannotRotate: string | null = null;
  let lastCheck: RotationCheckRecord | null = null;
  try {
    const { path } = await rotatableTokenFile(config);
    lastCheck = (await readRotationState(path)).lastCheck ?? null;
  } catch (error) {
    cannotRotate = describeError(error);
  }
  if (everyMs === undefined && lastCheck === null) return null;
  return { everyDays: everyMs === undefined ? null : everyMs / 86_400_000, lastCheck, cannotRotate };
}

export function formatRotationStatus(status: RotationStatus | null): string {
  if (status === null) return '';
  const every = status.everyDays === null ? 'off (AUDIT_PAT_ROTATE_EVERY unset)' : `every ${status.everyDays}d`;
  const check = status.lastCheck;
  const last = check
    ? `last check ${check.at}: ${check.outcome}${check.error ? ` (${check.error})` : ''}; last rotated ${check.lastRotatedAt ?? 'never'}`
    : 'no check has run yet';
  const problem = status.cannotRotate && status.everyDays !== null ? `; cannot rotate: ${status.cannotRotate}` : '';
  return `${escapeControl(`token rotation: ${every}, ${last}${problem}`)}\n`;
}
