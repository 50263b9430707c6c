import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import { createFlexibleRateLimiter } from './flexible-rate-limiter.ts';

/**
 * A `RateLimiter` shared through Redis. Give it an ioredis client made with
 * `enableOfflineQueue: false`, so a request made while Redis is down fails at once
 * (`ServiceUnavailableError`) instead of waiting in the client's queue.
 */
export function createRedisRateLimiter(client: Redis): RateLimiter {
  return createFlexibleRateLimiter(
    (options) => new RateLimiterRedis({ ...options, storeClient: client, rejectIfRedisNotReady: true }),
  );
}
