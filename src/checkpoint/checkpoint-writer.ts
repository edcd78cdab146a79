/**
 * Appends checkpoints (checkpoint.ts) to the checkpoint file. The store's state is read and the
 * line appended under the store's write lock, so checkpoints from several processes sharing one
 * database chain in the order of the states they describe. After an environment sync a checkpoint
 * is written when the state changed since the last one, or the last one is older than the
 * interval; the timer (checkpoint-timer.ts) writes one each interval regardless. Each is also
 * logged at warn (a log pipeline keeps a copy) and handed to the poster when one is configured.
 */
import { CheckpointError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CheckpointState } from '../store/audit-store.js';
import { CHECKPOINT_FORMAT, checkpointHash, checkpointLine, sameState, signedBytes, type Checkpoint, type CheckpointReason } from './checkpoint.js';
import { withCheckpointFile } from './checkpoint-file.js';
import type { CheckpointPoster } from './checkpoint-poster.js';
import { signBytes, type SigningKey } from './signing-key.js';

export const CHECKPOINT_INTERVAL_MS = 60 * 60 * 1000;

export interface CheckpointWriterDeps {
  /** The checkpoint file, already checked (checkpoint-file.ts resolveCheckpointFile). */
  file: string;
  /** The store's AuditStore.checkpoint. */
  withState: <T>(record: (state: CheckpointState) => T) => Promise<T>;
  clock: () => Date;
  log: Logger;
  key?: SigningKey | undefined;
  poster?: CheckpointPoster | undefined;
  intervalMs?: number;
}

export interface CheckpointWriter {
  /** Appends a checkpoint (after a sync: only if something changed or the last is old); returns it, or null when skipped. */
  append(reason: CheckpointReason): Promise<Checkpoint | null>;
  /** Waits for appends under way, then gives the poster a bounded time to deliver. */
  close(): Promise<void>;
}

export function createCheckpointWriter(deps: CheckpointWriterDeps): CheckpointWriter {
  const intervalMs = deps.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  let tail: Promise<unknown> = Promise.resolve();

  const write = async (reason: CheckpointReason): Promise<Checkpoint | null> => {
    const written = await deps.withState((state) =>
      withCheckpointFile(deps.file, (file) => {
        const now = deps.clock();
        const last = file.last;
        if (reason === 'sync' && last && sameState(last, state) && now.getTime() - Date.parse(last.at) < intervalMs) return null;
        const unsigned: Checkpoint = {
          format: CHECKPOINT_FORMAT,
          seq: (last?.seq ?? 0) + 1,
          at: now.toISOString(),
          reason,
          environments: state.environments,
          inventory: state.inventory,
          schema: state.schema,
          prevHash: last ? checkpointHash(last) : null,
          ...(deps.key ? { keyId: deps.key.keyId } : {}),
        };
        const checkpoint = deps.key ? { ...unsigned, signature: signBytes(signedBytes(unsigned), deps.key) } : unsigned;
        file.append(checkpointLine(checkpoint));
        return checkpoint;
      }),
    );
    if (!written) {
      deps.log.debug({ reason }, 'audit checkpoint skipped: nothing changed since the last one');
      return null;
    }
    // warn, so that a pipeline that ships only warnings and errors keeps a copy off this machine.
    deps.log.warn({ checkpoint: written }, 'audit checkpoint');
    deps.poster?.post(written);
    return written;
  };

  return {
    append(reason) {
      // One at a time within the process: each reads the line the one before it appended.
      const next = tail.then(() => write(reason));
      tail = next.catch(() => undefined);
      return next.catch((error: unknown) => {
        throw error instanceof CheckpointError ? error : new CheckpointError(`cannot write a checkpoint to ${deps.file}: ${(error as Error).message}`, error);
      });
    },
    async close() {
      await tail;
      await deps.poster?.close();
    },
  };
}
