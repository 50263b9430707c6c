import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import { createFlexibleRateLimiter, type StoreTimeoutOptions } from './flexible-rate-limiter.ts';

/** Longest wait for the connection to Redis. */
export const REDIS_CONNECT_TIMEOUT_MS = 1_000;
/** Longest wait for the reply to one command. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;
/** Times a command in flight when the connection drops is sent again after reconnecting. */
export const REDIS_MAX_RETRIES_PER_REQUEST = 1;

/**
 * An ioredis client for the rate limiter: every command is bounded (connect and command
 * timeouts, one retry after a reconnect) and, with the offline queue off, a command made while
 * Redis is down fails at once instead of waiting in the client's queue. `options` says where
 * Redis is (host, port, TLS, …); the bounds always apply. Listen for its `error` events.
 *
 * @example
 * const client = createRedisClient({ host: 'redis.internal', port: 6379 });
 * const limiter = createRedisRateLimiter(client);
 */
export function createRedisClient(options: RedisOptions): Redis {
  return new Redis({
    ...options,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: REDIS_MAX_RETRIES_PER_REQUEST,
    enableOfflineQueue: false,
  });
}

/**
 * A `RateLimiter` shared through Redis, given a client from `createRedisClient`. Redis down,
 * not ready or not answering within `storeTimeoutMs` refuses the request (`SlowDownError`).
 */
export function createRedisRateLimiter(client: Redis, options: StoreTimeoutOptions = {}): RateLimiter {
  return createFlexibleRateLimiter(
    (limiterOptions) =>
      new RateLimiterRedis({ ...limiterOptions, storeClient: client, rejectIfRedisNotReady: true }),
    options,
  );
}
