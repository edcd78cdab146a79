/**
 * Sends each checkpoint to AUDIT_CHECKPOINT_URL (a POST of its line, application/json), one after
 * another in the order written, retrying as the table below says. Posting never holds up a sync:
 * post() only queues; a checkpoint that cannot be delivered is logged and dropped (the file and
 * the logs still hold it).
 */
import type { Logger } from '../log.js';
import { checkpointLine, type Checkpoint } from './checkpoint.js';

export interface PostRetry {
  attempts: number;
  /** Delay before the second attempt; doubled each time, capped, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time limit of one attempt. */
  timeoutMs: number;
}

export const DEFAULT_POST_RETRY: PostRetry = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 10_000 };

/** Answers worth another try; any other non-2xx is the receiver saying no. */
const RETRYABLE_STATUS = (status: number) => status >= 500 || status === 408 || status === 429;

/** Checkpoints waiting beyond this are dropped oldest first (the receiver has been down for long). */
const MAX_QUEUED = 1000;

export interface CheckpointPoster {
  post(checkpoint: Checkpoint): void;
  /** Stops taking checkpoints and waits up to `boundMs` for the queue to drain, then gives up on the rest. */
  close(boundMs?: number): Promise<void>;
}

export function createCheckpointPoster(options: { url: string; log: Logger; retry?: Partial<PostRetry>; fetch?: typeof fetch }): CheckpointPoster {
  const retry = { ...DEFAULT_POST_RETRY, ...options.retry };
  const send = options.fetch ?? fetch;
  // Where to, for logs: never the query string or user info, which may hold a credential.
  const target = (() => {
    const url = new URL(options.url);
    return `${url.origin}${url.pathname}`;
  })();
  const log = options.log.child({ checkpointUrl: target });
  const queue: Checkpoint[] = [];
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let closed = false;

  const attempt = async (body: string): Promise<string | null> => {
    const controller = new AbortController();
    const abort = () => controller.abort();
    stopping.signal.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(abort, retry.timeoutMs);
    try {
      const response = await send(options.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal });
      await response.body?.cancel();
      if (response.ok) return null;
      return RETRYABLE_STATUS(response.status) ? `HTTP ${response.status}` : `refused: HTTP ${response.status}`;
    } catch (error) {
      return (error as Error).message;
    } finally {
      clearTimeout(timer);
      stopping.signal.removeEventListener('abort', abort);
    }
  };

  const deliver = async (checkpoint: Checkpoint): Promise<void> => {
    const body = checkpointLine(checkpoint);
    let problem: string | null = null;
    for (let n = 1; n <= retry.attempts && !stopping.signal.aborted; n += 1) {
      problem = await attempt(body);
      if (problem === null) return;
      if (problem.startsWith('refused') || n === retry.attempts) break;
      const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (n - 1));
      await sleep(delay / 2 + Math.random() * (delay / 2), stopping.signal);
    }
    log.warn({ seq: checkpoint.seq, error: problem ?? 'shutting down' }, 'could not post the audit checkpoint; the checkpoint file and the logs still hold it');
  };

  const pump = async (): Promise<void> => {
    for (let next = queue.shift(); next && !stopping.signal.aborted; next = queue.shift()) await deliver(next);
  };
  const kick = (): void => {
    if (running || stopping.signal.aborted) return;
    running = pump().finally(() => {
      running = undefined;
      if (queue.length > 0) kick(); // queued after the pump's last look
    });
  };

  return {
    post(checkpoint) {
      if (closed) return;
      if (queue.length >= MAX_QUEUED) log.warn({ seq: queue.shift()!.seq }, 'too many audit checkpoints waiting to be posted; dropped the oldest');
      queue.push(checkpoint);
      kick();
    },
    async close(boundMs = 5000) {
      closed = true;
      if (running) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, boundMs)))]);
        clearTimeout(timer);
      }
      stopping.abort();
      await running;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
