import { Redis } from 'ioredis';
import type { Logger } from '../src/log.js';
import { redactUrl } from '../src/config.js';

/**
 * A Redis connection for BullMQ: requests wait for a reconnect instead of failing
 * (maxRetriesPerRequest: null, which workers require), and reconnects back off up to 5 s, forever.
 */
export function createRedis(url: string, log: Logger, name: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: `flatfile-audit:${name}`,
    retryStrategy: (attempt) => Math.min(5000, 100 * 2 ** Math.min(attempt, 6)),
  });
  let down = false;
  redis.on('error', (error) => {
    if (!down) log.warn({ redis: redactUrl(url), err: error }, 'redis connection lost; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ redis: redactUrl(url) }, 'redis connection back');
    down = false;
  });
  return redis;
}
