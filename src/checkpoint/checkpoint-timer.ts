/** Writes a checkpoint at start and every interval after (the worker's "at least hourly, even when nothing changed"). */
import type { Logger } from '../log.js';
import { CHECKPOINT_INTERVAL_MS, type CheckpointWriter } from './checkpoint-writer.js';

export function startCheckpointTimer(writer: Pick<CheckpointWriter, 'append'>, log: Logger, intervalMs = CHECKPOINT_INTERVAL_MS): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      await writer.append('interval');
    } catch (error) {
      log.error({ err: error }, 'could not write the periodic audit checkpoint');
    }
    if (!stopped) {
      timer = setTimeout(tick, intervalMs);
      timer.unref();
    }
  };
  timer = setTimeout(tick, 0);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Starts the timer; the returned cleanup stops it and closes the writer (for a process's list of cleanups). */
export function runCheckpointTimer(writer: CheckpointWriter, log: Logger, intervalMs = CHECKPOINT_INTERVAL_MS): () => Promise<void> {
  const timer = startCheckpointTimer(writer, log, intervalMs);
  return async () => {
    timer.stop();
    await writer.close();
  };
}
