/** A short-lived queue handle for CLI commands: fails fast when Redis is not there, instead of waiting for it. */
import { Redis } from 'ioredis';
import { createQueue, type SyncJobData } from '../../jobs/queue.js';
import type { Queue } from 'bullmq';
import { redactUrl, type WorkerConfig } from '../config.js';
import { AuditError } from '../errors.js';

export interface QueueHandle {
  queue: Queue<SyncJobData>;
  redis: Redis;
  close(): Promise<void>;
}

export async function openQueue(config: WorkerConfig, connectTimeoutMs = 2000): Promise<QueueHandle> {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: connectTimeoutMs, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported by connect() below
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new AuditError('CONFIG_INVALID', `Redis at ${redactUrl(config.redisUrl)} is not reachable (${(error as Error).message}); start it or set REDIS_URL`, { cause: error });
  }
  const queue = createQueue(redis, config);
  return {
    queue,
    redis,
    close: async () => {
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
