/**
 * BullMQ keeps jobs and the schedule in ordinary Redis keys: a Redis that evicts keys under memory
 * pressure loses them without an error. Checked once at start; only `noeviction` is safe.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../src/log.js';

export async function checkEvictionPolicy(redis: Pick<Redis, 'config'>, log: Logger): Promise<void> {
  let policy: string | undefined;
  try {
    const answer = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(answer) && typeof answer[1] === 'string') policy = answer[1];
  } catch (error) {
    log.warn({ err: error }, 'could not check Redis maxmemory-policy (managed Redis often refuses CONFIG): make sure it is "noeviction", or Redis may evict queued jobs and the schedule under memory pressure');
    return;
  }
  if (policy === undefined) {
    log.warn('could not check Redis maxmemory-policy (CONFIG GET gave no answer): make sure it is "noeviction", or Redis may evict queued jobs and the schedule under memory pressure');
  } else if (policy !== 'noeviction') {
    log.error({ maxmemoryPolicy: policy }, `Redis maxmemory-policy is "${policy}": set it to "noeviction", or Redis will evict queued jobs and the schedule under memory pressure and syncing stops`);
  }
}
